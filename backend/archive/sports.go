package archive

import "strings"

// stravaTypes maps Strava activity types, as activities.csv writes them in
// the account's language (normalised by headerKey), to Intervals.icu types.
// Types Intervals.icu shares with Strava's API names need no entry: they are
// taken as they are (see IntervalsType).
var stravaTypes = map[string]string{
	// English display names
	"ride": "Ride", "virtualride": "VirtualRide", "ebikeride": "EBikeRide", "emountainbikeride": "EMountainBikeRide",
	"mountainbikeride": "MountainBikeRide", "gravelride": "GravelRide", "handcycle": "Handcycle", "velomobile": "Velomobile",
	"run": "Run", "virtualrun": "VirtualRun", "trailrun": "TrailRun", "walk": "Walk", "hike": "Hike",
	"swim": "Swim", "rowing": "Rowing", "virtualrow": "VirtualRow", "nordicski": "NordicSki", "alpineski": "AlpineSki",
	"backcountryski": "BackcountrySki", "weighttraining": "WeightTraining", "workout": "Workout", "yoga": "Yoga",
	"elliptical": "Elliptical", "stairstepper": "StairStepper", "crossfit": "Crossfit",
	"highintensityintervaltraining": "HighIntensityIntervalTraining",
	// German
	"radfahrt": "Ride", "virtuelleradfahrt": "VirtualRide", "ebikefahrt": "EBikeRide", "mountainbikefahrt": "MountainBikeRide",
	"gravelradfahrt": "GravelRide", "gravelfahrt": "GravelRide", "lauf": "Run", "virtuellerlauf": "VirtualRun",
	"traillauf": "TrailRun", "spaziergang": "Walk", "gehen": "Walk", "wanderung": "Hike", "schwimmen": "Swim",
	"rudern": "Rowing", "krafttraining": "WeightTraining", "training": "Workout",
	// French
	"velo": "Ride", "sortieavelo": "Ride", "velovirtuel": "VirtualRide", "sortieavelovirtuelle": "VirtualRide",
	"veloelectrique": "EBikeRide", "vtt": "MountainBikeRide", "velogravel": "GravelRide", "courseapied": "Run",
	"coursevirtuelle": "VirtualRun", "trail": "TrailRun", "marche": "Walk", "randonnee": "Hike", "natation": "Swim",
	"aviron": "Rowing", "musculation": "WeightTraining", "entrainement": "Workout",
	// Spanish
	"bicicleta": "Ride", "ciclismo": "Ride", "bicicletavirtual": "VirtualRide", "ciclismovirtual": "VirtualRide",
	"bicicletademontana": "MountainBikeRide", "carrera": "Run", "carreravirtual": "VirtualRun", "caminata": "Walk",
	"senderismo": "Hike", "natacion": "Swim", "remo": "Rowing", "entrenamientodepesas": "WeightTraining",
	"entrenamiento": "Workout",
	// Italian
	"giroinbici": "Ride", "giroinbicivirtuale": "VirtualRide", "corsa": "Run", "corsavirtuale": "VirtualRun",
	"camminata": "Walk", "escursione": "Hike", "nuoto": "Swim", "canottaggio": "Rowing", "allenamento": "Workout",
	// Portuguese
	"pedalada": "Ride", "pedaladavirtual": "VirtualRide", "corrida": "Run", "corridavirtual": "VirtualRun",
	"caminhada": "Walk", "trilha": "Hike", "natacao": "Swim",
	// Dutch
	"fietsrit": "Ride", "virtuelefietsrit": "VirtualRide", "hardloopsessie": "Run", "hardlopen": "Run",
	"wandeling": "Walk", "zwemmen": "Swim", "roeien": "Rowing",
}

// IntervalsType turns the type column of activities.csv into an
// Intervals.icu type; "" when it is not one FitBridge knows.
func IntervalsType(stravaType string) string {
	k := headerKey(stravaType)
	if t, ok := stravaTypes[k]; ok {
		return t
	}
	// The words give it away in languages the table lacks.
	switch {
	case strings.Contains(k, "virtu") && (strings.Contains(k, "rid") || strings.Contains(k, "vel") || strings.Contains(k, "bic") || strings.Contains(k, "rad") || strings.Contains(k, "fiets")):
		return "VirtualRide"
	}
	return ""
}

// Trainer reports whether a Strava type is ridden or run indoors.
func Trainer(intervalsType string) bool {
	switch intervalsType {
	case "VirtualRide", "VirtualRun", "VirtualRow", "VirtualSki":
		return true
	}
	return false
}

package fitfile

// intervalsType maps FIT sport and sub-sport names to an Intervals.icu
// activity type. Values are from the Intervals.icu sport enum; "" means the
// file names no sport at all, "Other" a sport without a closer type.
func intervalsType(sport, sub string) string {
	switch sport {
	case "":
		return ""
	case "cycling":
		switch sub {
		case "virtual_activity", "indoor_cycling", "spin":
			return "VirtualRide"
		case "gravel_cycling":
			return "GravelRide"
		case "mountain", "downhill":
			return "MountainBikeRide"
		case "cyclocross":
			return "Cyclocross"
		case "track_cycling":
			return "TrackRide"
		case "e_bike_fitness":
			return "EBikeRide"
		case "e_bike_mountain":
			return "EMountainBikeRide"
		case "hand_cycling":
			return "Handcycle"
		case "indoor_hand_cycling":
			return "VirtualRide"
		}
		return "Ride"
	case "e_biking":
		if sub == "e_bike_mountain" {
			return "EMountainBikeRide"
		}
		return "EBikeRide"
	case "running":
		switch sub {
		case "treadmill", "virtual_activity", "indoor_running":
			return "VirtualRun"
		case "trail":
			return "TrailRun"
		}
		return "Run"
	case "swimming":
		if sub == "open_water" {
			return "OpenWaterSwim"
		}
		return "Swim"
	case "walking":
		return "Walk"
	case "hiking":
		return "Hike"
	case "rowing":
		if sub == "indoor_rowing" {
			return "VirtualRow"
		}
		return "Rowing"
	case "fitness_equipment":
		switch sub {
		case "indoor_rowing":
			return "VirtualRow"
		case "indoor_cycling", "spin":
			return "VirtualRide"
		case "treadmill", "indoor_running":
			return "VirtualRun"
		case "elliptical":
			return "Elliptical"
		case "stair_climbing":
			return "StairStepper"
		case "strength_training":
			return "WeightTraining"
		}
		return "Workout"
	case "training":
		switch sub {
		case "strength_training":
			return "WeightTraining"
		case "yoga":
			return "Yoga"
		case "pilates":
			return "Pilates"
		}
		return "Workout"
	case "hiit":
		return "HighIntensityIntervalTraining"
	case "cross_country_skiing":
		return "NordicSki"
	case "alpine_skiing":
		if sub == "backcountry" {
			return "BackcountrySki"
		}
		return "AlpineSki"
	case "snowboarding":
		return "Snowboard"
	case "snowshoeing":
		return "Snowshoe"
	case "inline_skating":
		return "InlineSkate"
	case "ice_skating":
		return "IceSkate"
	case "rock_climbing":
		return "RockClimbing"
	case "stand_up_paddleboarding":
		return "StandUpPaddling"
	case "surfing":
		return "Surfing"
	case "kayaking":
		return "Kayaking"
	case "windsurfing":
		return "Windsurf"
	case "kitesurfing":
		return "Kitesurf"
	case "sailing":
		return "Sail"
	case "golf":
		return "Golf"
	case "soccer":
		return "Soccer"
	case "tennis":
		return "Tennis"
	case "transition":
		return "Transition"
	}
	return "Other"
}

// summaryIntervalsType: a multisport file or one starting with a transition
// takes the type of its first real sport.
func summaryIntervalsType(s Summary) string {
	if s.Sport != "multisport" && s.Sport != "transition" {
		return intervalsType(s.Sport, s.SubSport)
	}
	for _, ss := range s.Sessions {
		if ss.Sport != "" && ss.Sport != "multisport" && ss.Sport != "transition" {
			return intervalsType(ss.Sport, ss.SubSport)
		}
	}
	return "Other"
}

// typeFamily names the sport each closer type belongs to. A file whose
// sub-sport says no more gets the family's plain type (Ride, Run...).
var typeFamily = map[string]string{
	"Ride": "Ride", "VirtualRide": "Ride", "GravelRide": "Ride", "MountainBikeRide": "Ride",
	"Cyclocross": "Ride", "TrackRide": "Ride", "EBikeRide": "Ride", "EMountainBikeRide": "Ride",
	"Handcycle": "Ride", "Velomobile": "Ride",
	"Run": "Run", "VirtualRun": "Run", "TrailRun": "Run",
	"Swim": "Swim", "OpenWaterSwim": "Swim",
	"Rowing": "Rowing", "VirtualRow": "Rowing",
}

// Refines reports whether typ says more than a file's own type file: the
// file names no sport or only a catch-all one (Other, Workout), or it has
// the plain type of typ's own sport (GravelRide refines Ride). A plain type
// never refines a closer one, and no type crosses into another sport.
func Refines(typ, file string) bool {
	switch {
	case typ == "" || typ == file:
		return false
	case file == "" || file == "Other" || file == "Workout":
		return true
	}
	return typeFamily[file] == file && typeFamily[typ] == file
}

package fitfile

import "testing"

func TestIntervalsType(t *testing.T) {
	for _, tc := range []struct{ sport, sub, want string }{
		{"cycling", "virtual_activity", "VirtualRide"},
		{"cycling", "indoor_cycling", "VirtualRide"},
		{"cycling", "road", "Ride"},
		{"cycling", "generic", "Ride"},
		{"cycling", "", "Ride"},
		{"cycling", "gravel_cycling", "GravelRide"},
		{"cycling", "mountain", "MountainBikeRide"},
		{"cycling", "cyclocross", "Cyclocross"},
		{"cycling", "track_cycling", "TrackRide"},
		{"cycling", "e_bike_fitness", "EBikeRide"},
		{"running", "generic", "Run"},
		{"running", "treadmill", "VirtualRun"},
		{"running", "virtual_activity", "VirtualRun"},
		{"running", "trail", "TrailRun"},
		{"swimming", "lap_swimming", "Swim"},
		{"swimming", "open_water", "OpenWaterSwim"},
		{"walking", "", "Walk"},
		{"hiking", "", "Hike"},
		{"rowing", "", "Rowing"},
		{"rowing", "indoor_rowing", "VirtualRow"},
		{"training", "strength_training", "WeightTraining"},
		{"training", "cardio_training", "Workout"},
		{"generic", "", "Other"},
		{"boxing", "", "Other"},
		{"", "", ""},
	} {
		if got := intervalsType(tc.sport, tc.sub); got != tc.want {
			t.Errorf("%s/%s: %q, want %q", tc.sport, tc.sub, got, tc.want)
		}
	}
}

func TestMultisportIntervalsType(t *testing.T) {
	s := Summary{Sport: "transition", Sessions: []Session{{Sport: "transition"}, {Sport: "cycling", SubSport: "road"}}}
	if got := s.IntervalsType(); got != "Ride" {
		t.Errorf("transition first: %q", got)
	}
	s = Summary{Sport: "multisport", Sessions: []Session{{Sport: "multisport"}}}
	if got := s.IntervalsType(); got != "Other" {
		t.Errorf("multisport only: %q", got)
	}
	s = Summary{Sport: "swimming", SubSport: "open_water", Sessions: []Session{{Sport: "swimming"}, {Sport: "cycling"}}}
	if got := s.IntervalsType(); got != "OpenWaterSwim" {
		t.Errorf("triathlon: %q", got)
	}
}

func TestRefines(t *testing.T) {
	for _, tc := range []struct {
		typ, file string
		want      bool
	}{
		{"VirtualRide", "Ride", true},      // MyWhoosh: indoor, the file says only cycling
		{"MountainBikeRide", "Ride", true}, // a platform's closer type
		{"Ride", "VirtualRide", false},     // a listing's plain hint never undoes the file
		{"Ride", "GravelRide", false},
		{"GravelRide", "MountainBikeRide", false},
		{"Run", "Ride", false}, // no crossing into another sport
		{"VirtualRun", "Run", true},
		{"Ride", "", true}, // the file names no sport
		{"WeightTraining", "Workout", true},
		{"VirtualRide", "Other", true},
		{"Ride", "Ride", false},
		{"", "Ride", false},
		{"Hike", "Walk", false},
	} {
		if got := Refines(tc.typ, tc.file); got != tc.want {
			t.Errorf("Refines(%q, %q) = %v, want %v", tc.typ, tc.file, got, tc.want)
		}
	}
}

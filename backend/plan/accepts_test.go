package plan

import (
	"reflect"
	"testing"
)

func pct(lo, hi float64) *Range { return &Range{Low: lo, High: hi, Unit: PercentFTP} }

// The conversion table: each row is one thing a place cannot say and what
// the rider is told it became.
func TestAdapt(t *testing.T) {
	zwiftLike := Accepts{PowerUnits: []Unit{PercentFTP}, Ramps: true, Cadence: true, Text: true}
	deviceLike := Accepts{PowerUnits: []Unit{PercentFTP, Watts}, PowerRanges: true, HRUnits: []Unit{BPM}, Cadence: true, CadenceRanges: true, Text: true, Open: true}
	cases := []struct {
		name    string
		accepts Accepts
		w       Workout
		want    []Step
		changes []string
	}{
		{
			name: "kept as it is", accepts: zwiftLike,
			w:    Workout{Steps: []Step{{Seconds: 300, Power: pct(90, 90)}}},
			want: []Step{{Seconds: 300, Power: pct(90, 90)}},
		},
		{
			name: "power range becomes its middle", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 600, Power: pct(88, 94)}}},
			want:    []Step{{Seconds: 600, Power: pct(91, 91)}},
			changes: []string{"power ranges became their middle (88–94% FTP became 91% FTP)"},
		},
		{
			name: "ramp kept where ramps are taken", accepts: zwiftLike,
			w:    Workout{Steps: []Step{{Seconds: 600, Ramp: true, Power: pct(50, 75)}}},
			want: []Step{{Seconds: 600, Ramp: true, Power: pct(50, 75)}},
		},
		{
			name: "ramp becomes a steady range", accepts: deviceLike,
			w:       Workout{Steps: []Step{{Seconds: 600, Ramp: true, Power: pct(50, 75)}}},
			want:    []Step{{Seconds: 600, Power: pct(50, 75)}},
			changes: []string{"ramps became steady ranges (50–75% FTP)"},
		},
		{
			name: "a target in an unreadable unit becomes a cue", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 600, Unread: []string{"pace zone 2"}}}},
			want:    []Step{{Seconds: 600, FreeRide: true, Text: "pace zone 2"}},
			changes: []string{"pace zone 2 could not be read as a target and became a cue"},
		},
		{
			name: "watts through FTP", accepts: zwiftLike,
			w:       Workout{FTP: 250, Steps: []Step{{Seconds: 60, Power: &Range{Low: 300, High: 300, Unit: Watts}}}},
			want:    []Step{{Seconds: 60, Power: pct(120, 120)}},
			changes: nil,
		},
		{
			name: "watts without FTP cannot be converted", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 60, Power: &Range{Low: 300, High: 300, Unit: Watts}}}},
			want:    []Step{{Seconds: 60, FreeRide: true}},
			changes: []string{"power 300 W could not be converted without an FTP in Intervals.icu"},
		},
		{
			name: "heart rate becomes a free ride with a cue", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 600, HR: &Range{Low: 70, High: 80, Unit: PercentLTHR}}}},
			want:    []Step{{Seconds: 600, FreeRide: true, Text: "heart rate 70–80% LTHR"}},
			changes: []string{"heart-rate targets became free riding with the target as a cue (heart rate 70–80% LTHR)"},
		},
		{
			name: "heart rate in %LTHR becomes beats per minute", accepts: deviceLike,
			w:    Workout{LTHR: 170, Steps: []Step{{Seconds: 600, HR: &Range{Low: 80, High: 90, Unit: PercentLTHR}}}},
			want: []Step{{Seconds: 600, HR: &Range{Low: 136, High: 153, Unit: BPM}}},
		},
		{
			name: "heart rate beside power is dropped and said", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 600, Power: pct(70, 70), HR: &Range{Low: 70, High: 80, Unit: PercentLTHR}}}},
			want:    []Step{{Seconds: 600, Power: pct(70, 70)}},
			changes: []string{"heart-rate targets were dropped where the step also has a power target"},
		},
		{
			name: "cadence range becomes its middle", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Seconds: 60, Power: pct(100, 100), Cadence: &Range{Low: 85, High: 95, Unit: RPM}}}},
			want:    []Step{{Seconds: 60, Power: pct(100, 100), Cadence: &Range{Low: 90, High: 90, Unit: RPM}}},
			changes: []string{"cadence 85–95 rpm became 90 rpm"},
		},
		{
			name: "cadence where it cannot be set becomes a cue", accepts: Accepts{PowerUnits: []Unit{PercentFTP}, Text: true},
			w:       Workout{Steps: []Step{{Seconds: 60, Power: pct(100, 100), Cadence: &Range{Low: 100, High: 100, Unit: RPM}}}},
			want:    []Step{{Seconds: 60, Power: pct(100, 100), Text: "cadence 100 rpm"}},
			changes: []string{"cadence targets became a cue (cadence 100 rpm)"},
		},
		{
			name: "distance step becomes timed", accepts: zwiftLike,
			w:       Workout{Sport: "Ride", Steps: []Step{{Distance: 5000, Power: pct(80, 80)}}},
			want:    []Step{{Seconds: 600, Power: pct(80, 80)}},
			changes: []string{"5.0 km step became 10m (at an easy 30 km/h)"},
		},
		{
			name: "lap-press step becomes timed", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Open: true, Power: pct(50, 50)}}},
			want:    []Step{{Seconds: 600, Power: pct(50, 50)}},
			changes: []string{"a step that ends on a lap press became 10m"},
		},
		{
			name: "lap-press kept where laps end steps", accepts: deviceLike,
			w:    Workout{Steps: []Step{{Open: true, Power: pct(50, 50)}}},
			want: []Step{{Open: true, Power: pct(50, 50)}},
		},
		{
			name: "text step with no target is a free ride", accepts: zwiftLike,
			w:    Workout{Steps: []Step{{Seconds: 120, Text: "Spin easy, drink"}}},
			want: []Step{{Seconds: 120, Text: "Spin easy, drink", FreeRide: true}},
		},
		{
			name: "labels dropped where they cannot be shown", accepts: Accepts{PowerUnits: []Unit{PercentFTP}},
			w:       Workout{Steps: []Step{{Seconds: 120, Text: "Go", Power: pct(100, 100)}}},
			want:    []Step{{Seconds: 120, Power: pct(100, 100)}},
			changes: []string{"step labels cannot be shown there"},
		},
		{
			name: "a workout with only a length is a free ride", accepts: zwiftLike,
			w:       Workout{Duration: 3600},
			want:    []Step{{Seconds: 3600, FreeRide: true}},
			changes: []string{"no steps in Intervals.icu: a free ride of 1h"},
		},
		{
			name: "repeats adapted inside, each change said once", accepts: zwiftLike,
			w:       Workout{Steps: []Step{{Reps: 3, Steps: []Step{{Seconds: 60, Power: pct(100, 110)}, {Seconds: 60, Power: pct(100, 110)}}}}},
			want:    []Step{{Reps: 3, Steps: []Step{{Seconds: 60, Power: pct(105, 105)}, {Seconds: 60, Power: pct(105, 105)}}}},
			changes: []string{"power ranges became their middle (100–110% FTP became 105% FTP)"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changes := Adapt(c.w, c.accepts)
			if !reflect.DeepEqual(got.Steps, c.want) {
				t.Errorf("steps:\n got %+v\nwant %+v", got.Steps, c.want)
			}
			if !reflect.DeepEqual(changes, c.changes) {
				t.Errorf("changes:\n got %q\nwant %q", changes, c.changes)
			}
		})
	}
}

func TestSportsAndFingerprint(t *testing.T) {
	a := Accepts{Sports: []string{"Ride"}}
	if !a.TakesSport("Ride") || a.TakesSport("Run") || !(Accepts{}).TakesSport("Swim") {
		t.Fatal("sport filter")
	}
	w := Workout{ID: "1", Name: "A", Steps: []Step{{Seconds: 60, Power: pct(90, 90)}}}
	moved := w
	moved.Date = w.Date.AddDate(0, 0, 1)
	if w.Fingerprint() == moved.Fingerprint() {
		t.Fatal("a moved workout must not look unchanged")
	}
	if w.Fingerprint() != (Workout{ID: "1", Name: "A", Steps: []Step{{Seconds: 60, Power: pct(90, 90)}}}).Fingerprint() {
		t.Fatal("equal workouts must share a fingerprint")
	}
	if got := (Workout{Steps: []Step{{Seconds: 60}, {Reps: 3, Steps: []Step{{Seconds: 30}, {Seconds: 30}}}}}).Seconds(); got != 240 {
		t.Fatalf("Seconds = %d", got)
	}
}

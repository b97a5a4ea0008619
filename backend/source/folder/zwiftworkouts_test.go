package folder

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/plan"
	"fitbridge/backend/source"
)

func TestZWOIsWellFormedAndSaysEveryStep(t *testing.T) {
	w := plan.Workout{Name: "Mixed", Sport: "Ride", Description: `Quotes " and <tags> & more`, Steps: []plan.Step{
		{Seconds: 600, Warmup: true, Ramp: true, Power: &plan.Range{Low: 50, High: 75, Unit: plan.PercentFTP}},
		{Seconds: 300, Power: &plan.Range{Low: 95, High: 95, Unit: plan.PercentFTP}, Text: "Hold <steady>"},
		{Reps: 2, Steps: []plan.Step{
			{Seconds: 60, Power: &plan.Range{Low: 120, High: 120, Unit: plan.PercentFTP}},
			{Seconds: 60, Power: &plan.Range{Low: 50, High: 50, Unit: plan.PercentFTP}},
			{Seconds: 30, FreeRide: true},
		}},
		{Seconds: 300, FreeRide: true},
		{Seconds: 600, Cooldown: true, Ramp: true, Power: &plan.Range{Low: 60, High: 40, Unit: plan.PercentFTP}},
	}}
	data, err := encodeZWO(w, "2026-12-09 Mixed")
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Name string `xml:"name"`
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var kinds []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 3 {
				kinds = append(kinds, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	if err := xml.Unmarshal(data, &parsed); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	want := "Warmup SteadyState SteadyState SteadyState FreeRide SteadyState SteadyState FreeRide FreeRide Cooldown"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("elements:\n got %s\nwant %s\n%s", got, want, data)
	}
	if parsed.Name != "2026-12-09 Mixed" || !strings.Contains(string(data), `message="Hold &lt;steady&gt;"`) {
		t.Fatalf("name or text cue lost:\n%s", data)
	}
}

func TestZwiftWorkoutsFolder(t *testing.T) {
	root := t.TempDir()
	activities := filepath.Join(root, "Zwift", "Activities")
	if err := os.MkdirAll(activities, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := source.Config{Settings: map[string]string{SettingFolder: activities}}
	if _, err := newZwiftWorkouts(cfg); err == nil || !strings.Contains(err.Error(), "open Custom Workouts") {
		t.Fatalf("no account folder yet: %v", err)
	}
	for _, id := range []string{"111", "222"} {
		if err := os.MkdirAll(filepath.Join(root, "Zwift", "Workouts", id), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	newer := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(root, "Zwift", "Workouts", "111"), newer, newer); err != nil {
		t.Fatal(err)
	}
	target, err := newZwiftWorkouts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := target.(*zwiftWorkouts).dir; got != filepath.Join(root, "Zwift", "Workouts", "111", "FitBridge") {
		t.Fatalf("the account Zwift used last should win: %s", got)
	}
	cfg.Settings[SettingWorkoutsAccount] = "222"
	target, err = newZwiftWorkouts(cfg)
	if err != nil || target.(*zwiftWorkouts).dir != filepath.Join(root, "Zwift", "Workouts", "222", "FitBridge") {
		t.Fatalf("chosen account: %v %v", target, err)
	}

	own := filepath.Join(root, "Zwift", "Workouts", "222", "mine.zwo")
	if err := os.WriteFile(own, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := target.Remove(context.Background(), plan.Delivery{Ref: own}); err == nil {
		t.Fatal("removing a file outside FitBridge's folder must be refused")
	}
	if _, err := os.Stat(own); err != nil {
		t.Fatalf("the rider's file is gone: %v", err)
	}
	w := plan.Workout{ID: "9", Name: `A/B: "test"?`, Date: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), Steps: []plan.Step{{Seconds: 60, FreeRide: true}}}
	d, err := target.Deliver(context.Background(), w, plan.Delivery{})
	if err != nil {
		t.Fatal(err)
	}
	if base := filepath.Base(d.Ref); base != "2026-12-09 A B test [9].zwo" {
		t.Fatalf("file name %q", base)
	}
	if err := target.Remove(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Ref); !os.IsNotExist(err) {
		t.Fatalf("delivered file still there: %v", err)
	}
}

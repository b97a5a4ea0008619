package service

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
	_ "fitbridge/backend/source/folder"
)

// Continuous sync keeps planned workouts current only once the rider turned
// it on: never by default.
func TestContinuousSyncDeliversWorkoutsOnlyWhenTurnedOn(t *testing.T) {
	ivl := intervalsfake.New(intervalsfake.Options{})
	root := t.TempDir()
	activities := filepath.Join(root, "Zwift", "Activities")
	account := filepath.Join(root, "Zwift", "Workouts", "42")
	for _, d := range []string{activities, account} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": ivl.Start(), "FITBRIDGE_ZWIFT_DIR": activities}
	t.Cleanup(ivl.Close)
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.ConnectIntervals(ctx, ivl.AthleteID(), ivl.APIKey()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConnectFolder("zwift", activities); err != nil {
		t.Fatal(err)
	}
	ivl.AddEvent(intervalsfake.Event{Day: time.Now().In(ivl.Location()).AddDate(0, 0, 1), Name: "Openers", Type: "Ride", Steps: []map[string]any{
		{"duration": 900, "power": map[string]any{"value": 65, "units": "%ftp"}},
	}})
	delivered := func() int {
		entries, _ := os.ReadDir(filepath.Join(account, "FitBridge"))
		return len(entries)
	}

	w := svc.Watcher(WatchOptions{})
	if _, err := w.Pass(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := delivered(); n != 0 {
		t.Fatalf("off by default, yet %d workouts were written", n)
	}
	st := svc.Settings()
	st.WorkoutsSync = true
	if _, err := svc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Pass(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := delivered(); n != 1 {
		t.Fatalf("turned on: want 1 workout file, got %d", n)
	}
	planned, err := svc.Planned(time.Now().AddDate(0, 0, -1).Format("2006-01-02"), time.Now().AddDate(0, 0, 3).Format("2006-01-02"))
	if err != nil || len(planned) != 1 || planned[0].Deliveries[0].State != "delivered" || planned[0].Deliveries[0].DisplayName != "Zwift" {
		t.Fatalf("the calendar's Planned layer: %+v %v", planned, err)
	}
}

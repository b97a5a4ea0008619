package bench

import (
	"fmt"
	"os"
	"testing"
	"time"

	"fitbridge/backend/secrets"
	"fitbridge/backend/service"
	"fitbridge/backend/store"
)

// seedFiveYears fills a library with five years of riding from 2021, about
// six activities a week, in every state the calendar colours.
func seedFiveYears(svc *service.Service) error {
	start := time.Date(2021, 1, 1, 7, 0, 0, 0, time.UTC)
	states := []store.State{store.StateUploaded, store.StateAlready, store.StateReady, store.StateSkipped}
	for i := 0; i < 1500; i++ {
		t := start.Add(time.Duration(i) * 29 * time.Hour)
		a := &store.Activity{Source: []string{"mywhoosh", "igpsport", "zwift"}[i%3], RemoteID: fmt.Sprint(i), Name: "Ride", State: states[i%4],
			Start: &t, ElapsedS: 3600, DistanceM: 30000, Sport: "Ride", IntervalsID: fmt.Sprintf("i%d", i)}
		if _, _, err := svc.Store.CreateOrGet(a); err != nil {
			return err
		}
	}
	return nil
}

// TestSeedFiveYearLibrary writes that library into $FITBRIDGE_BENCH_SEED, set
// up as after the wizard, for the year view's render benchmark in Chromium
// (scripts/bench-report.sh).
func TestSeedFiveYearLibrary(t *testing.T) {
	home := os.Getenv("FITBRIDGE_BENCH_SEED")
	if home == "" {
		t.Skip("FITBRIDGE_BENCH_SEED names the folder to fill (make bench sets it)")
	}
	svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := seedFiveYears(svc); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveSettings(service.Settings{WizardDone: true, Theme: "system", PollMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	rows, err := svc.Activities(service.ActivityFilter{})
	if err != nil || len(rows) != 1500 {
		t.Fatalf("seeded %d activities, %v", len(rows), err)
	}
}

// Five years of riding, about six activities a week: what the calendar's
// year and month views ask the library for.
func BenchmarkCalendarQueryFiveYears(b *testing.B) {
	home := b.TempDir()
	svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	if err := seedFiveYears(svc); err != nil {
		b.Fatal(err)
	}
	b.Run("year", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rows, err := svc.Activities(service.ActivityFilter{Since: "2024-01-01", Until: "2024-12-31"})
			if err != nil || len(rows) < 250 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("all-five-years", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rows, err := svc.Activities(service.ActivityFilter{})
			if err != nil || len(rows) != 1500 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("counts", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := svc.Store.Counts(store.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package backfill

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
	"fitbridge/backend/store"
)

// When iGPSport's storage starts sending empty files, the run stops asking
// after a few; every ride left fails with the reason and the next run (the
// next day) brings them all.
func TestIGPSportDailyCapStopsTheRunAndTheNextRunFinishes(t *testing.T) {
	f := igpsportfake.New(igpsportfake.Options{})
	u := f.Start()
	t.Cleanup(f.Close)
	start := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	for i := range 10 {
		f.AddRide(igpsportfake.Ride{RideID: int64(200 + i), Start: start.Add(time.Duration(i)*30*time.Hour + time.Duration(i*97)*time.Second),
			Duration: time.Hour, DistanceM: 30000}, nil)
	}
	var waits []time.Duration
	client := func() source.Source {
		cl, err := igpsport.New(source.Config{BaseURL: u, Token: f.Token()}, igpsport.Options{
			Pace: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Sleep: func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d) // downloads run one at a time
				return ctx.Err()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	desc, _ := source.Lookup(igpsport.Name)
	w := newWorld(t, nil)
	w.eng.Sources = []Connected{{Desc: desc, Source: client()}}
	f.EmptyAfter(4)

	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 4 || res.Failed != 6 || res.Skipped != 0 {
		t.Fatalf("first run: %+v", res)
	}
	stopped := 0
	for _, fl := range res.Failures {
		if fl.Permanent {
			t.Fatalf("ride %s failed for good: %s", fl.RemoteID, fl.Reason)
		}
		if strings.Contains(fl.Reason, "iGPSport stopped sending files (daily download limit?); try again tomorrow") {
			stopped++
		}
	}
	if stopped != 4 || f.Downloads() != 4 || len(waits) != 2 {
		t.Fatalf("%d rides stopped, %d files served, waits %v; want 4, 4 and two waits", stopped, f.Downloads(), waits)
	}

	f.EmptyAfter(0) // the next day
	w.eng.Sources = []Connected{{Desc: desc, Source: client()}}
	res, err = w.eng.Run(context.Background(), Request{})
	if err != nil || res.Uploaded != 6 || res.Failed != 0 {
		t.Fatalf("next run: %+v, %v", res, err)
	}
	rows, _ := w.store.List(store.Filter{Sources: []string{igpsport.Name}})
	for _, r := range rows {
		if r.State != store.StateUploaded {
			t.Fatalf("ride %s is %s (%s)", r.RemoteID, r.State, r.Reason)
		}
	}
}

// iGPSport often lists a ride's day only ("2025.06.02"). Its midnight is no
// start time: the preview must not count a ride as already in Intervals.icu
// because something else started around midnight that day. A listed
// date-time still counts.
func TestIGPSportPreviewIgnoresDateOnlyHints(t *testing.T) {
	f := igpsportfake.New(igpsportfake.Options{}) // the rider's zone is UTC+8
	u := f.Start()
	t.Cleanup(f.Close)
	dayOnly := time.Date(2025, 6, 2, 1, 0, 0, 0, time.UTC)  // 09:00 local, listed as "2025.06.02"
	withTime := time.Date(2025, 6, 5, 7, 0, 0, 0, time.UTC) // listed as "2025-06-05 15:00:00"
	f.AddRide(igpsportfake.Ride{RideID: 301, Start: dayOnly, Duration: time.Hour, DistanceM: 30000}, nil)
	f.AddRide(igpsportfake.Ride{RideID: 302, Start: withTime, Duration: time.Hour, DistanceM: 30000, ListDateTime: true}, nil)
	cl, err := igpsport.New(source.Config{BaseURL: u, Token: f.Token()}, igpsport.Options{Pace: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := source.Lookup(igpsport.Name)
	w := newWorld(t, nil)
	// A run that began three minutes after local midnight on the first
	// ride's day, and the second ride itself, synced by Garmin.
	w.fake.AddActivity(intervalsfake.Activity{StartDate: time.Date(2025, 6, 1, 16, 3, 0, 0, time.UTC), ElapsedTime: 1800, Distance: 5000, Type: "Run", Source: "GARMIN_CONNECT"})
	w.fake.AddActivity(intervalsfake.Activity{StartDate: withTime.Add(40 * time.Second), ElapsedTime: 3600, Distance: 30000, Type: "Ride", Source: "GARMIN_CONNECT"})

	est, err := w.eng.Preview(context.Background(), Connected{Desc: desc, Source: cl}, source.Query{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if est.Found != 2 || est.Already != 1 || est.ToUpload != 1 {
		t.Fatalf("estimate %+v, want 2 rides with 1 already in Intervals.icu", est)
	}
	row, _ := w.store.FindBySource(igpsport.Name, "301")
	if row == nil || row.StartHint == nil || !row.StartHintDateOnly {
		t.Fatalf("ride 301 in the library: %+v, want a date-only hint", row)
	}
}

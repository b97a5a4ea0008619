package backfill

import (
	"context"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/store"
)

// When the rider sends the original of a ride Intervals.icu holds only as a
// Strava copy, and both then show, the ride says so with a link to each.
func TestOriginalNextToStravaCopySaysBothShow(t *testing.T) {
	start := time.Date(2025, 2, 1, 7, 0, 0, 0, time.UTC)
	w := newWorld(t, newRides(1, start))
	w.eng.Options.StravaAsDuplicate = false // Strava copies are the rider's to decide
	stub := w.fake.AddActivity(intervalsfake.Activity{StartDateLocal: start.Add(time.Minute).In(w.fake.Location()), Source: "STRAVA"})
	if _, err := w.eng.Run(context.Background(), Request{}); err != nil {
		t.Fatal(err)
	}
	row, _ := w.store.FindBySource("testapp", "r000")
	if row.State == store.StateUploaded {
		t.Fatalf("uploaded without the rider's choice: %s", row.Reason)
	}
	// The rider picks it: the original goes up.
	if _, err := w.eng.Run(context.Background(), Request{IDs: []uint{row.ID}}); err != nil {
		t.Fatal(err)
	}
	row, _ = w.store.FindBySource("testapp", "r000")
	if row.State != store.StateUploaded || row.IntervalsID == "" || row.IntervalsID == stub {
		t.Fatalf("after the choice: %s %q (%s)", row.State, row.IntervalsID, row.Reason)
	}
	if !strings.Contains(row.Reason, "shows this ride twice") ||
		!strings.Contains(row.Reason, "/activities/"+row.IntervalsID) || !strings.Contains(row.Reason, "/activities/"+stub) {
		t.Errorf("reason %q", row.Reason)
	}
}

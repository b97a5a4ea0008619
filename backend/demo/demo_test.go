package demo

import (
	"context"
	"testing"
	"time"

	"fitbridge/backend/service"
	_ "fitbridge/backend/source/all"
	"fitbridge/backend/store"
)

// The demo is what a newcomer tries first: every sample service must connect,
// and one backfill must reach the end with each kind of outcome present.
func TestDemoBackfillsToTheEnd(t *testing.T) {
	d, err := Start(context.Background(), t.TempDir(), Options{Connect: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, s := range d.Service.Sources() {
		if (s.Name == "mywhoosh" || s.Name == "igpsport" || s.Name == "trainingpeaks" || s.Name == "zwift") && !s.Connected {
			t.Fatalf("%s not connected in the demo", s.Name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := d.Service.Backfill(ctx, service.BackfillOptions{}, nil)
	if err != nil {
		t.Fatalf("backfill: %v (%+v)", err, res)
	}
	if res.Uploaded < 100 || res.Already < 10 || res.Skipped == 0 {
		t.Fatalf("demo backfill = uploaded %d, already %d, skipped %d, failed %d", res.Uploaded, res.Already, res.Skipped, res.Failed)
	}
	if d.Intervals.UploadCount() != res.Uploaded {
		t.Fatalf("fake holds %d uploads, run reported %d", d.Intervals.UploadCount(), res.Uploaded)
	}
	// Of the demo's two broken files, the one cut short is repaired and goes
	// up; the shopping list is not an activity at all.
	unreadable, _ := d.Service.Activities(service.ActivityFilter{States: []store.State{store.StateUnreadable}})
	if len(unreadable) != 1 {
		t.Fatalf("the demo's unreadable files: got %d, want the shopping list only", len(unreadable))
	}
	all, _ := d.Service.Activities(service.ActivityFilter{})
	repaired := 0
	for _, a := range all {
		if a.Repaired != "" && a.State == store.StateUploaded {
			repaired++
		}
	}
	if repaired != 1 {
		t.Fatalf("the ride cut short should be repaired and uploaded: %d repaired uploads", repaired)
	}
}

package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/events"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/source"
	"fitbridge/backend/source/mywhoosh"
)

// Counting a preview tells the window the page each source is reading, so
// it shows "page 3, 10 found" rather than a bare count.
func TestPreviewCountingEventsCarryThePage(t *testing.T) {
	const key = "counting-test-key-41e9"
	ivs := intervalsfake.New(intervalsfake.Options{APIKey: key, AthleteName: "Ada Rider"})
	t.Cleanup(ivs.Close)
	mw := mywhooshfake.New(mywhooshfake.Options{PageSize: 5})
	t.Cleanup(mw.Close)
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": ivs.Start(), "FITBRIDGE_MYWHOOSH_URL": mw.Start()}
	start := time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC)
	for i := range 12 { // three pages of five
		mw.AddRide(mywhooshfake.Ride{Start: start.AddDate(0, 0, i)})
	}
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.ConnectIntervals(ctx, ivs.AthleteID(), key); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConnectToken(ctx, mywhoosh.Name, "", mw.IssueToken()); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetAccountSetting(mywhoosh.Name, source.SettingMinInterval, "0s"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var steps []Counting
	svc.Events.Add(events.Func(func(name string, payload any) {
		if c, ok := payload.(Counting); ok && name == events.Counting {
			mu.Lock()
			steps = append(steps, c)
			mu.Unlock()
		}
	}))
	pre, err := svc.PreviewBackfill(ctx, BackfillRequest{Sources: []string{mywhoosh.Name}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Sources) != 1 || pre.Sources[0].Activities != 12 {
		t.Fatalf("preview %+v, want 12 rides of MyWhoosh", pre.Sources)
	}
	mu.Lock()
	defer mu.Unlock()
	pages := map[int]bool{}
	for _, c := range steps {
		if c.Source != mywhoosh.Name {
			t.Errorf("counting step for %q", c.Source)
		}
		pages[c.Page] = true
	}
	if !pages[1] || !pages[2] || !pages[3] || pages[0] {
		t.Errorf("counting steps %+v: want pages 1, 2 and 3 and none without a page", steps)
	}
	if len(steps) == 0 {
		t.Fatal("no counting step was sent")
	}
	if last := steps[len(steps)-1]; last.Found != 12 || last.Page < 3 {
		t.Errorf("counting ended at %+v, want 12 found on page 3 or later", last)
	}
}

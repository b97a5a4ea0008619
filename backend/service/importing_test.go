package service

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
	_ "fitbridge/backend/source/all"
	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"
)

// Added files are a source like the others: when FitBridge's copy is lost,
// the engine reads the file again from where it was added, and says what
// to do when that is gone too.
func TestAddedFilesAreReadAgainLikeAnySource(t *testing.T) {
	const key = "import-test-key-41c9e0"
	ivs := intervalsfake.New(intervalsfake.Options{APIKey: key, AthleteName: "Ada Rider"})
	ivsURL := ivs.Start()
	t.Cleanup(ivs.Close)
	home := t.TempDir()
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": ivsURL}
	svc, err := Open(Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.ConnectIntervals(ctx, ivs.AthleteID(), key); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kept, gone := filepath.Join(dir, "kept.fit"), filepath.Join(dir, "gone.fit")
	for i, p := range []string{kept, gone} {
		ride := fitgen.Activity(fitgen.Ride{Start: time.Date(2025, 5, 1+i, 7, 0, 0, 0, time.UTC), Duration: 20 * time.Minute, DistanceM: 8000})
		if err := os.WriteFile(p, ride, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res := svc.Import([]string{kept, gone})
	for _, a := range res.Activities {
		if a.Source != imported.Name || a.State != store.StateReady {
			t.Fatalf("import: %+v", a)
		}
	}
	// FitBridge's own copies are lost, and one of the originals too.
	n := 0
	_ = filepath.WalkDir(filepath.Join(home, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			return os.Remove(p)
		}
		return nil
	})
	if n != 2 {
		t.Fatalf("removed %d cached files, want 2", n)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	// As for every source, the first run finds the copy missing and puts
	// the activity back in line; the next one reads it again.
	for range 2 {
		if _, err := svc.Backfill(ctx, BackfillOptions{}, nil); err != nil {
			t.Fatalf("backfill: %v", err)
		}
	}
	rows, err := svc.Activities(ActivityFilter{Sources: []string{imported.Name}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ActivityView{}
	for _, r := range rows {
		got[r.Name] = r
	}
	if got["kept"].State != store.StateUploaded {
		t.Errorf("the file still at its path: %+v", got["kept"])
	}
	if g := got["gone"]; g.State != store.StateSkipped || !strings.Contains(g.Reason, "no longer there: add it again") {
		t.Errorf("the file gone from its path: %+v", g)
	}
	if ivs.UploadCount() != 1 {
		t.Errorf("%d uploads, want 1", ivs.UploadCount())
	}
}

//go:build unix

package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fitbridge/backend/secrets"
	"fitbridge/backend/store"
)

// What the window and serve call (ImportPaths): pipes and devices are
// refused without being read, links to folders and unreadable things are
// reported, and only activities are kept in files/.
func TestImportTakesRegularFilesOnly(t *testing.T) {
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	dir := t.TempDir()
	ride, err := os.ReadFile(filepath.Join("..", "fitfile", "testdata", "tcx_garmin_fr410_2012-12-26_run.tcx"))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "ride.tcx"), ride, 0o600))
	must(os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("inner tubes, chain lube"), 0o600))
	must(syscall.Mkfifo(filepath.Join(dir, "pipe.fit"), 0o600))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.fit")))
	must(os.Symlink(t.TempDir(), filepath.Join(dir, "elsewhere")))

	done := make(chan ImportResult, 1)
	go func() { done <- svc.Import([]string{dir, "/dev/zero", filepath.Join(dir, "pipe.fit")}) }()
	var res ImportResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("import blocked")
	}
	got := map[string]ActivityView{}
	for _, a := range res.Activities {
		got[a.File] = a
	}
	want := map[string]store.State{
		filepath.Join(dir, "ride.tcx"):  store.StateReady,
		filepath.Join(dir, "notes.txt"): store.StateUnreadable,
		filepath.Join(dir, "pipe.fit"):  store.StateUnreadable,
		filepath.Join(dir, "zero.fit"):  store.StateUnreadable,
		filepath.Join(dir, "elsewhere"): store.StateUnreadable,
		"/dev/zero":                     store.StateUnreadable,
	}
	for file, state := range want {
		if got[file].State != state {
			t.Errorf("%s: %q (%s), want %q", file, got[file].State, got[file].Reason, state)
		}
	}
	for file, why := range map[string]string{"pipe.fit": "pipe", "zero.fit": "device", "elsewhere": "folder", "/dev/zero": "device"} {
		if !strings.HasPrefix(file, "/") {
			file = filepath.Join(dir, file)
		}
		if !strings.Contains(got[file].Reason, why) {
			t.Errorf("%s: reason %q does not say %q", file, got[file].Reason, why)
		}
	}
	cached, _ := filepath.Glob(filepath.Join(svc.Home, "files", "*", "*"))
	if len(cached) != 1 {
		t.Errorf("files/ holds %d files, want only the ride", len(cached))
	}
	// Stopped before it starts: nothing is read, everything is counted.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := svc.ImportContext(ctx, []string{dir}); !r.Stopped || r.NotImported != 1 || len(r.Activities) != 0 {
		t.Errorf("cancelled import: %+v", r)
	}
}

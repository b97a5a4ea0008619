package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenRefusesAnEmptyOrDamagedLibrary(t *testing.T) {
	for _, c := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"zero bytes", nil, "is empty (0 bytes)"},
		{"not a database", []byte(strings.Repeat("not sqlite ", 20)), "is damaged"},
		{"torn header", []byte("SQLite format 3\x00" + strings.Repeat("\xff", 200)), "is damaged"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, DBFile)
			if err := os.WriteFile(db, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("opened a damaged library as if it were fine")
			}
			var de *DamagedError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "fitbridge restore") {
				t.Fatalf("error %v; want a DamagedError saying %q and the way out", err, c.want)
			}
			if got, _ := os.ReadFile(db); string(got) != string(c.content) {
				t.Fatal("the damaged file was changed")
			}
		})
	}
}

func TestOpenMakesTheLibraryPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("data folder is %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(dir, DBFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("fitbridge.db is %v", st.Mode().Perm())
	}
}

func TestBackupsRollAndRestore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Create(&Activity{Source: "import", RemoteID: "a", State: StateReady}).Error; err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range 10 {
		if p, err := s.BackupIfDue(day.Add(time.Duration(i)*24*time.Hour), 24*time.Hour); err != nil || p == "" {
			t.Fatalf("day %d: backup %q, %v", i, p, err)
		}
		if p, _ := s.BackupIfDue(day.Add(time.Duration(i)*24*time.Hour+time.Hour), 24*time.Hour); p != "" {
			t.Fatalf("a second backup on day %d", i)
		}
	}
	s.Close()
	list, err := Backups(dir)
	if err != nil || len(list) != KeepBackups {
		t.Fatalf("%d backups kept (%v), want %d", len(list), err, KeepBackups)
	}
	if !list[0].Taken.Equal(day.Add(9 * 24 * time.Hour)) {
		t.Fatalf("newest backup is from %v", list[0].Taken)
	}
	if n, err := CheckBackup(list[0].Path); err != nil || n != 1 {
		t.Fatalf("backup holds %d activities (%v)", n, err)
	}
	if err := os.WriteFile(filepath.Join(dir, DBFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	replaced, err := Restore(dir, list[0].Path, day)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(replaced); err != nil || st.Size() != 0 {
		t.Fatalf("the replaced library was not kept: %v", err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int64
	s.db.Model(&Activity{}).Count(&n)
	if n != 1 {
		t.Fatalf("restored library holds %d activities", n)
	}
}

func TestLockLibraryOneWriter(t *testing.T) {
	dir := t.TempDir()
	first, err := LockLibrary(context.Background(), dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = LockLibrary(context.Background(), dir, 300*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), "FitBridge is already running (pid ") {
		t.Fatalf("second writer: %v", err)
	}
	if time.Since(start) < 300*time.Millisecond {
		t.Fatal("the second writer did not wait")
	}
	// The lock comes free while the second waits: it gets it.
	go func() { time.Sleep(200 * time.Millisecond); _ = first.Release() }()
	second, err := LockLibrary(context.Background(), dir, 5*time.Second)
	if err != nil {
		t.Fatalf("after the first let go: %v", err)
	}
	_ = second.Release()
}

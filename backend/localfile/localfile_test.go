//go:build unix

package localfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ride.fit")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "ok.fit")
	if err := os.WriteFile(regular, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	linkToZero := filepath.Join(dir, "zero.fit")
	if err := os.Symlink("/dev/zero", linkToZero); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, kind string
	}{
		{"fifo without a writer", fifo, "a pipe (FIFO)"},
		{"device", "/dev/zero", "a device"},
		{"link to a device", linkToZero, "a device"},
		{"folder", dir, "a folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := ReadFile(c.path, MaxActivity); done <- err }()
			select {
			case err := <-done:
				var nr *NotRegularError
				if !errors.As(err, &nr) || nr.Kind != c.kind {
					t.Fatalf("ReadFile(%s) = %v, want NotRegularError %q", c.path, err, c.kind)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("ReadFile(%s) blocked", c.path)
			}
		})
	}
	if b, err := ReadFile(regular, MaxActivity); err != nil || string(b) != "data" {
		t.Fatalf("regular file: %q, %v", b, err)
	}
}

func TestBudgets(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.tcx")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(big, 1024); !errors.As(err, &tl) || tl.Unpacked {
		t.Fatalf("file over budget: %v", err)
	}
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 10<<20))
	_ = zw.Close()
	if _, err := Gunzip(bytes.NewReader(bomb.Bytes()), 1<<20); !errors.As(err, &tl) || !tl.Unpacked {
		t.Fatalf("bomb: %v", err)
	}
	out, err := Gunzip(bytes.NewReader(bomb.Bytes()), 10<<20)
	if err != nil || len(out) != 10<<20 {
		t.Fatalf("within budget: %d bytes, %v", len(out), err)
	}
}

func TestFilesReportsWhatItLeavesOut(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "a.fit"), []byte("a"), 0o600))
	must(os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	must(os.WriteFile(filepath.Join(dir, "sub", "b.fit"), []byte("b"), 0o600))
	must(os.WriteFile(filepath.Join(dir, ".hidden.fit"), []byte("h"), 0o600))
	must(os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "linked")))
	must(os.Symlink(filepath.Join(dir, "a.fit"), filepath.Join(dir, "alias.fit")))
	must(syscall.Mkfifo(filepath.Join(dir, "pipe.fit"), 0o600))
	locked := filepath.Join(dir, "locked")
	must(os.MkdirAll(locked, 0o700))
	must(os.WriteFile(filepath.Join(locked, "c.fit"), []byte("c"), 0o600))
	must(os.Chmod(locked, 0))
	t.Cleanup(func() { _ = os.Chmod(locked, 0o700) })

	files, skipped, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.fit"), filepath.Join(dir, "alias.fit"), filepath.Join(dir, "sub", "b.fit")}
	if os.Geteuid() == 0 { // root reads any folder
		want = []string{want[0], want[1], filepath.Join(locked, "c.fit"), want[2]}
	}
	if len(files) != len(want) {
		t.Fatalf("files = %v, want %v", files, want)
	}
	for i := range want {
		if files[i] != want[i] {
			t.Fatalf("files = %v, want %v", files, want)
		}
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[filepath.Base(s.Path)] = s.Reason
	}
	for _, name := range []string{"linked", "pipe.fit"} {
		if reasons[name] == "" {
			t.Errorf("%s not reported; skipped = %v", name, skipped)
		}
	}
	if os.Geteuid() != 0 && reasons["locked"] == "" {
		t.Errorf("unreadable folder not reported; skipped = %v", skipped)
	}
}

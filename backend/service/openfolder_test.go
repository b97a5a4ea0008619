package service

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// "Open folder" hands the logs folder, and only it, to the desktop's opener;
// without one the rider still learns where the folder is.
func TestOpenLogsFolder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the stand-in opener is a shell script named xdg-open")
	}
	svc := newImportService(t)
	logs := filepath.Join(svc.Home, "logs")

	bin := t.TempDir()
	seen := filepath.Join(t.TempDir(), "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + seen + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if err := svc.OpenLogsFolder(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for i := 0; i < 50; i++ {
		if got, _ = os.ReadFile(seen); len(got) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if string(got) != logs {
		t.Fatalf("the opener got %q, want %q", got, logs)
	}

	t.Setenv("PATH", t.TempDir())
	err := svc.OpenLogsFolder(context.Background())
	if err == nil || !strings.Contains(err.Error(), logs) {
		t.Fatalf("without an opener: %v, want an error naming %s", err, logs)
	}
}

package service

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// OpenLogsFolder shows the folder the diagnostics reports and logs are kept
// in, in the computer's file manager, so the rider can attach a report. It
// opens only that folder, never a path the window names.
func (s *Service) OpenLogsFolder(ctx context.Context) error {
	dir := filepath.Join(s.Home, "logs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make the logs folder %s: %w", dir, err)
	}
	var name string
	switch runtime.GOOS {
	case "windows":
		name = "explorer"
	case "darwin":
		name = "open"
	default:
		name = "xdg-open"
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Not tied to ctx: the file manager outlives this call.
	cmd := exec.Command(name, dir)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: no file manager answered (%v); the folder is %s", dir, err, dir)
	}
	// The file manager stays open; only its starter is waited for.
	go func() { _ = cmd.Wait() }()
	return nil
}

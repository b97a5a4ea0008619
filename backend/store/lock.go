package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockFile is the file in the data folder whose lock says a FitBridge is
// writing this library; it holds that process's id.
const LockFile = "fitbridge.lock"

// setupLockFile serialises opening the database (creating it and bringing
// its tables up to date) between processes starting at the same moment.
const setupLockFile = "fitbridge.setup.lock"

// LockedError means another FitBridge is writing this library.
type LockedError struct {
	PID int // 0 when it could not be read
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("FitBridge is already running (pid %d): close it, or wait for it to finish, then try again", e.PID)
	}
	return "FitBridge is already running: close it, or wait for it to finish, then try again"
}

// Lock is held by the one process allowed to write a library: the window,
// `serve`, a backfill, an import... The operating system drops it when the
// process ends, however it ends, so a crash never leaves the library locked.
type Lock struct {
	f *os.File
}

// LockLibrary takes the writer's lock on the data folder dir, waiting up to
// wait for another writer to finish. When the wait runs out it returns a
// *LockedError naming the other process.
func LockLibrary(ctx context.Context, dir string, wait time.Duration) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := lockWithin(ctx, path, wait)
	if err != nil {
		if errors.Is(err, errBusy) {
			return nil, &LockedError{PID: readPID(path)}
		}
		return nil, fmt.Errorf("lock the library %s: %w", dir, err)
	}
	// The pid is for the message another process shows; the lock itself is
	// what counts.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release lets another writer in. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

var errBusy = errors.New("locked by another process")

// lockWithin tries the lock until it is free or wait has passed.
func lockWithin(ctx context.Context, path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := tryLock(f)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, errBusy) || !time.Now().Before(deadline) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, errBusy
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

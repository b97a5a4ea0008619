// Package service is everything a rider can do, shared by the desktop
// window, the browser mode and the command line. Nothing here knows which
// of them is asking.
package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
	"fitbridge/backend/secrets"
	"fitbridge/backend/store"
)

// Version is stamped at build time from the git tag (scripts/version.sh,
// through -ldflags -X). An unstamped build sorts before every release.
var Version = "0.0.0-dev"

// Options configure a Service.
type Options struct {
	// Home is the data folder; empty means FITBRIDGE_HOME or the OS default.
	Home string
	// Secrets overrides the OS keyring (demo mode uses a memory store).
	Secrets secrets.Store
	// Getenv reads the environment (tests pass their own).
	Getenv func(string) string
	// LogTo receives the log as well as the log file (nil: file only).
	LogTo io.Writer
	// Demo marks a run against the built-in sample services.
	Demo bool
	// Writer takes the library's lock for as long as the service is open:
	// the window, `serve` and every command that changes the library. Only
	// one writer runs at a time; another gets a *store.LockedError after
	// LockWait (5 s when zero). Read-only commands leave it false.
	Writer   bool
	LockWait time.Duration
}

// Service is one open library with its accounts.
type Service struct {
	Home     string
	Store    *store.Store
	Cache    *store.Cache
	Secrets  secrets.Store
	Redactor *secrets.Redactor
	Log      *slog.Logger
	Events   *events.Fanout
	Demo     bool

	getenv  func(string) string
	logFile *os.File
	lock    *store.Lock
	// backupStop ends the daily backup of a writer left running for days.
	backupStop chan struct{}
	backupDone chan struct{}
	closeOnce  sync.Once
	closeErr   error
	keyErr     error

	// runLock keeps the window's backfill and continuous sync from running
	// over the same activities at once.
	runLock sync.Mutex
	// previewMu: one preview at a time, so two counts never list the same
	// source side by side (the rider changing the dates while counting).
	previewMu sync.Mutex

	mu      sync.Mutex
	onClose []func()
	run     *runState
	notices []Notice

	// intervalsLim is the one token bucket of every Intervals.icu client:
	// the service limits requests per IP, not per client.
	// startMu makes "one run at a time" one step: see runState.
	startMu          sync.Mutex
	intervalsLimOnce sync.Once
	intervalsLim     *rate.Limiter
}

// runState is the window's backfill. startMu (in Service) is held from the
// check that none is going to the new one being recorded, so two quick
// starts cannot both begin one.
type runState struct {
	engine *backfill.Engine
	cancel context.CancelFunc
	done   chan struct{}
	result backfill.Result
	err    error
}

// DefaultHome is FITBRIDGE_HOME, else the OS's per-user config folder + FitBridge.
func DefaultHome(getenv func(string) string) (string, error) {
	if h := getenv("FITBRIDGE_HOME"); h != "" {
		return h, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find a folder for FitBridge's data (set FITBRIDGE_HOME): %w", err)
	}
	return filepath.Join(dir, "FitBridge"), nil
}

// Open opens the library in the data folder.
func Open(opts Options) (*Service, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	home := opts.Home
	if home == "" {
		var err error
		if home, err = DefaultHome(getenv); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(home, "logs"), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", home, err)
	}
	var lock *store.Lock
	if opts.Writer {
		wait := opts.LockWait
		if wait <= 0 {
			wait = 5 * time.Second
		}
		var err error
		if lock, err = store.LockLibrary(context.Background(), home, wait); err != nil {
			return nil, err
		}
	}
	_, statErr := os.Stat(filepath.Join(home, store.DBFile))
	existed := statErr == nil
	st, err := store.Open(home)
	if err != nil {
		_ = lock.Release()
		return nil, err
	}
	// Folders and files made by an older version, or by hand, may be open
	// to other users of the computer: they hold the rider's history.
	if opts.Writer {
		makePrivate(home)
	}
	if opts.Writer && existed {
		// A daily copy, seven kept: a library damaged later can be brought back.
		if _, err := st.BackupIfDue(time.Now(), 24*time.Hour); err != nil {
			slog.Default().Warn("library backup failed", "err", err)
		}
	}
	red := secrets.NewRedactor()
	lf, err := os.OpenFile(filepath.Join(home, "logs", "fitbridge.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		st.Close()
		_ = lock.Release()
		return nil, fmt.Errorf("open log file: %w", err)
	}
	var w io.Writer = lf
	if opts.LogTo != nil {
		w = io.MultiWriter(lf, opts.LogTo)
	}
	level := slog.LevelInfo
	if getenv("FITBRIDGE_DEBUG") == "1" {
		level = slog.LevelDebug
	}
	log := secrets.NewLogger(w, level, red)
	// Platform clients log through slog's default: send it through the same
	// redacting logger, into the log file, never to the rider's terminal.
	slog.SetDefault(log)

	sec := opts.Secrets
	var keyErr error
	if sec == nil {
		kr := secrets.NewKeyring()
		// A data folder of its own (FITBRIDGE_HOME) is a FitBridge of its own:
		// its keys must not mix with the default folder's.
		if def, err := DefaultHome(func(string) string { return "" }); err != nil || filepath.Clean(def) != filepath.Clean(home) {
			kr.Service = secrets.ServiceName + " " + shortHash(home)
		}
		keyErr = kr.Probe()
		sec = kr
	}
	s := &Service{
		Home: home, Store: st, Cache: store.NewCache(home),
		Secrets: secrets.Redacting(sec, red), Redactor: red, Log: log,
		Events: &events.Fanout{}, Demo: opts.Demo,
		getenv: getenv, logFile: lf, keyErr: keyErr, lock: lock,
	}
	if opts.Writer {
		s.backupStop, s.backupDone = make(chan struct{}), make(chan struct{})
		go s.backupDaily(time.Hour)
	}
	return s, nil
}

// OnClose runs f after the library closes (the demo stops its services).
func (s *Service) OnClose(f func()) {
	s.mu.Lock()
	s.onClose = append(s.onClose, f)
	s.mu.Unlock()
}

// Close stops a running backfill and closes the library. Closing twice is harmless.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		if s.backupStop != nil {
			close(s.backupStop)
			<-s.backupDone
		}
		s.CancelBackfill()
		s.waitRun(10 * time.Second)
		s.closeErr = s.Store.Close()
		if err := s.lock.Release(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
		if s.logFile != nil {
			s.logFile.Close()
		}
		s.mu.Lock()
		fs := s.onClose
		s.onClose = nil
		s.mu.Unlock()
		for _, f := range fs {
			f()
		}
	})
	return s.closeErr
}

// makePrivate makes the data folder this user's only, whatever an older
// version or a copy by hand left: folders 0700, files 0600. It only changes
// what differs, so a library already private costs a walk of its folders.
func makePrivate(home string) {
	_ = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else if !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Mode().Perm() != want {
			_ = os.Chmod(p, want)
		}
		return nil
	})
}

// backupDaily keeps the daily backup going while the window or `serve` stays
// open for days: it looks every so often whether one is due.
func (s *Service) backupDaily(every time.Duration) {
	defer close(s.backupDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.backupStop:
			return
		case now := <-t.C:
			if p, err := s.Store.BackupIfDue(now, 24*time.Hour); err != nil {
				s.Log.Warn("library backup failed", "err", err)
			} else if p != "" {
				s.Log.Info("library backed up", "file", filepath.Base(p))
			}
		}
	}
}

// LibraryID names a data folder in a few characters (the window's
// single-instance lock is one per library).
func LibraryID(home string) string { return shortHash(home) }

func shortHash(s string) string {
	abs, err := filepath.Abs(s)
	if err == nil {
		s = abs
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// KeyringError is why the OS keyring cannot be used (nil when it works).
func (s *Service) KeyringError() error { return s.keyErr }

// secret reads an account's secret, turning keyring trouble into words.
func (s *Service) secret(account string) (string, error) {
	v, err := s.Secrets.Get(account)
	if err != nil {
		if errors.Is(err, secrets.ErrNotFound) {
			return "", fmt.Errorf("no key stored for %s: %w", account, ErrNotConnected)
		}
		return "", err
	}
	return v, nil
}

// ErrNotConnected means an account has not been connected yet.
var ErrNotConnected = errors.New("not connected")

func (s *Service) env(name string) string { return s.getenv(name) }

// Notify records a message from continuous sync and shows it in the window.
func (s *Service) Notify(msg string) { s.notify(Notice{Message: msg}) }

func (s *Service) notify(n Notice) {
	n.At = time.Now().UTC().Format(time.RFC3339)
	s.mu.Lock()
	s.notices = append(s.notices, n)
	if len(s.notices) > 50 {
		s.notices = s.notices[len(s.notices)-50:]
	}
	s.mu.Unlock()
	s.Log.Info(n.Message, "run", n.RunID)
	s.Events.Emit(events.Notice, n)
}

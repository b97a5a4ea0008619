package folder

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultRescan is how often the watcher lists its folders in full, because
// fsnotify misses changes on OneDrive, iCloud and network folders.
var DefaultRescan = 30 * time.Second

// retryLocked is the wait before reading again a file that could not be
// opened (Zwift may still hold it on Windows).
const retryLocked = time.Second

// WatchOptions tune a Watcher. Zero values take the defaults.
type WatchOptions struct {
	Settle time.Duration // how long a file must be still (DefaultSettle)
	Rescan time.Duration // full listing period (DefaultRescan)
	Rules  Rules         // which files count (ZwiftRules)
	Logger *slog.Logger  // slog.Default()
}

// Watcher reports each file of some folders once, the first time it is
// finished. It remembers files by path, size and modification time, in
// memory only: the engine's ledger, keyed by content, is the durable record.
type Watcher struct {
	dirs    []string
	opts    WatchOptions
	log     *slog.Logger
	in      *inspector
	running atomic.Bool
}

// NewWatcher prepares a watcher of dirs (not their subfolders). Folders that
// do not exist yet are picked up by a later rescan once they appear.
func NewWatcher(dirs []string, opts WatchOptions) *Watcher {
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.Rescan <= 0 {
		opts.Rescan = DefaultRescan
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	clean := make([]string, 0, len(dirs))
	for _, d := range dirs {
		clean = append(clean, filepath.Clean(d))
	}
	return &Watcher{dirs: clean, opts: opts, log: opts.Logger, in: newInspector(opts.Rules, opts.Settle)}
}

// ErrRunning is returned by Run when the watcher already runs.
var ErrRunning = errors.New("watcher already running")

// seenFile is what the watcher remembers about one path.
type seenFile struct {
	size  int64
	mtime time.Time
	state State
	due   time.Time // when to look again (Settling only)
}

// Run watches until ctx is done, calling found (from Run's goroutine, one call
// at a time) for each file the first time it is settled: finished, or damaged
// for good. Everything it opened
// is closed before it returns; it returns nil after ctx is done.
func (w *Watcher) Run(ctx context.Context, found func(path string)) error {
	if !w.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer w.running.Store(false)
	if found == nil {
		found = func(string) {}
	}

	r := &run{w: w, found: found, files: map[string]*seenFile{}}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		// Out of inotify watches and the like: rescans still find every file.
		w.log.Warn("file notifications unavailable; relying on rescans", "err", err)
	} else {
		r.fw = fw
		defer fw.Close() // waits for fsnotify's reader to finish
	}

	rescan := time.NewTicker(w.opts.Rescan)
	defer rescan.Stop()
	wake := time.NewTimer(time.Hour)
	defer wake.Stop()

	r.rescan() // files already there at start-up
	for {
		r.schedule(wake)
		var events <-chan fsnotify.Event
		var errs <-chan error
		if r.fw != nil {
			events, errs = r.fw.Events, r.fw.Errors
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				r.fw = nil
				continue
			}
			r.event(ev)
		case err, ok := <-errs:
			if !ok {
				r.fw = nil
				continue
			}
			// An overflow means events were lost: list everything again.
			w.log.Warn("file notifications failed; rescanning", "err", err)
			r.rescan()
		case <-rescan.C:
			r.rescan()
		case <-wake.C:
			r.checkDue()
		}
	}
}

type run struct {
	w       *Watcher
	found   func(string)
	fw      *fsnotify.Watcher
	files   map[string]*seenFile
	watched map[string]bool
}

func (r *run) watchDirs() {
	if r.fw == nil {
		return
	}
	if r.watched == nil {
		r.watched = map[string]bool{}
	}
	for _, d := range r.w.dirs {
		if r.watched[d] {
			continue
		}
		if err := r.fw.Add(d); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				r.w.log.Debug("cannot watch folder; relying on rescans", "dir", d, "err", err)
			}
			continue
		}
		r.watched[d] = true
	}
}

func (r *run) rescan() {
	r.watchDirs()
	present := map[string]bool{}
	for _, d := range r.w.dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			if r.watched != nil && r.watched[d] {
				delete(r.watched, d) // gone (unplugged); watched again when it returns
				if r.fw != nil {
					_ = r.fw.Remove(d)
				}
			}
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			p := filepath.Join(d, e.Name())
			present[p] = true
			r.observe(p)
		}
	}
	for p := range r.files {
		if !present[p] {
			r.forget(p)
		}
	}
}

func (r *run) event(ev fsnotify.Event) {
	p := filepath.Clean(ev.Name)
	if r.watched[p] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		delete(r.watched, p) // the folder itself went away
		return
	}
	if !r.inDirs(p) {
		return
	}
	r.observe(p)
}

func (r *run) inDirs(p string) bool {
	dir := filepath.Dir(p)
	for _, d := range r.w.dirs {
		if d == dir {
			return true
		}
	}
	return false
}

func (r *run) forget(p string) {
	delete(r.files, p)
	r.w.in.forget(p)
}

// observe looks at a path after an event or during a rescan.
func (r *run) observe(p string) {
	if nameVerdict(filepath.Base(p), r.w.opts.Rules) != "" {
		return
	}
	info, err := os.Stat(p)
	if err != nil {
		r.forget(p)
		return
	}
	if !info.Mode().IsRegular() {
		return
	}
	f := r.files[p]
	if f != nil && f.size == info.Size() && f.mtime.Equal(info.ModTime()) && f.state != Settling {
		return // already decided for exactly this version of the file
	}
	if f == nil || f.size != info.Size() || !f.mtime.Equal(info.ModTime()) {
		f = &seenFile{size: info.Size(), mtime: info.ModTime(), state: Settling}
		r.files[p] = f
	}
	r.decide(p, f, info)
}

func (r *run) decide(p string, f *seenFile, info fs.FileInfo) {
	now := r.w.in.now()
	st, err := r.w.in.inspect(p, info)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.forget(p)
		return
	case err != nil:
		r.w.log.Debug("cannot read file yet", "path", p, "err", err)
		f.state, f.due = Settling, now.Add(retryLocked)
		return
	}
	f.state = st.State
	switch st.State {
	case Settling:
		f.due = f.mtime.Add(r.w.opts.Settle)
		if !f.due.After(now) { // changed while being read, or a clock ahead of ours
			f.due = now.Add(min(r.w.opts.Settle, retryLocked))
		}
	case Finished:
		r.found(p)
	case Corrupt:
		// Reported all the same, once per version: a head unit whose battery
		// died leaves its ride cut off for good, and the engine uploads a
		// repaired copy (or records why it cannot).
		r.w.log.Warn("activity file is damaged", "path", p, "reason", st.Reason)
		r.found(p)
	}
}

// schedule sets the timer for the next file due to be looked at again.
func (r *run) schedule(t *time.Timer) {
	var next time.Time
	for _, f := range r.files {
		if f.state == Settling && (next.IsZero() || f.due.Before(next)) {
			next = f.due
		}
	}
	if next.IsZero() {
		t.Stop()
		return
	}
	t.Reset(max(time.Until(next), 0))
}

func (r *run) checkDue() {
	now := time.Now()
	for p, f := range r.files {
		if f.state == Settling && !f.due.After(now) {
			r.observe(p)
		}
	}
}

package folder

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/localfile"
)

// Rules says which files of a folder can be activities.
type Rules int

const (
	// ZwiftRules: *.fit (any case) over 1 KiB, never inProgressActivity.fit.
	ZwiftRules Rules = iota
	// DeviceRules: FIT, TCX, GPX, zip or gzip recognised by content, whatever
	// the name (head units and exports name files in many ways).
	DeviceRules
)

// DefaultSettle is how long a file's size and modification time must stay
// still before it counts as finished (the 120 s other Zwift uploaders use).
// The watcher and the sources use it when no settle period is given.
var DefaultSettle = 2 * time.Minute

// stubMax: Zwift leaves ~584-byte date-stamped stubs next to real rides.
const stubMax = 1024

const inProgressName = "inprogressactivity.fit"

// State is what a file in a watched folder is, as far as syncing goes.
type State string

const (
	Finished State = "finished" // settled and whole: ready to sync
	Settling State = "settling" // changed too recently; looked at again later
	Ignored  State = "ignored"  // never an activity (wrong kind of file, stub, live recording)
	Corrupt  State = "corrupt"  // settled but not a whole file; looked at again only when it changes
)

// FileStatus is one file of a folder and what FitBridge makes of it.
type FileStatus struct {
	Path    string
	Size    int64
	ModTime time.Time
	State   State
	// Reason explains Ignored, Settling and Corrupt in words a rider understands.
	Reason string
	// RemoteID is the first 16 hex digits of the SHA-256 of the bytes (Finished only).
	RemoteID string
	// Format is "fit", "tcx" or "gpx"; Wrapping "", "gzip" or "zip".
	Format, Wrapping string
	// Start is the recording's start when the file tells it cheaply (zero otherwise).
	Start time.Time
}

// RemoteID is the activity id of a file's bytes: the first 16 hex digits of
// their SHA-256. Names are not unique (two computers, two folders), bytes are.
func RemoteID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// nameVerdict applies the rules that need only the name; "" means "look closer".
func nameVerdict(name string, rules Rules) string {
	lower := strings.ToLower(name)
	switch {
	case lower == inProgressName:
		return "Zwift's live recording (inProgressActivity.fit) is never synced on its own"
	case strings.HasPrefix(name, "."):
		// Hidden files include macOS "._name.fit" metadata twins on USB volumes.
		return "hidden file"
	case rules == ZwiftRules && filepath.Ext(lower) != ".fit":
		return "not a .fit file"
	}
	return ""
}

// settled reports whether a file last modified at mtime has been still for
// settle. A modification time far in the future (a head unit with a wrong
// clock or time zone) cannot be waited out; the content checks decide then.
func settled(mtime, now time.Time, settle time.Duration) bool {
	age := now.Sub(mtime)
	return age >= settle || -age > settle
}

// inspector looks at files under one set of rules.
type inspector struct {
	rules  Rules
	settle time.Duration
	now    func() time.Time
	cache  *verdicts
}

// verdicts remembers what settled files were, by path, size and modification
// time, so later listings and watchers in this process do not read unchanged
// files again (a big Zwift folder, or cloud placeholders that download on read).
type verdicts struct {
	mu sync.Mutex
	m  map[verdictKey]FileStatus
}

type verdictKey struct {
	rules Rules
	path  string
}

var sharedVerdicts = &verdicts{m: map[verdictKey]FileStatus{}}

func newInspector(rules Rules, settle time.Duration) *inspector {
	if settle <= 0 {
		settle = DefaultSettle
	}
	return &inspector{rules: rules, settle: settle, now: time.Now, cache: sharedVerdicts}
}

func (in *inspector) remembered(p string) (FileStatus, bool) {
	in.cache.mu.Lock()
	defer in.cache.mu.Unlock()
	st, ok := in.cache.m[verdictKey{in.rules, p}]
	return st, ok
}

func (in *inspector) remember(st FileStatus) {
	in.cache.mu.Lock()
	in.cache.m[verdictKey{in.rules, st.Path}] = st
	in.cache.mu.Unlock()
}

// inspect classifies one file. info may be nil; it is then read from disk.
// An error means the file could not be looked at right now (gone, locked).
func (in *inspector) inspect(p string, info fs.FileInfo) (FileStatus, error) {
	st := FileStatus{Path: p}
	if why := nameVerdict(filepath.Base(p), in.rules); why != "" {
		st.State, st.Reason = Ignored, why
		return st, nil
	}
	if info == nil {
		var err error
		if info, err = os.Stat(p); err != nil {
			return st, err
		}
	}
	if !info.Mode().IsRegular() {
		st.State, st.Reason = Ignored, "not a regular file"
		return st, nil
	}
	st.Size, st.ModTime = info.Size(), info.ModTime()
	if in.rules == ZwiftRules && st.Size <= stubMax {
		st.State, st.Reason = Ignored, fmt.Sprintf("stub of %d bytes", st.Size)
		return st, nil
	}
	if !settled(st.ModTime, in.now(), in.settle) {
		st.State, st.Reason = Settling, "changed less than "+in.settle.String()+" ago"
		return st, nil
	}
	if prev, ok := in.remembered(p); ok && prev.Size == st.Size && prev.ModTime.Equal(st.ModTime) {
		return prev, nil
	}
	// Only a regular file, opened without blocking, within the activity
	// budget: a pipe or device swapped in after the listing is never read.
	data, err := localfile.ReadFile(p, localfile.MaxActivity)
	var nr *localfile.NotRegularError
	var tl *localfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		st.State, st.Reason = Ignored, "not a regular file"
		return st, nil
	case errors.As(err, &tl):
		st.State, st.Reason = Ignored, tl.Error()
		return st, nil
	case err != nil:
		return st, err
	}
	if int64(len(data)) != st.Size {
		// It changed between stat and read: still being written.
		st.State, st.Reason = Settling, "changed while being read"
		return st, nil
	}
	in.classify(&st, data)
	in.remember(st)
	return st, nil
}

// classify decides Finished, Corrupt or Ignored from a settled file's bytes.
func (in *inspector) classify(st *FileStatus, data []byte) {
	var err error
	if in.rules == ZwiftRules {
		st.Format = formatFIT
		err = checkFIT(data)
	} else {
		st.Format, st.Wrapping, err = activityContent(data)
		if errors.Is(err, errUnknownContent) {
			st.State, st.Reason = Ignored, "not an activity file (FIT, TCX, GPX, zip or gz)"
			return
		}
	}
	st.RemoteID = RemoteID(data)
	if err != nil {
		st.State, st.Reason = Corrupt, err.Error()
		return
	}
	st.State = Finished
	st.Start = startHint(data, st.Format, st.Wrapping)
}

// startHint reads the start a file announces near its beginning, only to pick
// date windows; zero when it is not cheap to tell.
func startHint(data []byte, format, wrapping string) time.Time {
	switch wrapping {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return time.Time{}
		}
		head, _ := io.ReadAll(io.LimitReader(zr, 64<<10))
		data = head
	case "zip":
		return time.Time{}
	}
	switch format {
	case formatFIT:
		h, _ := walkFIT(data, true)
		return h.Start()
	case formatTCX, formatGPX:
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		re := tcxTime
		if format == formatGPX {
			re = gpxTime
		}
		if m := re.FindSubmatch(data); m != nil {
			if t, err := time.Parse(time.RFC3339, string(bytes.TrimSpace(m[1]))); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

var (
	// TCX: the activity's <Id> is its start time.
	tcxTime = regexp.MustCompile(`<(?:\w+:)?Id>([^<]+)</`)
	// GPX: the first <time> (metadata or first track point).
	gpxTime = regexp.MustCompile(`<(?:\w+:)?time>([^<]+)</`)
)

// prune drops remembered files that a scan of their folder no longer saw.
func (in *inspector) prune(seen map[string]bool) {
	in.cache.mu.Lock()
	defer in.cache.mu.Unlock()
	for k := range in.cache.m {
		if k.rules == in.rules && seen[filepath.Dir(k.path)] && !seen[k.path] {
			delete(in.cache.m, k)
		}
	}
}

func (in *inspector) forget(p string) {
	in.cache.mu.Lock()
	delete(in.cache.m, verdictKey{in.rules, p})
	in.cache.mu.Unlock()
}

// Scan classifies every file directly inside dirs (folders are not entered).
// A folder that does not exist gives an error wrapping fs.ErrNotExist; the
// other folders are still scanned.
func Scan(ctx context.Context, dirs []string, rules Rules, settle time.Duration) ([]FileStatus, error) {
	return newInspector(rules, settle).scan(ctx, dirs)
}

func (in *inspector) scan(ctx context.Context, dirs []string) ([]FileStatus, error) {
	var out []FileStatus
	var errs []error
	seen := map[string]bool{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, folderError(dir, err))
			continue
		}
		seen[filepath.Clean(dir)] = true
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			if e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			info, err := e.Info()
			if err != nil {
				continue // removed since the listing
			}
			st, err := in.inspect(p, info)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				// Locked (Zwift still holds it on Windows) or unreadable: try later.
				st.State, st.Reason = Settling, "cannot be read yet: "+err.Error()
			}
			out = append(out, st)
			seen[p] = true
		}
	}
	in.prune(seen)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, errors.Join(errs...)
}

// folderError words a folder that cannot be read so the rider knows what to do.
func folderError(dir string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The raw error repeats the path; keep only its meaning.
		return fmt.Errorf("folder %s not found: plug the device in, or choose the folder again if it moved (%w)", dir, fs.ErrNotExist)
	case errors.Is(err, fs.ErrPermission):
		// macOS asks the rider before an app may read Documents or a USB volume.
		return fmt.Errorf("no permission to read %s: allow FitBridge under System Settings > Privacy & Security > Files and Folders (or Full Disk Access) on a Mac, or check the folder's permissions: %w", dir, err)
	}
	return fmt.Errorf("read folder %s: %w", dir, err)
}

// Package folder reads activities from folders on this computer: Zwift's
// Activities folder and head units (Garmin, Bryton, Lezyne, iGPSport...)
// mounted as USB storage, or any folder of activity files.
//
// A file is synced only once it is finished: its size and modification time
// have been still for a settle period and its content is whole (FIT header,
// size and CRC; TCX/GPX closing tag; a readable zip or gzip). Activities are
// keyed by content (RemoteID), so the same ride under two names or in two
// folders is one activity.
package folder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/localfile"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

// Settings keys of a folder account.
const (
	// SettingFolder holds the folders, separated by the OS list separator.
	// Empty for Zwift means "the folders found on this computer".
	SettingFolder = source.SettingFolder
	// SettingName is the rider's name for a folder, shown in the window.
	SettingName = "name"
	// SettingSettle is the settle period as a Go duration ("2m", "90s").
	SettingSettle = "settle"
)

func init() {
	source.Register(source.Descriptor{
		Name:        "zwift",
		DisplayName: "Zwift",
		Kind:        source.KindFolder,
		Description: "Rides Zwift saved on this computer, read from its Activities folder.",
		Limits:      localLimits,
		Color:       "#d55e00",
		Settings: []source.Setting{{
			Key: source.SettingFolder, Label: "Folder", Folder: true,
			Help: "the folder to watch (default: the OS's Zwift Activities folder(s))",
		}},
		Diagnose:    diagnoseZwift,
		New:         func(cfg source.Config) (source.Source, error) { return newSource("zwift", cfg) },
		Validate:    func(_ context.Context, cfg source.Config) error { return validate("zwift", cfg) },
		AlsoKnownAs: func(remoteID string) []string { return []string{"zwift_" + remoteID} },
		FindFolders: ZwiftFolders,
		Watch:       watchFeature("zwift"),
		Unfinished:  unfinished,
		Recover:     recoverRide,
		// Planned workouts go into Zwift's custom workouts beside Activities.
		PlannedWorkouts: newZwiftWorkouts,
	})
	source.Register(source.Descriptor{
		Name:        "folder",
		DisplayName: "Device or other folder",
		Kind:        source.KindFolder,
		Description: "FIT, TCX or GPX files in a folder: a bike computer plugged in over USB, or files you exported.",
		Limits:      localLimits,
		Color:       "#8e5fa8",
		Settings: []source.Setting{
			{Key: source.SettingFolder, Label: "Folder", Folder: true, Required: true, Help: "the folder to watch"},
			{Key: SettingName, Label: "Name", Help: "a name for this folder (shown in the window)"},
		},
		Diagnose:    diagnoseDevices,
		New:         func(cfg source.Config) (source.Source, error) { return newSource("folder", cfg) },
		Validate:    func(_ context.Context, cfg source.Config) error { return validate("folder", cfg) },
		FindFolders: deviceFolders,
		Watch:       watchFeature("folder"),
	})
}

// watchFeature lets continuous sync hear about a settled file at once
// instead of waiting for its next poll.
func watchFeature(name string) func(ctx context.Context, cfg source.Config, changed func()) error {
	return func(ctx context.Context, cfg source.Config, changed func()) error {
		dirs, err := configuredDirs(name, cfg)
		if err != nil {
			return err
		}
		settle, err := settleSetting(cfg.Settings)
		if err != nil {
			return err
		}
		rules := DeviceRules
		if name == "zwift" {
			rules = ZwiftRules
		}
		w := NewWatcher(dirs, WatchOptions{Settle: settle, Rules: rules})
		return w.Run(ctx, func(string) { changed() })
	}
}

// deviceFolders lists activity folders of head units mounted right now.
func deviceFolders() []string {
	var out []string
	for _, root := range MountRoots() {
		for _, d := range DetectDeviceFolders(root) {
			out = append(out, d.Path)
		}
	}
	return out
}

// localLimits: reading local files needs no rate limit; a little parallelism
// helps on slow USB volumes without thrashing them.
var localLimits = source.Limits{PerSecond: 100, Burst: 100, Concurrency: 2}

// Source lists and reads the activity files of one or more folders.
type Source struct {
	name   string
	dirs   []string
	rules  Rules
	device string
	in     *inspector
	log    *slog.Logger
}

func newSource(name string, cfg source.Config) (*Source, error) {
	dirs, err := configuredDirs(name, cfg)
	if err != nil {
		return nil, err
	}
	settle, err := settleSetting(cfg.Settings)
	if err != nil {
		return nil, err
	}
	s := &Source{name: name, dirs: dirs, log: slog.Default().With("source", name)}
	if name == "zwift" {
		s.rules, s.device = ZwiftRules, "Zwift"
	} else {
		// The device name comes from each file (the engine reads file_id).
		s.rules = DeviceRules
	}
	s.in = newInspector(s.rules, settle)
	return s, nil
}

// Folders are the folders this source reads.
func (s *Source) Folders() []string { return append([]string(nil), s.dirs...) }

func configuredDirs(name string, cfg source.Config) ([]string, error) {
	dirs := hostSystem().splitList(cfg.Settings[SettingFolder])
	if len(dirs) > 0 || name != "zwift" {
		if len(dirs) == 0 {
			return nil, errors.New("no folder chosen: pick the folder that holds your activity files")
		}
		return dirs, nil
	}
	for _, c := range ZwiftCandidates() {
		// Logged so the first real runs tell where Zwift keeps rides on each OS.
		slog.Debug("zwift folder candidate", "path", c.Path, "exists", c.Exists, "why", c.Why)
	}
	dirs = ZwiftFolders()
	if len(dirs) == 0 {
		return nil, errors.New("no Zwift activity folder found on this computer: choose the folder in settings (Zwift keeps rides in Activities under its data folder)")
	}
	return dirs, nil
}

func settleSetting(settings map[string]string) (time.Duration, error) {
	v := strings.TrimSpace(settings[SettingSettle])
	if v == "" {
		return DefaultSettle, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("settle %q is not a duration like 2m or 90s", v)
	}
	return d, nil
}

func validate(name string, cfg source.Config) error {
	dirs, err := configuredDirs(name, cfg)
	if err != nil {
		return err
	}
	if _, err := settleSetting(cfg.Settings); err != nil {
		return err
	}
	var errs []error
	for _, d := range dirs {
		if _, err := os.ReadDir(d); err != nil {
			errs = append(errs, folderError(d, err))
			continue
		}
		return nil // one readable folder is enough; the others may be a device not plugged in
	}
	return errors.Join(errs...)
}

// List yields every finished activity file, newest first, each content once.
// Files still settling are left for a later listing; damaged ones are listed
// too, and the engine records them as unreadable with the reason.
func (s *Source) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	files, err := s.in.scan(ctx, s.dirs)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(files) == 0 && allMissing(err, s.dirs) {
			return err // the engine names the source
		}
		// Some folders are readable: list them and report the others.
		s.log.Warn("folder not readable", "err", err)
	}
	sort.SliceStable(files, func(i, j int) bool { return newer(files[i], files[j]) })
	seen := map[string]bool{}
	for _, f := range files {
		switch f.State {
		case Corrupt:
			// Listed all the same: the library then shows the damaged file with
			// its reason instead of the ride silently never arriving.
			s.log.Warn("activity file is corrupt", "path", f.Path, "reason", f.Reason)
		case Settling:
			s.log.Debug("activity file not finished yet", "path", f.Path, "reason", f.Reason)
			continue
		case Ignored:
			// Debug logs answer how often Zwift leaves stubs and its live buffer behind.
			s.log.Debug("file skipped", "path", f.Path, "size", f.Size, "reason", f.Reason)
			continue
		}
		// Is Zwift's file name the local start time? Logged beside the file's own start.
		s.log.Debug("activity file", "file", filepath.Base(f.Path), "start", f.Start, "mtime", f.ModTime)
		if seen[f.RemoteID] || !q.Contains(f.Start) {
			continue
		}
		seen[f.RemoteID] = true
		a := source.Activity{
			RemoteID:  f.RemoteID,
			Name:      filepath.Base(f.Path), // the file's own name: a folder has no other
			StartHint: f.Start,
			Device:    s.device,
			Extra: map[string]string{
				"path": f.Path,
				"size": strconv.FormatInt(f.Size, 10),
			},
		}
		if err := yield(a); err != nil {
			return err
		}
	}
	return nil
}

func newer(a, b FileStatus) bool {
	ta, tb := a.Start, b.Start
	if ta.IsZero() {
		ta = a.ModTime
	}
	if tb.IsZero() {
		tb = b.ModTime
	}
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Path < b.Path
}

// allMissing reports whether err says that no folder could be read at all.
func allMissing(err error, dirs []string) bool {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return len(joined.Unwrap()) >= len(dirs)
	}
	return true
}

// Download returns the file's bytes as they are on disk. A file that moved
// within its folder since the listing is found again by its content.
func (s *Source) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	p := a.Extra["path"]
	if p == "" {
		return nil, source.Skip("%s", reason.FolderNoPath.Text())
	}
	data, err := localfile.ReadFile(p, localfile.MaxActivity)
	var nr *localfile.NotRegularError
	var tl *localfile.TooLargeError
	switch {
	case errors.As(err, &nr), errors.As(err, &tl):
		return nil, source.Skip("%s", err.Error())
	case err == nil && (a.RemoteID == "" || RemoteID(data) == a.RemoteID):
		return data, nil
	case err == nil, errors.Is(err, fs.ErrNotExist):
		if data, ok := s.relocate(ctx, filepath.Dir(p), a); ok {
			return data, nil
		}
		if err == nil {
			return nil, source.Skip("%s", reason.FolderFileChanged.Text())
		}
		return nil, source.Skip("%s", reason.FolderFileGone.Text())
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("read %s: %w", p, folderError(filepath.Dir(p), err))
	default:
		// Locked (Windows) or a volume briefly gone: worth trying again.
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
}

// relocate looks in dir for a file with the activity's content (renamed since
// the listing), checking only files of the listed size.
func (s *Source) relocate(ctx context.Context, dir string, a source.Activity) ([]byte, bool) {
	size, err := strconv.ParseInt(a.Extra["size"], 10, 64)
	if err != nil || a.RemoteID == "" {
		return nil, false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return nil, false
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Size() != size {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && RemoteID(data) == a.RemoteID {
			return data, true
		}
	}
	return nil, false
}

// unfinished lists crashed recordings in the Zwift folders.
func unfinished(cfg source.Config) ([]source.Unfinished, error) {
	dirs, err := configuredDirs("zwift", cfg)
	if err != nil {
		return nil, err
	}
	var out []source.Unfinished
	for _, d := range dirs {
		orphans, err := OrphanedInProgress(d)
		if err != nil {
			continue // a folder that went away has nothing to recover
		}
		for _, o := range orphans {
			out = append(out, source.Unfinished{Path: o.Path, Start: o.Start, End: o.End, Records: o.Records})
		}
	}
	return out, nil
}

// recoverRide recovers the crashed recording at path into dest.
func recoverRide(cfg source.Config, path, dest string) (string, error) {
	dirs, err := configuredDirs("zwift", cfg)
	if err != nil {
		return "", err
	}
	for _, d := range dirs {
		orphans, err := OrphanedInProgress(d)
		if err != nil {
			continue
		}
		for _, o := range orphans {
			if o.Path == path {
				return Recover(o, dest)
			}
		}
	}
	return "", errors.New("that recording is no longer waiting to be recovered")
}

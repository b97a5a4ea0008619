package folder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OrphanQuiet is how long inProgressActivity.fit must be untouched before it
// counts as left behind by a crash rather than a ride still going on.
var OrphanQuiet = 10 * time.Minute

// Orphan is a recording Zwift never saved: inProgressActivity.fit whose start
// no finished file in its folder shares (Zwift crashed or was killed).
type Orphan struct {
	Path    string
	Size    int64
	ModTime time.Time
	// Start and End are the first and last record times (UTC).
	Start, End time.Time
	Records    int
}

// OrphanedInProgress looks in a Zwift folder for a recording worth offering
// as "Recover a crashed ride". It never uploads or changes anything: Zwift
// overwrites the file with the next ride, so the rider decides.
func OrphanedInProgress(dir string) ([]Orphan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, folderError(dir, err)
	}
	var live, finished []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		switch {
		case strings.ToLower(name) == inProgressName:
			live = append(live, name)
		case nameVerdict(name, ZwiftRules) == "":
			finished = append(finished, name)
		}
	}
	var out []Orphan
	now := time.Now()
	var starts map[int64][]string // read once, when needed
	for _, name := range live {
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || fi.Size() <= stubMax || now.Sub(fi.ModTime()) < OrphanQuiet {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return out, fmt.Errorf("read %s: %w", p, err)
		}
		h, err := walkFIT(data, false)
		if err != nil || h.Records == 0 || h.First.IsZero() {
			continue // nothing recorded worth recovering
		}
		if starts == nil {
			starts = finishedStarts(dir, finished)
		}
		if soundTwin(starts[h.First.Unix()]) {
			continue // Zwift saved this ride
		}
		out = append(out, Orphan{Path: p, Size: fi.Size(), ModTime: fi.ModTime(), Start: h.First, End: h.Last, Records: h.Records})
	}
	return out, nil
}

// finishedStarts maps the start second of each FIT file in dir to the files
// that start then. Only heads are read.
func finishedStarts(dir string, names []string) map[int64][]string {
	starts := map[int64][]string{}
	for _, name := range names {
		p := filepath.Join(dir, name)
		if h, ok := readFITHead(p); ok && !h.First.IsZero() {
			starts[h.First.Unix()] = append(starts[h.First.Unix()], p)
		}
	}
	return starts
}

// soundTwin reports whether one of paths is a whole FIT file. A dated file
// cut off by the crash does not count as saved.
func soundTwin(paths []string) bool {
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && checkFIT(data) == nil {
			return true
		}
	}
	return false
}

// Recover writes the orphaned recording, sealed into a valid FIT file (its
// whole messages, corrected size and checksums), into destDir, a FitBridge
// folder, and returns the new file's path. Zwift's folder is only read.
func Recover(o Orphan, destDir string) (string, error) {
	data, err := os.ReadFile(o.Path)
	if err != nil {
		return "", fmt.Errorf("read Zwift's recording: %w", err)
	}
	h, err := walkFIT(data, false)
	if err != nil {
		return "", fmt.Errorf("read Zwift's recording: %w", err)
	}
	if !h.First.Equal(o.Start) {
		return "", errors.New("Zwift's recording now holds a different ride (it was overwritten by a newer one)")
	}
	sealed := sealFIT(data, h)
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", destDir, err)
	}
	// Zwift's naming (local start time), marked so it never looks like Zwift's own file.
	base := o.Start.Local().Format("2006-01-02-15-04-05") + "-recovered"
	for i := 1; ; i++ {
		name := base + ".fit"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.fit", base, i)
		}
		dest := filepath.Join(destDir, name)
		old, err := os.ReadFile(dest)
		switch {
		case err == nil && bytes.Equal(old, sealed):
			return dest, nil // recovered before
		case err == nil:
			continue
		case !errors.Is(err, os.ErrNotExist):
			return "", fmt.Errorf("check %s: %w", dest, err)
		}
		if err := writeNew(dest, sealed); err != nil {
			if errors.Is(err, os.ErrExist) {
				continue
			}
			return "", err
		}
		return dest, nil
	}
}

// writeNew writes a file under a hidden temporary name and then links it into
// place, so a watcher of destDir never sees half a file and nothing is replaced.
func writeNew(dest string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".recovering-*")
	if err != nil {
		return fmt.Errorf("write recovered ride: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write recovered ride: %w", err)
	}
	if err := os.Link(tmp.Name(), dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		// Some file systems (FAT, some network shares) have no hard links.
		if _, serr := os.Stat(dest); serr == nil {
			return os.ErrExist
		}
		if err := os.Rename(tmp.Name(), dest); err != nil {
			return fmt.Errorf("write recovered ride: %w", err)
		}
	}
	return nil
}

package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Skipped is something in a folder that was not read, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Files lists the regular files under dir, sorted, leaving out hidden files
// and folders. Everything else it meets is reported rather than silently
// left out: folders it cannot read, symlinked folders (never followed, so a
// link cannot loop or lead out of the folder), pipes, devices and sockets.
func Files(dir string) (files []string, skipped []Skipped, err error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, err
	}
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			skipped = append(skipped, Skipped{Path: p, Reason: "cannot read this folder: " + plainErr(err)})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		hidden := strings.HasPrefix(d.Name(), ".") && p != dir
		if d.IsDir() {
			if hidden {
				return filepath.SkipDir
			}
			return nil
		}
		if hidden {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			switch {
			case err != nil:
				skipped = append(skipped, Skipped{Path: p, Reason: "a link to something that cannot be read: " + plainErr(err)})
				return nil
			case st.IsDir():
				skipped = append(skipped, Skipped{Path: p, Reason: "a link to a folder: not followed; add that folder itself"})
				return nil
			case !st.Mode().IsRegular():
				skipped = append(skipped, Skipped{Path: p, Reason: "a link to " + kindOf(st.Mode()) + ", not a file FitBridge can read"})
				return nil
			}
			files = append(files, p)
			return nil
		}
		if k := kindOf(d.Type()); k != "" {
			skipped = append(skipped, Skipped{Path: p, Reason: k + ", not a file FitBridge can read"})
			return nil
		}
		files = append(files, p)
		return nil
	})
	sort.Strings(files)
	return files, skipped, walkErr
}

func plainErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

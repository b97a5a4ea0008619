package folder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/source"
)

// folderFacts is what one folder holds, as far as the doctor asks.
type folderFacts struct {
	path, why     string
	exists        bool
	err           error
	fit, stubs    int
	inProgress    bool
	newest        string // file name
	newestMod     time.Time
	newestStart   time.Time // FIT session start, zero when unread
	newestStartOK bool
}

func scanFolder(dir string) folderFacts {
	f := folderFacts{path: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.exists = !errors.Is(err, os.ErrNotExist)
		if f.exists {
			f.err = err
		}
		return f
	}
	f.exists = true
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(filepath.Ext(name), ".fit") {
			continue
		}
		if strings.EqualFold(name, inProgressName) {
			f.inProgress = true
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		f.fit++
		if info.Size() <= stubMax {
			f.stubs++
			continue
		}
		if info.ModTime().After(f.newestMod) {
			f.newest, f.newestMod = name, info.ModTime()
		}
	}
	if f.newest != "" {
		if data, err := os.ReadFile(filepath.Join(dir, f.newest)); err == nil {
			if sum, err := fitfile.Summarize(data); err == nil && !sum.Start.IsZero() {
				f.newestStart, f.newestStartOK = sum.Start, true
			}
		}
	}
	return f
}

// folderReport reads the chosen folders and those found on this computer:
// where each is, what it holds, how many stubs, and whether the newest
// file's name is its local start.
type folderReport struct {
	lines, stubs, stamps []string
	none                 bool
}

func reportFolders(cfg source.Config, find func() []string) folderReport {
	var dirs []folderFacts
	seen := map[string]bool{}
	add := func(p, why string) {
		if p == "" || seen[filepath.Clean(p)] {
			return
		}
		seen[filepath.Clean(p)] = true
		f := scanFolder(p)
		f.why = why
		dirs = append(dirs, f)
	}
	for _, p := range hostSystem().splitList(cfg.Settings[SettingFolder]) {
		add(p, "chosen")
	}
	if find != nil {
		for _, p := range find() {
			add(p, "found on this computer")
		}
	}
	home, _ := os.UserHomeDir()
	var r folderReport
	for _, f := range dirs {
		p := tildePath(f.path, home)
		switch {
		case f.err != nil:
			r.lines = append(r.lines, fmt.Sprintf("%s (%s): cannot be read: %v", p, f.why, f.err))
		case !f.exists:
			r.lines = append(r.lines, fmt.Sprintf("%s (%s): does not exist", p, f.why))
		default:
			line := fmt.Sprintf("%s (%s): exists, %d FIT files at the top level", p, f.why, f.fit)
			if f.newest != "" {
				line += ", newest changed " + f.newestMod.UTC().Format(time.RFC3339)
			}
			r.lines = append(r.lines, line)
			r.stubs = append(r.stubs, fmt.Sprintf("%s: %d of the FIT files are stubs of 1 KiB or less; inProgressActivity.fit %s", p, f.stubs, presentWord(f.inProgress)))
			if f.newest != "" {
				r.stamps = append(r.stamps, stampFinding(p, f))
			}
		}
	}
	if len(dirs) == 0 {
		r.none = true
		r.lines = append(r.lines, "no folder is chosen and none was found on this computer")
	}
	return r
}

// diagnoseZwift answers the reference's open questions on Zwift's folder.
func diagnoseZwift(_ context.Context, p source.Probe) source.Diagnosis {
	r := reportFolders(p.Config, ZwiftFolders)
	// ZwiftFolders names only folders that exist: candidates that do not
	// are missing from this answer.
	lines := append(r.lines, "(folders FitBridge looked for but did not find are not listed)")
	d := source.Diagnosis{Findings: []source.Finding{{
		Question: "29",
		Asked:    "Where does Zwift keep its files on this computer? Every candidate folder and whether it exists.",
		Answer:   strings.Join(lines, "\n"),
	}}}
	if len(r.stubs) > 0 {
		d.Findings = append(d.Findings, source.Finding{
			Question: "30",
			Asked:    "How often do 584-byte stubs appear? Does inProgressActivity.fit remain after a normal save?",
			Answer:   strings.Join(r.stubs, "\n"),
		})
	}
	if len(r.stamps) > 0 {
		d.Findings = append(d.Findings, source.Finding{
			Question: "31",
			Asked:    "Is the filename stamp the local start time? Filename next to the FIT session start.",
			Answer:   strings.Join(r.stamps, "\n"),
		})
	}
	return d
}

// diagnoseDevices describes the chosen and mounted folders in the note.
func diagnoseDevices(_ context.Context, p source.Probe) source.Diagnosis {
	r := reportFolders(p.Config, deviceFolders)
	return source.Diagnosis{Note: strings.Join(slices.Concat(r.lines, r.stubs, r.stamps), "\n")}
}

func presentWord(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}

// stampFinding compares the newest file's name with its FIT start, in UTC
// and in this computer's zone.
func stampFinding(dir string, f folderFacts) string {
	if !f.newestStartOK {
		return fmt.Sprintf("%s: newest %s, its FIT start could not be read", dir, f.newest)
	}
	stem := strings.TrimSuffix(f.newest, filepath.Ext(f.newest))
	const layout = "2006-01-02-15-04-05"
	local := f.newestStart.Local()
	verdict := "matches neither the local nor the UTC start"
	switch {
	case strings.Contains(stem, local.Format(layout)):
		verdict = "matches the local start"
	case strings.Contains(stem, f.newestStart.UTC().Format(layout)):
		verdict = "matches the UTC start"
	}
	if _, off := local.Zone(); off == 0 {
		verdict += " (this computer's zone is at UTC, so the two agree)"
	}
	zone, _ := local.Zone()
	return fmt.Sprintf("%s: newest %s, FIT session start %s UTC = %s %s: the name %s",
		dir, f.newest, f.newestStart.UTC().Format(time.DateTime), local.Format(time.DateTime), zone, verdict)
}

// tildePath hides the rider's user name in their home folder's path.
func tildePath(p, home string) string {
	if home == "" {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Join("~", rel)
	}
	return p
}

package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fitbridge/backend/archive"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// ImportProgress hears how far an archive import has come; total is 0 while
// unknown.
type ImportProgress func(done, total int, file string)

// ArchiveProgress is the "import_progress" event: how far the import of an
// export archive has come.
type ArchiveProgress struct {
	Archive string `json:"archive"`
	Kind    string `json:"kind"` // "Strava export", "Garmin export"
	Done    int    `json:"done"`
	Total   int    `json:"total"` // 0 while unknown
}

// importArchive adds every activity of a Strava or Garmin export to the
// library, one member at a time: the archive is never unpacked, and a member
// that cannot be read is listed with its reason while the rest go on.
func (s *Service) importArchive(ctx context.Context, src *archive.Source, progress ImportProgress) []ActivityView {
	var out []ActivityView
	last := time.Time{}
	opts := archive.Options{
		TempDir: filepath.Join(s.Home, "tmp"),
		Progress: func(done, total int, member string) {
			if progress != nil {
				progress(done, total, memberName(src.Name, member))
			}
			// The window hears of it a few times a second at most.
			if now := time.Now(); now.Sub(last) > 250*time.Millisecond || done == total {
				last = now
				s.Events.Emit("import_progress", ArchiveProgress{Archive: src.Name, Kind: src.Kind.Label(), Done: done, Total: total})
			}
		},
	}
	if err := os.MkdirAll(opts.TempDir, 0o700); err != nil {
		opts.TempDir = ""
	}
	removeStaleNested(opts.TempDir)
	err := src.Walk(ctx, opts, func(m archive.Member) error {
		name := memberName(src.Name, m.Path)
		if m.Manual {
			out = append(out, manualEntry(name, m.Meta))
			return nil
		}
		if m.Err != nil {
			out = append(out, ActivityView{File: name, Source: imported.Name, State: store.StateUnreadable, Reason: m.Err.Error()})
			return nil
		}
		out = append(out, s.importBytesWith(name, "", m.Data, m.Meta))
		return nil
	})
	if err != nil {
		out = append(out, ActivityView{File: src.Name, Source: imported.Name, State: store.StateFailed,
			Reason: reason.ImportStopped.Text(src.Kind.Label(), err.Error())})
	}
	return out
}

// manualEntry is an activity entered by hand on Strava: listed so that the
// import's count adds up, with nothing to upload.
func manualEntry(csvName string, m *archive.Meta) ActivityView {
	v := ActivityView{File: csvName, Source: imported.Name, State: store.StateSkipped, Permanent: true,
		Reason: reason.EnteredByHandOnStrava.Text(), Name: m.Name, Sport: m.Sport}
	if m.ID != "" {
		v.File += "#" + m.ID
	}
	if t := m.Start(); !t.IsZero() {
		v.Start = t.Format(time.RFC3339)
	}
	return v
}

// removeStaleNested deletes nested ZIPs an import that was killed left in
// the temporary folder (a live import's are minutes old at most).
func removeStaleNested(dir string) {
	if dir == "" {
		return
	}
	old, _ := filepath.Glob(filepath.Join(dir, archive.TempPattern))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > 24*time.Hour {
			_ = os.Remove(p)
		}
	}
}

// memberName names a member for the rider: the archive as given, then the
// member's path inside it.
func memberName(archivePath, member string) string {
	return strings.TrimSuffix(archivePath, string(filepath.Separator)) + "/" + member
}

// applyArchiveMeta gives a row what the export's CSV knows of the ride: its
// name, description and commute flag, and its sport where that says more
// than the file (a Strava "Virtual Ride" whose file says only cycling).
func applyArchiveMeta(row *store.Activity, m *archive.Meta) {
	if m == nil {
		return
	}
	if m.Name != "" {
		row.Name = m.Name
	}
	row.Description = m.Description
	row.Commute = m.Commute
	if m.Sport != "" && row.State == store.StateReady && (row.Sport == "" || fitfile.Refines(m.Sport, row.Sport)) {
		row.Sport = m.Sport
	}
}

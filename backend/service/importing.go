package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fitbridge/backend/archive"
	"fitbridge/backend/backfill"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/localfile"
	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"
)

// Import adds local files to the library: one entry per file, in the order
// given; folders are walked. The bytes are copied into the cache, so the
// original may move or vanish; the same bytes twice are one activity. A
// Strava or Garmin export (ZIP or folder) gives one entry per activity in it.
func (s *Service) Import(paths []string) ImportResult {
	return s.ImportContext(context.Background(), paths)
}

// ImportContext is Import that stops between files once ctx is done (Ctrl-C):
// what was saved stays saved and is in the result, which says it stopped.
func (s *Service) ImportContext(ctx context.Context, paths []string) ImportResult {
	return s.ImportWithProgress(ctx, paths, nil)
}

// ImportWithProgress is ImportContext telling progress through an export
// archive.
func (s *Service) ImportWithProgress(ctx context.Context, paths []string, progress ImportProgress) ImportResult {
	out := ImportResult{Activities: []ActivityView{}}
	defer s.Events.Emit("library", nil)
	for i, p := range paths {
		if ctx.Err() != nil {
			out.Stopped = true
			out.NotImported += len(paths) - i
			return out
		}
		st, err := os.Stat(p)
		if err != nil {
			out.Activities = append(out.Activities, unreadableView(p, fmt.Sprintf("cannot read %s: %v", p, plainErr(err))))
			continue
		}
		if views, ok := s.importAsArchive(ctx, p, p, progress); ok {
			out.Activities = append(out.Activities, views...)
			continue
		}
		if !st.IsDir() {
			out.Activities = append(out.Activities, s.importFile(p, p, absPath(p)))
			continue
		}
		files, skipped, err := localfile.Files(p)
		if err != nil {
			out.Activities = append(out.Activities, unreadableView(p, "cannot read this folder: "+plainErr(err)))
			continue
		}
		for _, sk := range skipped {
			out.Activities = append(out.Activities, unreadableView(sk.Path, sk.Reason))
		}
		for j, f := range files {
			if ctx.Err() != nil {
				out.Stopped = true
				out.NotImported += len(files) - j + len(paths) - i - 1
				return out
			}
			out.Activities = append(out.Activities, s.importInFolder(ctx, f, progress)...)
		}
	}
	return out
}

// importInFolder imports one file found in a folder: a ZIP of several rides
// or an export entry by entry, anything else as the file it is.
func (s *Service) importInFolder(ctx context.Context, p string, progress ImportProgress) []ActivityView {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		if views, ok := s.importAsArchive(ctx, p, p, progress); ok {
			return views
		}
	}
	return []ActivityView{s.importFile(p, p, absPath(p))}
}

// importAsArchive imports p entry by entry when it is an export (a ZIP or a
// folder) or a ZIP of several rides, naming it name; a ZIP that cannot be
// read says to download it again. false: p is none of these.
func (s *Service) importAsArchive(ctx context.Context, p, name string, progress ImportProgress) ([]ActivityView, bool) {
	src, err := archive.Open(p)
	if src != nil {
		defer src.Close()
		src.Name = name
		return s.importArchive(ctx, src, progress), true
	}
	var damaged *archive.DamagedError
	if errors.As(err, &damaged) {
		return []ActivityView{unreadableView(name, damaged.Error())}, true
	}
	return nil, false
}

// UploadedFile is a file that reached this computer under another name: a
// browser-mode upload kept in a temporary file.
type UploadedFile struct {
	Name string // as the rider knows it; "export_7/activities/1.fit" inside a chosen folder
	Path string // where its bytes are now
	Err  error  // why it has no bytes here (it never finished uploading)
}

// ImportUploaded imports files by their temporary paths, reporting each under
// the rider's name for it, in the order given. The files of one chosen folder
// are put back in their folder first, so an unpacked export is recognised by
// its layout and its CSV names the rides.
func (s *Service) ImportUploaded(files []UploadedFile) ImportResult {
	out := ImportResult{Activities: []ActivityView{}}
	for _, g := range uploadedFolders(files) {
		if g.top != "" {
			if entries, ok := s.importUploadedExport(g.top, g.files); ok {
				out.Activities = append(out.Activities, entries...)
				continue
			}
		}
		for _, f := range g.files {
			out.Activities = append(out.Activities, s.importUploaded(f)...)
		}
	}
	s.Events.Emit("library", nil)
	releaseAfter(len(out.Activities))
	return out
}

// importUploaded imports one file; an export archive gives one view per
// activity in it.
func (s *Service) importUploaded(f UploadedFile) []ActivityView {
	if f.Err != nil {
		return []ActivityView{unreadableView(f.Name, f.Err.Error())}
	}
	// Entries name the archive as the rider knows it, not its temporary file.
	if views, ok := s.importAsArchive(context.Background(), f.Path, f.Name, nil); ok {
		return views
	}
	return []ActivityView{s.importFile(f.Path, f.Name, "")}
}

// uploadedGroup is one chosen folder's files (top is its name), or one loose file.
type uploadedGroup struct {
	top   string
	files []UploadedFile
}

// uploadedFolders groups files by the folder they were chosen in, each group
// where its first file was.
func uploadedFolders(files []UploadedFile) []uploadedGroup {
	var out []uploadedGroup
	at := map[string]int{}
	for _, f := range files {
		top, _, inFolder := strings.Cut(archive.CleanPath(f.Name), "/")
		if !inFolder || f.Err != nil {
			out = append(out, uploadedGroup{files: []UploadedFile{f}})
			continue
		}
		if i, ok := at[top]; ok {
			out[i].files = append(out[i].files, f)
			continue
		}
		at[top] = len(out)
		out = append(out, uploadedGroup{top: top, files: []UploadedFile{f}})
	}
	return out
}

// importUploadedExport imports a chosen folder's uploads, read where they
// are, when they are a Strava or Garmin export; false when they are not one
// (its files are then imported one by one).
func (s *Service) importUploadedExport(top string, files []UploadedFile) ([]ActivityView, bool) {
	members := make([]archive.File, len(files))
	for i, f := range files {
		members[i] = archive.File{Path: strings.TrimPrefix(archive.CleanPath(f.Name), top+"/"), Disk: f.Path}
	}
	src := archive.OpenFiles(top, members)
	if src == nil {
		return nil, false
	}
	defer src.Close()
	return s.importArchive(context.Background(), src, nil), true
}

// ImportFiles adds files handed over by the window in one call.
func (s *Service) ImportFiles(files []ImportFile) ImportResult {
	out := ImportResult{Activities: []ActivityView{}}
	data := make([][]byte, len(files))
	bad := make([]bool, len(files))
	groups := map[string][]int{} // a folder's name → its files, for names with a folder
	for i, f := range files {
		if base64.StdEncoding.DecodedLen(len(f.DataBase64)) > localfile.MaxActivity+2 {
			bad[i] = true
			continue
		}
		d, err := base64.StdEncoding.DecodeString(f.DataBase64)
		data[i], bad[i] = d, err != nil
		if j := strings.IndexAny(f.Name, `/\`); j > 0 && err == nil {
			groups[f.Name[:j]] = append(groups[f.Name[:j]], i)
		}
	}
	// A dropped or picked export folder arrives as its files: their paths
	// tell its layout.
	exports := map[int][]ActivityView{} // its first file's index → its entries
	inExport := map[int]bool{}
	for top, idx := range groups {
		mf := make([]archive.File, len(idx))
		for k, i := range idx {
			mf[k] = archive.File{Path: files[i].Name[len(top)+1:], Data: data[i]}
		}
		if src := archive.OpenFiles(top, mf); src != nil {
			exports[idx[0]] = s.importArchive(context.Background(), src, nil)
			for _, i := range idx {
				inExport[i] = true
			}
		}
	}
	for i, f := range files {
		out.Activities = append(out.Activities, exports[i]...)
		switch {
		case inExport[i]:
		case bad[i] && data[i] == nil && base64.StdEncoding.DecodedLen(len(f.DataBase64)) > localfile.MaxActivity+2:
			out.Activities = append(out.Activities, unreadableView(f.Name, (&localfile.TooLargeError{Limit: localfile.MaxActivity}).Error()))
		case bad[i]:
			out.Activities = append(out.Activities, unreadableView(f.Name, "the file did not arrive intact"))
		default:
			if src := archive.OpenBytes(f.Name, data[i]); src != nil {
				out.Activities = append(out.Activities, s.importArchive(context.Background(), src, nil)...)
				continue
			}
			out.Activities = append(out.Activities, s.importBytes(f.Name, "", data[i]))
		}
	}
	s.Events.Emit("library", nil)
	releaseAfter(len(out.Activities))
	return out
}

func unreadableView(name, reason string) ActivityView {
	return ActivityView{File: name, Source: imported.Name, State: store.StateUnreadable, Reason: reason}
}

// importFile reads path (a regular file within the activity budget only:
// never a pipe, a device or a disk image) and imports it as name. from is
// the path to read it again from should FitBridge's copy be lost ("" for a
// temporary upload).
func (s *Service) importFile(path, name, from string) ActivityView {
	data, err := localfile.ReadFile(path, localfile.MaxActivity)
	if err != nil {
		var nr *localfile.NotRegularError
		var tl *localfile.TooLargeError
		switch {
		case errors.As(err, &nr):
			return unreadableView(name, strings.TrimPrefix(nr.Error(), nr.Path+" "))
		case errors.As(err, &tl):
			return unreadableView(name, tl.Error())
		}
		return unreadableView(name, "cannot read the file: "+plainErr(err))
	}
	return s.importBytes(name, from, data)
}

// absPath is where a file given on this computer can be read again.
func absPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return abs
}

// importBytes adds one file's bytes to the library; from is the path it
// was read from ("" for a file the browser handed over), kept so the file
// can be read again should FitBridge's copy be lost.
func (s *Service) importBytes(name, from string, data []byte) ActivityView {
	return s.importBytesWith(name, from, data, nil)
}

// importBytesWith imports one file; meta is what an export's CSV says of it
// (nil for a file on its own).
func (s *Service) importBytesWith(name, from string, data []byte, meta *archive.Meta) ActivityView {
	if len(data) == 0 {
		return unreadableView(name, "the file is empty")
	}
	hash := fitfile.ContentHash(data)
	// The same bytes, from this import or from a source, are one activity:
	// this file becomes one more place it was found.
	same, err := s.Store.WithHash(hash)
	if err != nil {
		return ActivityView{File: name, Source: imported.Name, State: store.StateFailed, Reason: err.Error()}
	}
	if same != nil {
		return s.knownFile(same, name)
	}
	t, _ := backfill.Classify(data)
	// Only activities are kept in the cache: a shopping list or a damaged
	// file is reported, not stored, and its row names no cached file, so
	// nothing later tries to read one.
	cached := ""
	if t.State == store.StateReady {
		if _, err := s.Cache.Put(data); err != nil {
			return ActivityView{File: name, Source: imported.Name, State: store.StateFailed, Reason: err.Error()}
		}
		cached = hash
	}
	row := &store.Activity{
		Source: imported.Name, RemoteID: hash, ExternalID: imported.ExternalID(hash),
		Name: importName(name), File: name, Hash: cached,
		State: t.State, Reason: t.Reason, Permanent: t.Permanent,
	}
	t.Set.Apply(row)
	if from != "" {
		extra, _ := json.Marshal(map[string]string{imported.ExtraPath: from})
		row.Extra = string(extra)
	}
	applyArchiveMeta(row, meta)
	got, created, err := s.Store.CreateOrGet(row)
	if err != nil {
		return ActivityView{File: name, Source: imported.Name, State: store.StateFailed, Reason: err.Error()}
	}
	if !created {
		return s.knownFile(got, name)
	}
	v := s.view(*got)
	v.File = name
	return v
}

// knownFile answers an import of bytes the library has: the activity as it
// stands, marked as already there, with the file kept as one of its places.
func (s *Service) knownFile(a *store.Activity, name string) ActivityView {
	s.Log.Debug("import: same bytes already in the library", "file", filepath.Base(name), "activity", a.ID)
	if name != a.File {
		if err := s.Store.AddPlace(a.ID, name); err != nil {
			s.Log.Warn("import: could not remember a second place", "activity", a.ID, "err", err)
		}
	}
	v := s.view(*a)
	// The answer names the file as given (the CLI's contract); the activity keeps its own.
	v.File = name
	v.AlreadyInLibrary = true
	return v
}

func importName(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".zip", ".fit", ".tcx", ".gpx", ".FIT", ".TCX", ".GPX"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func plainErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

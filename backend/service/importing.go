package service

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"fitbridge/backend/backfill"
	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"
)

// maxImportSize keeps a stray disk image from being read into memory.
const maxImportSize = 256 << 20

// Import adds local files to the library: one entry per file, in the order
// given; folders are walked. The bytes are copied into the cache, so the
// original may move or vanish; the same bytes twice are one activity.
func (s *Service) Import(paths []string) ImportResult {
	var out ImportResult
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			out.Activities = append(out.Activities, ActivityView{File: p, Source: imported.Name, State: store.StateUnreadable, Reason: fmt.Sprintf("cannot read %s: %v", p, plainErr(err))})
			continue
		}
		if st.IsDir() {
			for _, f := range filesUnder(p) {
				out.Activities = append(out.Activities, s.importFile(f))
			}
			continue
		}
		out.Activities = append(out.Activities, s.importFile(p))
	}
	if out.Activities == nil {
		out.Activities = []ActivityView{}
	}
	s.Events.Emit("library", nil)
	releaseAfter(len(out.Activities))
	return out
}

// ImportFiles adds files handed over by the browser.
func (s *Service) ImportFiles(files []ImportFile) ImportResult {
	var out ImportResult
	for _, f := range files {
		data, err := base64.StdEncoding.DecodeString(f.DataBase64)
		if err != nil {
			out.Activities = append(out.Activities, ActivityView{File: f.Name, Source: imported.Name, State: store.StateUnreadable, Reason: "the file did not arrive intact"})
			continue
		}
		out.Activities = append(out.Activities, s.importBytes(f.Name, "", data))
	}
	if out.Activities == nil {
		out.Activities = []ActivityView{}
	}
	s.Events.Emit("library", nil)
	releaseAfter(len(out.Activities))
	return out
}

func filesUnder(dir string) []string {
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		files = append(files, p)
		return nil
	})
	sort.Strings(files)
	return files
}

func (s *Service) importFile(path string) ActivityView {
	st, err := os.Stat(path)
	if err == nil && st.Size() > maxImportSize {
		return ActivityView{File: path, Source: imported.Name, State: store.StateUnreadable, Reason: fmt.Sprintf("file is too large for an activity (%d MB)", st.Size()>>20)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ActivityView{File: path, Source: imported.Name, State: store.StateUnreadable, Reason: fmt.Sprintf("cannot read the file: %v", plainErr(err))}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = ""
	}
	return s.importBytes(path, abs, data)
}

// importBytes adds one file's bytes to the library; from is the path it
// was read from ("" for a file the browser handed over), kept so the file
// can be read again should FitBridge's copy be lost.
func (s *Service) importBytes(name, from string, data []byte) ActivityView {
	if len(data) == 0 {
		return ActivityView{File: name, Source: imported.Name, State: store.StateUnreadable, Reason: "the file is empty"}
	}
	hash, err := s.Cache.Put(data)
	if err != nil {
		return ActivityView{File: name, Source: imported.Name, State: store.StateFailed, Reason: err.Error()}
	}
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
	row := &store.Activity{
		Source: imported.Name, RemoteID: hash, ExternalID: imported.ExternalID(hash),
		Name: importName(name), File: name, Hash: hash,
		State: t.State, Reason: t.Reason, Permanent: t.Permanent,
	}
	t.Set.Apply(row)
	if from != "" {
		extra, _ := json.Marshal(map[string]string{imported.ExtraPath: from})
		row.Extra = string(extra)
	}
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

package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fitbridge/backend/localfile"
	"fitbridge/backend/reason"
)

// Kind is the kind of export archive.
type Kind string

const (
	Strava Kind = "strava"
	Garmin Kind = "garmin"
	// Bundle is a ZIP of several activity files that is no export (a part of
	// Garmin's export on its own, a club's ZIP of rides): each file is one.
	Bundle Kind = "bundle"
)

// Label is the archive kind as a rider reads it.
func (k Kind) Label() string {
	switch k {
	case Strava:
		return reason.StravaExport.Text()
	case Garmin:
		return reason.GarminExport.Text()
	}
	return reason.AnExport.Text()
}

// Meta is what Strava's activities.csv says of one activity.
type Meta struct {
	ID          string
	Date        string // as the export writes it, in the account's language
	Name        string
	Description string
	Type        string // as the export writes it ("Ride", "Radfahrt"...)
	Sport       string // the Intervals.icu type for Type; "" when unknown
	Commute     bool
	Gear        string
}

// stravaDates are the ways activities.csv writes a date, in UTC: English,
// German and the other European forms seen, and ISO. A day/month with
// slashes is left out: read the American way round it would be a wrong day.
var stravaDates = []string{
	"Jan 2, 2006, 3:04:05 PM",
	"2 Jan 2006, 15:04:05",
	"02.01.2006, 15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z",
}

// Start is the activity's start as the CSV gives it; zero when its form is
// not one known.
func (m *Meta) Start() time.Time {
	for _, layout := range stravaDates {
		if t, err := time.Parse(layout, m.Date); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Member is one activity file in an archive.
type Member struct {
	// Path is the member's path inside the archive, slash-separated; a file
	// inside a nested ZIP is "outer/path/Part1.zip/inner.fit".
	Path string
	// Data is the file as stored (a .fit.gz stays gzipped); nil with Err.
	Data []byte
	// Meta is the CSV row for this file; nil without one.
	Meta *Meta
	// Err says why the member could not be read; the walk goes on.
	Err error
	// Manual marks an activity entered by hand on Strava: the CSV has its
	// row, but there is no file to bring over. Path names the CSV then.
	Manual bool
}

// Options bound what a walk may hold at once.
type Options struct {
	// MaxMember is the largest activity file read (default: the activity
	// budget every import has, localfile.MaxActivity).
	MaxMember int64
	// NestedInMemory is the largest compressed nested ZIP unpacked into
	// memory (default 64 MB); a larger one goes to a temporary file.
	NestedInMemory int64
	// NestedOnDisk is the largest nested ZIP unpacked to a temporary file
	// (default 8 GB).
	NestedOnDisk int64
	// TempDir holds that temporary file ("" = the system's).
	TempDir string
	// Progress, when set, hears of each member as it is read; total is 0
	// while unknown (a Garmin export's nested ZIPs are counted as opened).
	Progress func(done, total int, member string)
}

func (o *Options) defaults() {
	if o.MaxMember <= 0 {
		o.MaxMember = localfile.MaxActivity
	}
	if o.NestedInMemory <= 0 {
		o.NestedInMemory = 64 << 20
	}
	if o.NestedOnDisk <= 0 {
		o.NestedOnDisk = 8 << 30
	}
}

// maxCSV bounds activities.csv: tens of thousands of rides with long
// descriptions stay well under it.
const maxCSV = 128 << 20

// maxEntries bounds how many names a folder or ZIP may list.
const maxEntries = 1 << 20

// entry is a file inside the archive, ZIP or folder alike.
type entry struct {
	path string // slash-separated, relative to the archive root
	size int64  // uncompressed, as declared
	zf   *zip.File
	disk string // the file on disk, for a folder
	mem  []byte // the file's bytes, for files handed over by the browser
}

// tree is an archive's list of files and how to read them.
type tree struct {
	entries []entry
	byPath  map[string]int // lower-cased path → index
	ra      io.ReaderAt    // the ZIP's bytes, for stored nested ZIPs
}

func (t *tree) index() {
	t.byPath = make(map[string]int, len(t.entries))
	for i, e := range t.entries {
		t.byPath[strings.ToLower(e.path)] = i
	}
}

func (t *tree) open(e entry) (io.ReadCloser, error) {
	switch {
	case e.zf != nil:
		return e.zf.Open()
	case e.mem != nil:
		return io.NopCloser(bytes.NewReader(e.mem)), nil
	}
	return os.Open(e.disk)
}

// read reads a whole entry, refusing one larger than max.
func (t *tree) read(e entry, max int64) ([]byte, error) {
	if e.size > max {
		return nil, fmt.Errorf("%s is larger than %d MB, too large for an activity file", path.Base(e.path), max>>20)
	}
	rc, err := t.open(e)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path.Base(e.path), err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path.Base(e.path), plainZipErr(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d MB, too large for an activity file", path.Base(e.path), max>>20)
	}
	return data, nil
}

func plainZipErr(err error) error {
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return errors.New("the archive's checksum for this file does not match (damaged download?)")
	case errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("this part of the archive is damaged")
	}
	return err
}

func zipTree(ra io.ReaderAt, size int64) (*tree, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, err
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("the ZIP lists %d files, more than an export holds", len(zr.File))
	}
	t := &tree{ra: ra}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := CleanPath(f.Name)
		t.entries = append(t.entries, entry{path: name, size: int64(f.UncompressedSize64), zf: f})
	}
	t.index()
	return t, nil
}

func folderTree(dir string) (*tree, error) {
	t := &tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable subfolder does not stop the rest
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if len(t.entries) >= maxEntries {
			return errors.New("the folder holds more files than an export")
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		t.entries = append(t.entries, entry{path: filepath.ToSlash(rel), size: info.Size(), disk: p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.index()
	return t, nil
}

// layout is where an export keeps its files.
type layout struct {
	kind   Kind
	csv    int    // index of activities.csv; -1 when none
	prefix string // the folder activities.csv and activities/ are in
	nested []int  // Garmin: the nested ZIPs, in path order
	loose  []int  // Garmin: activity files already out of their nested ZIPs
	files  []int  // Strava: activity files, in path order
}

// garminUploads are the folders of Garmin's export that hold the original
// uploads: recent exports and older ones name it differently.
var garminUploads = []string{"di_connect/di-connect-uploaded-files/", "di_connect/di-connect-fitness-uploaded-files/"}

// underGarminUploads returns what follows the uploads folder in a
// lower-cased path, and whether the path is in it.
func underGarminUploads(low string) (string, bool) {
	for _, u := range garminUploads {
		if j := strings.Index(low, u); j >= 0 && (j == 0 || low[j-1] == '/') {
			return low[j+len(u):], true
		}
	}
	return "", false
}

// detect recognises a Strava or Garmin export by its layout: activities.csv
// (at the top or one folder down) for Strava, ZIPs or activity files under
// DI_CONNECT/DI-Connect-Uploaded-Files/ for Garmin.
func detect(t *tree) (layout, bool) {
	l := layout{csv: -1}
	for i, e := range t.entries {
		low := strings.ToLower(e.path)
		if path.Base(low) == "activities.csv" && strings.Count(low, "/") <= 1 {
			if l.csv < 0 || len(e.path) < len(t.entries[l.csv].path) {
				l.csv = i
			}
		}
		if rest, ok := underGarminUploads(low); ok {
			switch {
			case strings.HasSuffix(rest, ".zip") && !strings.Contains(rest, "/"):
				l.nested = append(l.nested, i)
			case isActivityName(rest):
				// An export unpacked with its nested ZIPs unpacked too.
				l.loose = append(l.loose, i)
			}
		}
	}
	switch {
	case l.csv >= 0:
		l.kind = Strava
		l.prefix = strings.ToLower(path.Dir(t.entries[l.csv].path))
		if l.prefix == "." {
			l.prefix = ""
		} else {
			l.prefix += "/"
		}
		for i, e := range t.entries {
			low := strings.ToLower(e.path)
			if strings.HasPrefix(low, l.prefix+"activities/") && isActivityName(low) {
				l.files = append(l.files, i)
			}
		}
		sort.Slice(l.files, func(a, b int) bool { return t.entries[l.files[a]].path < t.entries[l.files[b]].path })
		return l, true
	case len(l.nested) > 0 || len(l.loose) > 0:
		l.kind = Garmin
		sort.Slice(l.nested, func(a, b int) bool { return t.entries[l.nested[a]].path < t.entries[l.nested[b]].path })
		sort.Slice(l.loose, func(a, b int) bool { return t.entries[l.loose[a]].path < t.entries[l.loose[b]].path })
		return l, true
	case t.ra != nil: // a ZIP, not a folder: one holding a single ride is that ride's file
		for i, e := range t.entries {
			if isActivityName(e.path) {
				l.loose = append(l.loose, i)
			}
		}
		if len(l.loose) >= 2 {
			l.kind = Bundle
			sort.Slice(l.loose, func(a, b int) bool { return t.entries[l.loose[a]].path < t.entries[l.loose[b]].path })
			return l, true
		}
	}
	return l, false
}

// isActivityName reports whether a file name is one of the activity files an
// export holds.
func isActivityName(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	switch path.Ext(name) {
	case ".fit", ".tcx", ".gpx":
		return true
	}
	return false
}

// Source is an opened archive: a ZIP file, ZIP bytes or a folder.
type Source struct {
	Name string // as given, for messages
	Kind Kind
	t    *tree
	l    layout
	c    io.Closer
}

// Open opens path (a ZIP file or a folder) and recognises its layout. It
// returns (nil, nil) when path is not an export archive: a ZIP or folder
// of something else.
func Open(p string) (*Source, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	var (
		t *tree
		c io.Closer
	)
	if st.IsDir() {
		if t, err = folderTree(p); err != nil {
			return nil, fmt.Errorf("read the folder %s: %w", p, err)
		}
	} else {
		if !st.Mode().IsRegular() {
			return nil, nil
		}
		// A regular file only: never a pipe or a device.
		f, _, err := localfile.Open(p)
		if err != nil {
			return nil, nil // the file import says why
		}
		var head [4]byte
		if n, _ := io.ReadFull(f, head[:]); n < 4 || string(head[:2]) != "PK" {
			f.Close()
			return nil, nil
		}
		if t, err = zipTree(f, st.Size()); err != nil {
			f.Close()
			if string(head[:]) == "PK\x03\x04" {
				// Starts like a ZIP but has no readable directory at its end:
				// an export whose download stopped part way, most often.
				return nil, &DamagedError{Err: err}
			}
			return nil, nil // the file import says why
		}
		c = f
	}
	l, ok := detect(t)
	if !ok {
		if c != nil {
			c.Close()
		}
		return nil, nil
	}
	return &Source{Name: p, Kind: l.kind, t: t, l: l, c: c}, nil
}

// DamagedError says a file starting like a ZIP cannot be read as one.
type DamagedError struct{ Err error }

func (e *DamagedError) Error() string { return reason.DamagedZip.Text() }
func (e *DamagedError) Unwrap() error { return e.Err }

// OpenBytes recognises an export archive held in memory (a file the browser
// handed over); (nil, nil) when data is not one.
func OpenBytes(name string, data []byte) *Source {
	if len(data) < 4 || string(data[:2]) != "PK" {
		return nil
	}
	t, err := zipTree(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	l, ok := detect(t)
	if !ok {
		return nil
	}
	return &Source{Name: name, Kind: l.kind, t: t, l: l}
}

// File is one file of a folder the browser handed over, with its path
// inside that folder.
type File struct {
	Path string // slash-separated
	Data []byte
	// Disk, when set, is where the file's bytes are instead of Data (a
	// browser's upload kept in a temporary file).
	Disk string
}

// CleanPath makes a name from an archive, a CSV or a browser a relative,
// slash-separated path that cannot climb out of the folder it is put in
// (`a\..\..\b.fit` is "b.fit").
func CleanPath(name string) string {
	return strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(name, `\`, "/")), "/")
}

// OpenFiles recognises an unpacked export among files a browser handed over
// from a dropped or picked folder; nil when they are not one. Files on disk
// are read from where they are, one member at a time.
func OpenFiles(name string, files []File) *Source {
	t := &tree{}
	for _, f := range files {
		p := CleanPath(f.Path)
		if f.Disk != "" {
			var size int64
			if st, err := os.Stat(f.Disk); err == nil {
				size = st.Size()
			}
			t.entries = append(t.entries, entry{path: p, size: size, disk: f.Disk})
			continue
		}
		data := f.Data
		if data == nil {
			data = []byte{}
		}
		t.entries = append(t.entries, entry{path: p, size: int64(len(data)), mem: data})
	}
	t.index()
	l, ok := detect(t)
	if !ok {
		return nil
	}
	return &Source{Name: name, Kind: l.kind, t: t, l: l}
}

// Close releases the archive.
func (s *Source) Close() error {
	if s.c != nil {
		return s.c.Close()
	}
	return nil
}

// Walk hands each activity in the archive to fn, one at a time, in path
// order. A member that cannot be read comes with Err; the walk goes on. It
// stops early only when ctx ends or fn returns an error.
func (s *Source) Walk(ctx context.Context, opts Options, fn func(Member) error) error {
	opts.defaults()
	switch s.Kind {
	case Strava:
		return s.walkStrava(ctx, opts, fn)
	case Garmin, Bundle:
		return s.walkGarmin(ctx, opts, fn)
	}
	return nil
}

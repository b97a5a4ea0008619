package folder

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DeviceFolder is a folder of recorded activities on a mounted volume.
type DeviceFolder struct {
	Path string
	Kind string // "Garmin", "Wahoo", "Bryton", "Lezyne", "iGPSport", "Hammerhead"...; "" when unknown
	Why  string // what gave it away
}

// Known layouts, each from a source we trust. Matching ignores case: FAT
// volumes and firmware versions disagree on it.
//   - Garmin mass-storage units keep finished rides as FIT in
//     Garmin/Activities (Edge 500/530 and others) or GARMIN/Activity
//     (newer Edge units). Garmin/Courses, Workouts, NewFiles... hold no rides.
//
// Bryton, Lezyne, iGPSport, Wahoo, Hammerhead and others are recognised by
// content instead: we have no confirmed mass-storage layout for them (Wahoo's
// ELEMNT units keep rides in "exports" but connect over MTP, seen as a folder
// only where the desktop mounts MTP, e.g. gvfs on Linux), while every FIT file
// names its maker (file_id.manufacturer). A folder of activity FIT files made
// by one of them is reported under that maker's name.
var layouts = []struct {
	kind string
	path []string
}{
	{"Garmin", []string{"Garmin", "Activities"}},
	{"Garmin", []string{"Garmin", "Activity"}},
}

// FIT profile manufacturer ids of makers riders plug in or export from.
var manufacturers = map[int]string{
	1:   "Garmin",
	23:  "Suunto",
	32:  "Wahoo",
	69:  "Stages",
	70:  "Sigma",
	107: "Magene",
	112: "Bryton", // bryton_sensors
	115: "iGPSport",
	123: "Polar",
	258: "Lezyne",
	260: "Zwift",
	267: "Bryton",
	289: "Hammerhead",
	294: "COROS",
	307: "Onelap",
	331: "MyWhoosh",
}

// maxDepth bounds the search for activity folders below a volume's root.
const maxDepth = 3

// DetectDeviceFolders finds activity folders on a mounted volume: known
// layouts first, then any folder (at most three levels down) holding FIT
// activity files, named after their maker.
func DetectDeviceFolders(root string) []DeviceFolder {
	var out []DeviceFolder
	seen := map[string]bool{}
	for _, l := range layouts {
		p, ok := findFold(root, l.path...)
		if !ok || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, DeviceFolder{Path: p, Kind: l.kind, Why: strings.Join(l.path, "/") + " layout"})
	}
	walkDirs(root, 0, func(dir string) {
		if seen[dir] {
			return
		}
		maker, ok := activityMaker(dir)
		if !ok {
			return
		}
		seen[dir] = true
		why := "FIT activity files"
		if maker != "" {
			why = "FIT activity files made by " + maker
		}
		out = append(out, DeviceFolder{Path: dir, Kind: maker, Why: why})
	})
	return out
}

// findFold follows names below root, matching each without regard to case.
func findFold(root string, names ...string) (string, bool) {
	p := root
	for _, name := range names {
		entries, err := os.ReadDir(p)
		if err != nil {
			return "", false
		}
		found := ""
		for _, e := range entries {
			if e.IsDir() && strings.EqualFold(e.Name(), name) {
				found = e.Name()
				break
			}
		}
		if found == "" {
			return "", false
		}
		p = filepath.Join(p, found)
	}
	return p, true
}

// skipDirs are system folders on removable volumes, never activity folders.
var skipDirs = map[string]bool{
	"system volume information": true,
	"$recycle.bin":              true,
	"lost.dir":                  true,
	"android":                   true,
}

func walkDirs(dir string, depth int, visit func(string)) {
	if depth > maxDepth {
		return
	}
	if depth > 0 {
		visit(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || skipDirs[strings.ToLower(name)] {
			continue
		}
		walkDirs(filepath.Join(dir, name), depth+1, visit)
	}
}

// activityMaker reports whether dir holds FIT activity files, and their maker
// ("" when unknown). It reads only the head of a few files.
func activityMaker(dir string) (string, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	tried := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || !strings.EqualFold(filepath.Ext(e.Name()), ".fit") {
			continue
		}
		if tried++; tried > 5 {
			break
		}
		h, ok := readFITHead(filepath.Join(dir, e.Name()))
		if !ok || h.FileType != 4 { // 4: activity; courses, workouts and settings are not rides
			continue
		}
		return manufacturers[h.Manufacturer], true
	}
	return "", false
}

func readFITHead(p string) (fitHead, bool) {
	f, err := os.Open(p)
	if err != nil {
		return fitHead{}, false
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return fitHead{}, false
	}
	h, err := walkFIT(head, true)
	return h, err == nil
}

// MountRoots lists the mounted volumes where a head unit may appear.
func MountRoots() []string { return mountRoots(hostSystem()) }

func mountRoots(s system) []string {
	var out []string
	children := func(dir string) {
		if s.subdirs == nil {
			return
		}
		names := s.subdirs(dir)
		sort.Strings(names)
		for _, n := range names {
			out = append(out, s.join(dir, n))
		}
	}
	switch s.goos {
	case "windows":
		for c := 'D'; c <= 'Z'; c++ {
			root := string(c) + `:\`
			if s.isDir != nil && s.isDir(root) {
				out = append(out, root)
			}
		}
	case "darwin":
		if s.subdirs == nil {
			return nil
		}
		names := s.subdirs("/Volumes")
		sort.Strings(names)
		for _, n := range names {
			p := s.join("/Volumes", n)
			// The start-up disk appears as a link to "/"; removable volumes are
			// real mount points.
			if strings.HasPrefix(n, ".") || (s.isLink != nil && s.isLink(p)) {
				continue
			}
			out = append(out, p)
		}
	default:
		if u := s.getenv("USER"); u != "" {
			children(s.join("/media", u))
			children(s.join("/run/media", u))
		}
		children("/mnt")
		// gvfs mounts MTP devices (Wahoo, Android-based units) here.
		run := s.getenv("XDG_RUNTIME_DIR")
		if run == "" && s.uid != "" {
			run = s.join("/run/user", s.uid)
		}
		if run != "" {
			children(s.join(run, "gvfs"))
		}
	}
	return out
}

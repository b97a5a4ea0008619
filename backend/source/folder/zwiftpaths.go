package folder

import (
	"bufio"
	"bytes"
	"os"
	"strings"
)

// Candidate is one place Zwift may keep its finished rides.
type Candidate struct {
	Path   string
	Exists bool
	Why    string // where the path comes from, for diagnostics
}

// EnvZwiftDir, when set, replaces the search: one folder or several separated
// by the OS list separator.
const EnvZwiftDir = "FITBRIDGE_ZWIFT_DIR"

// ZwiftCandidates lists every place Zwift may keep activities on this
// computer, in order, whether or not it exists. Every existing one should be
// watched: after Zwift's 2026 move old rides stay in the legacy folder.
func ZwiftCandidates() []Candidate { return zwiftCandidates(hostSystem()) }

// ZwiftFolders lists the candidates that exist, each physical folder once.
func ZwiftFolders() []string {
	var out []string
	var seen []os.FileInfo
next:
	for _, c := range ZwiftCandidates() {
		if !c.Exists {
			continue
		}
		fi, err := os.Stat(c.Path)
		if err != nil {
			continue
		}
		for _, s := range seen {
			if os.SameFile(s, fi) { // one folder reached by two paths (links, redirects)
				continue next
			}
		}
		seen = append(seen, fi)
		out = append(out, c.Path)
	}
	return out
}

func zwiftCandidates(s system) []Candidate {
	var list []namedPath
	add := func(why string, elem ...string) {
		for _, e := range elem {
			if e == "" {
				return
			}
		}
		list = append(list, namedPath{s.join(elem...), why})
	}
	const za = "Zwift"
	const act = "Activities"

	if v := s.getenv(EnvZwiftDir); v != "" {
		for _, p := range s.splitList(v) {
			add(EnvZwiftDir, p)
		}
		return s.candidates(list)
	}

	switch s.goos {
	case "windows":
		local := s.getenv("LOCALAPPDATA")
		if local == "" && s.getenv("USERPROFILE") != "" {
			local = s.join(s.getenv("USERPROFILE"), "AppData", "Local")
		}
		add(`Zwift's data folder since 2026 (%LOCALAPPDATA%\Zwift)`, local, za, act)
		if s.documents != nil {
			for _, d := range s.documents() {
				add("legacy Zwift folder in "+d.why, s.expandWindows(d.path), za, act)
			}
		}
		for _, v := range []string{"OneDrive", "OneDriveConsumer", "OneDriveCommercial"} {
			add("legacy Zwift folder in Documents moved by OneDrive (%"+v+"%)", s.getenv(v), "Documents", za, act)
		}
		if up := s.getenv("USERPROFILE"); up != "" {
			add(`legacy Zwift folder in Documents moved by OneDrive (%USERPROFILE%\OneDrive)`, up, "OneDrive", "Documents", za, act)
			add(`legacy Zwift folder (%USERPROFILE%\Documents, before 2026)`, up, "Documents", za, act)
		}
	case "darwin":
		add("Zwift's folder on macOS (~/Documents)", s.home, "Documents", za, act)
		add(`Documents kept in iCloud Drive ("Desktop & Documents Folders")`, s.home, "Library", "Mobile Documents", "com~apple~CloudDocs", "Documents", za, act)
		// Unconfirmed: whether macOS followed Windows' 2026 move out of
		// Documents. Listed so diagnostics show if it exists.
		add("possible 2026 location on macOS (unconfirmed)", s.home, "Library", "Application Support", za, act)
	default:
		// Zwift has no Linux build; riders run the Windows app in Wine or in
		// the netbrain/zwift container, which maps its folder to the host.
		add("netbrain/zwift container's activity folder (ZWIFT_ACTIVITY_DIR)", s.getenv("ZWIFT_ACTIVITY_DIR"))
		docs := xdgDocuments(s)
		add("Documents (XDG), where netbrain/zwift suggests mapping its folder", docs, za, act)
		add("~/Documents", s.home, "Documents", za, act)
		prefix := s.getenv("WINEPREFIX")
		if prefix == "" && s.home != "" {
			prefix = s.join(s.home, ".wine")
		}
		if prefix != "" {
			users := s.join(prefix, "drive_c", "users")
			var names []string
			if s.subdirs != nil {
				for _, n := range s.subdirs(users) {
					if n != "Public" {
						names = append(names, n)
					}
				}
			}
			if len(names) == 0 && s.getenv("USER") != "" {
				names = []string{s.getenv("USER")}
			}
			for _, u := range names {
				add("Wine prefix, Zwift's data folder since 2026", users, u, "AppData", "Local", za, act)
				add("Wine prefix, legacy Documents folder", users, u, "Documents", za, act)
			}
		}
		add("default of one Linux tool (unconfirmed)", s.home, ".local", "share", za, act)
	}
	return s.candidates(list)
}

// candidates drops repeats (case-insensitively on Windows) and checks existence.
func (s system) candidates(list []namedPath) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	for _, p := range list {
		key := strings.TrimRight(p.path, `\/`)
		if s.goos == "windows" || s.goos == "darwin" {
			key = strings.ToLower(key) // case-insensitive file systems by default
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Candidate{Path: p.path, Exists: s.isDir != nil && s.isDir(p.path), Why: p.why})
	}
	return out
}

// xdgDocuments reads the rider's Documents folder from XDG_DOCUMENTS_DIR or
// ~/.config/user-dirs.dirs (it is translated on non-English desktops).
func xdgDocuments(s system) string {
	if v := s.getenv("XDG_DOCUMENTS_DIR"); v != "" {
		return v
	}
	cfg := s.getenv("XDG_CONFIG_HOME")
	if cfg == "" && s.home != "" {
		cfg = s.join(s.home, ".config")
	}
	if cfg == "" || s.readFile == nil {
		return ""
	}
	data, err := s.readFile(s.join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		v, ok := strings.CutPrefix(line, "XDG_DOCUMENTS_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			if s.home == "" {
				return ""
			}
			v = s.home + rest
		}
		if v == s.home || v == s.home+"/" {
			return "" // "Documents = home" means the rider turned the folder off
		}
		return v
	}
	return ""
}

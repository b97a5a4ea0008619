package folder

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeSystem is a computer described by data: its OS, environment, home,
// existing folders and folder listings.
func fakeSystem(goos, home string, env map[string]string, existing []string) system {
	exists := map[string]bool{}
	for _, p := range existing {
		exists[p] = true
	}
	return system{
		goos:     goos,
		getenv:   func(k string) string { return env[k] },
		home:     home,
		isDir:    func(p string) bool { return exists[p] },
		readFile: func(string) ([]byte, error) { return nil, os.ErrNotExist },
	}
}

func paths(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Path)
	}
	return out
}

func TestZwiftCandidates(t *testing.T) {
	tests := []struct {
		name     string
		sys      func() system
		want     []string
		existing []string // the candidates expected to exist
	}{
		{
			name: "Windows, Documents moved by OneDrive (registry value unexpanded)",
			sys: func() system {
				s := fakeSystem("windows", `C:\Users\ann`, map[string]string{
					"LOCALAPPDATA": `C:\Users\ann\AppData\Local`,
					"USERPROFILE":  `C:\Users\ann`,
					"OneDrive":     `C:\Users\ann\OneDrive`,
				}, []string{`C:\Users\ann\AppData\Local\Zwift\Activities`, `C:\Users\ann\OneDrive\Documents\Zwift\Activities`})
				s.documents = func() []namedPath {
					return []namedPath{{`%USERPROFILE%\OneDrive\Documents`, "registry"}}
				}
				return s
			},
			want: []string{
				`C:\Users\ann\AppData\Local\Zwift\Activities`,
				`C:\Users\ann\OneDrive\Documents\Zwift\Activities`,
				`C:\Users\ann\Documents\Zwift\Activities`,
			},
			existing: []string{`C:\Users\ann\AppData\Local\Zwift\Activities`, `C:\Users\ann\OneDrive\Documents\Zwift\Activities`},
		},
		{
			name: "Windows, Documents redirected to a network share, business OneDrive",
			sys: func() system {
				s := fakeSystem("windows", `C:\Users\bob`, map[string]string{
					"LOCALAPPDATA":       `C:\Users\bob\AppData\Local`,
					"USERPROFILE":        `C:\Users\bob`,
					"OneDriveCommercial": `C:\Users\bob\OneDrive - Contoso`,
				}, []string{`\\fs01\home$\bob\Documents\Zwift\Activities`})
				s.documents = func() []namedPath {
					return []namedPath{{`\\fs01\home$\bob\Documents`, "Known Folder"}, {`\\FS01\home$\bob\Documents\`, "registry"}}
				}
				return s
			},
			want: []string{
				`C:\Users\bob\AppData\Local\Zwift\Activities`,
				`\\fs01\home$\bob\Documents\Zwift\Activities`,
				`C:\Users\bob\OneDrive - Contoso\Documents\Zwift\Activities`,
				`C:\Users\bob\OneDrive\Documents\Zwift\Activities`,
				`C:\Users\bob\Documents\Zwift\Activities`,
			},
			existing: []string{`\\fs01\home$\bob\Documents\Zwift\Activities`},
		},
		{
			name: "Windows without LOCALAPPDATA",
			sys: func() system {
				return fakeSystem("windows", "", map[string]string{"USERPROFILE": `D:\Profiles\cy`}, nil)
			},
			want: []string{
				`D:\Profiles\cy\AppData\Local\Zwift\Activities`,
				`D:\Profiles\cy\OneDrive\Documents\Zwift\Activities`,
				`D:\Profiles\cy\Documents\Zwift\Activities`,
			},
		},
		{
			name: "macOS with Documents in iCloud Drive",
			sys: func() system {
				return fakeSystem("darwin", "/Users/ann", nil, []string{"/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/Documents/Zwift/Activities"})
			},
			want: []string{
				"/Users/ann/Documents/Zwift/Activities",
				"/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/Documents/Zwift/Activities",
				"/Users/ann/Library/Application Support/Zwift/Activities",
			},
			existing: []string{"/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/Documents/Zwift/Activities"},
		},
		{
			name: "Linux with Wine and a translated Documents folder",
			sys: func() system {
				s := fakeSystem("linux", "/home/ann", map[string]string{"USER": "ann", "ZWIFT_ACTIVITY_DIR": "/srv/zwift"},
					[]string{"/home/ann/.wine/drive_c/users/ann/AppData/Local/Zwift/Activities"})
				s.readFile = func(p string) ([]byte, error) {
					if p != "/home/ann/.config/user-dirs.dirs" {
						return nil, os.ErrNotExist
					}
					return []byte("# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Schreibtisch\"\nXDG_DOCUMENTS_DIR=\"$HOME/Dokumente\"\n"), nil
				}
				s.subdirs = func(p string) []string {
					if p == "/home/ann/.wine/drive_c/users" {
						return []string{"Public", "ann"}
					}
					return nil
				}
				return s
			},
			want: []string{
				"/srv/zwift",
				"/home/ann/Dokumente/Zwift/Activities",
				"/home/ann/Documents/Zwift/Activities",
				"/home/ann/.wine/drive_c/users/ann/AppData/Local/Zwift/Activities",
				"/home/ann/.wine/drive_c/users/ann/Documents/Zwift/Activities",
				"/home/ann/.local/share/Zwift/Activities",
			},
			existing: []string{"/home/ann/.wine/drive_c/users/ann/AppData/Local/Zwift/Activities"},
		},
		{
			name: "Linux with a WINEPREFIX",
			sys: func() system {
				return fakeSystem("linux", "/home/bo", map[string]string{"USER": "bo", "WINEPREFIX": "/games/zwift"}, nil)
			},
			want: []string{
				"/home/bo/Documents/Zwift/Activities",
				"/games/zwift/drive_c/users/bo/AppData/Local/Zwift/Activities",
				"/games/zwift/drive_c/users/bo/Documents/Zwift/Activities",
				"/home/bo/.local/share/Zwift/Activities",
			},
		},
		{
			name: "FITBRIDGE_ZWIFT_DIR overrides the search (Windows list separator)",
			sys: func() system {
				return fakeSystem("windows", `C:\Users\ann`, map[string]string{
					EnvZwiftDir:    `E:\Zwift\Activities; \\nas\rides`,
					"LOCALAPPDATA": `C:\Users\ann\AppData\Local`,
				}, []string{`E:\Zwift\Activities`})
			},
			want:     []string{`E:\Zwift\Activities`, `\\nas\rides`},
			existing: []string{`E:\Zwift\Activities`},
		},
		{
			name: "FITBRIDGE_ZWIFT_DIR on macOS",
			sys: func() system {
				return fakeSystem("darwin", "/Users/ann", map[string]string{EnvZwiftDir: "/Volumes/Backup/Zwift"}, nil)
			},
			want: []string{"/Volumes/Backup/Zwift"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := zwiftCandidates(tt.sys())
			if !reflect.DeepEqual(paths(got), tt.want) {
				t.Fatalf("candidates:\n  %s\nwant:\n  %s", strings.Join(paths(got), "\n  "), strings.Join(tt.want, "\n  "))
			}
			var existing []string
			for _, c := range got {
				if c.Why == "" {
					t.Errorf("%s has no reason", c.Path)
				}
				if c.Exists {
					existing = append(existing, c.Path)
				}
			}
			if !reflect.DeepEqual(existing, tt.existing) {
				t.Errorf("existing %v, want %v", existing, tt.existing)
			}
		})
	}
}

func TestZwiftFoldersOnThisComputer(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(a, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	t.Setenv(EnvZwiftDir, strings.Join([]string{a, filepath.Join(b, "absent"), link, b}, string(os.PathListSeparator)))
	if got, want := ZwiftFolders(), []string{a, b}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ZwiftFolders() = %v, want %v (existing folders, each once)", got, want)
	}
	if got := ZwiftCandidates(); len(got) != 4 || got[1].Exists {
		t.Fatalf("ZwiftCandidates() = %+v", got)
	}
}

func TestWindowsJoinAndExpand(t *testing.T) {
	s := fakeSystem("windows", "", map[string]string{"USERPROFILE": `C:\Users\ann`, "OneDrive": `C:\Users\ann\OneDrive\`}, nil)
	tests := []struct{ got, want string }{
		{s.join(`C:\Users\ann\`, "Documents", "Zwift"), `C:\Users\ann\Documents\Zwift`},
		{s.join(`\\server\share`, "Zwift"), `\\server\share\Zwift`},
		{s.join("D:", "Zwift"), `D:\Zwift`},
		{s.join("D:"), `D:\`},
		{s.expandWindows(`%USERPROFILE%\Documents`), `C:\Users\ann\Documents`},
		{s.expandWindows(`%OneDrive%Documents`), `C:\Users\ann\OneDrive\Documents`},
		{s.expandWindows(`%UNSET%\x`), `%UNSET%\x`},
		{s.expandWindows(`100% sure`), `100% sure`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

package folder

import (
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// system is what folder discovery asks of the computer. Tests fill one in to
// check every operating system's answers on any machine.
type system struct {
	goos   string
	getenv func(string) string
	home   string
	// isDir reports whether a folder exists.
	isDir func(string) bool
	// readFile reads small settings files (XDG user-dirs.dirs).
	readFile func(string) ([]byte, error)
	// subdirs lists the folder names inside a folder (links to folders included).
	subdirs func(string) []string
	// isLink reports whether a path is a symbolic link.
	isLink func(string) bool
	// documents gives Windows' real Documents folders, unexpanded
	// ("%USERPROFILE%\Documents" as the registry stores it), with where each
	// came from. Nil on other systems.
	documents func() []namedPath
	// uid is the numeric user id (Linux runtime folder), "" when unknown.
	uid string
}

type namedPath struct{ path, why string }

func hostSystem() system {
	home, _ := os.UserHomeDir()
	return system{
		goos:   runtime.GOOS,
		getenv: os.Getenv,
		home:   home,
		isDir: func(p string) bool {
			fi, err := os.Stat(p)
			return err == nil && fi.IsDir()
		},
		readFile: os.ReadFile,
		subdirs: func(p string) []string {
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil
			}
			var names []string
			for _, e := range entries {
				if e.IsDir() || e.Type()&os.ModeSymlink != 0 {
					names = append(names, e.Name())
				}
			}
			return names
		},
		isLink: func(p string) bool {
			fi, err := os.Lstat(p)
			return err == nil && fi.Mode()&os.ModeSymlink != 0
		},
		documents: windowsDocuments,
		uid:       hostUID(),
	}
}

// join builds a path for the system's OS, so Windows paths come out with
// backslashes even when tests run elsewhere.
func (s system) join(elem ...string) string {
	if s.goos == runtime.GOOS {
		return filepath.Join(elem...)
	}
	if s.goos != "windows" {
		return path.Join(elem...)
	}
	var b strings.Builder
	for i, e := range elem {
		if e == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			e = strings.TrimLeft(e, `\/`)
			if !strings.HasSuffix(b.String(), `\`) {
				b.WriteByte('\\')
			}
		}
		b.WriteString(strings.TrimRight(strings.ReplaceAll(e, "/", `\`), `\`))
	}
	if s := b.String(); len(s) == 2 && s[1] == ':' {
		return s + `\` // a bare drive letter means the drive's root
	}
	return b.String()
}

func (s system) listSeparator() string {
	if s.goos == "windows" {
		return ";"
	}
	return ":"
}

// splitList splits a list of folders (FITBRIDGE_ZWIFT_DIR, a setting) on the
// system's list separator, dropping blanks.
func (s system) splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, s.listSeparator()) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// expandWindows replaces %NAME% with the variable's value, as Windows does for
// REG_EXPAND_SZ values; unknown names are left as they are.
func (s system) expandWindows(v string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '%')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i+1:], '%')
		if j < 0 {
			break
		}
		name := v[i+1 : i+1+j]
		if val := s.getenv(name); name != "" && val != "" {
			b.WriteString(v[:i])
			b.WriteString(val)
		} else {
			b.WriteString(v[:i+2+j])
		}
		v = v[i+2+j:]
	}
	b.WriteString(v)
	return b.String()
}

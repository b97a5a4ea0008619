package browser

import (
	"errors"
	"testing"
)

func TestFindBrowser(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	files := func(have ...string) func(string) bool {
		return func(p string) bool {
			for _, h := range have {
				if h == p {
					return true
				}
			}
			return false
		}
	}
	noPath := func(string) (string, error) { return "", errors.New("not found") }
	onPath := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, h := range names {
				if h == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	tests := []struct {
		name   string
		goos   string
		env    map[string]string
		exists func(string) bool
		look   func(string) (string, error)
		want   string
		err    bool
	}{
		{"override", "linux", map[string]string{EnvBrowser: "/opt/my/chrome"}, files("/opt/my/chrome"), onPath("chromium"), "/opt/my/chrome", false},
		{"override missing", "linux", map[string]string{EnvBrowser: "/opt/none"}, files(), onPath("chromium"), "", true},
		{"linux path order", "linux", nil, files(), onPath("chromium", "brave-browser"), "/usr/bin/chromium", false},
		{"linux snap", "linux", nil, files("/snap/bin/chromium"), noPath, "/snap/bin/chromium", false},
		{"linux none", "linux", nil, files(), noPath, "", true},
		{"windows edge x86", "windows", map[string]string{"ProgramFiles(x86)": `C:\Program Files (x86)`},
			files(`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`), noPath,
			`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, false},
		{"windows chrome per user", "windows", map[string]string{"LocalAppData": `C:\Users\r\AppData\Local`},
			files(`C:\Users\r\AppData\Local\Google\Chrome\Application\chrome.exe`, `C:\Program Files\Microsoft\Edge\Application\msedge.exe`), noPath,
			`C:\Users\r\AppData\Local\Google\Chrome\Application\chrome.exe`, false},
		{"windows brave", "windows", nil, files(`C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe`), noPath,
			`C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe`, false},
		{"mac edge", "darwin", map[string]string{"HOME": "/Users/r"}, files("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"), noPath,
			"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge", false},
		{"mac user apps", "darwin", map[string]string{"HOME": "/Users/r"}, files("/Users/r/Applications/Brave Browser.app/Contents/MacOS/Brave Browser"), noPath,
			"/Users/r/Applications/Brave Browser.app/Contents/MacOS/Brave Browser", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBrowser(tc.goos, env(tc.env), tc.exists, tc.look)
			if tc.err {
				if !errors.Is(err, ErrNoBrowser) {
					t.Fatalf("err = %v, want ErrNoBrowser", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

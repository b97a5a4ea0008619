// Package browser finds and starts the Chrome-family browser FitBridge
// drives over the DevTools protocol: the sign-in capture and iGPSport
// China's web app both start theirs here, each with a throw-away profile.
package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// EnvBrowser names a browser binary to use instead of searching for one.
const EnvBrowser = "FITBRIDGE_BROWSER"

// EnvHeadless set to 1 runs the browser without a window (tests, CI).
const EnvHeadless = "FITBRIDGE_BROWSER_HEADLESS"

// ErrNoBrowser means no Chrome-family browser could be found or started.
var ErrNoBrowser = errors.New("no Chrome, Chromium, Edge or Brave browser was found on this computer: " +
	"install one (or set " + EnvBrowser + " to its path), or sign in with email and password, or paste a token instead")

// Find returns the path of a Chrome-family browser: FITBRIDGE_BROWSER
// when set, else Chrome, Chromium, Edge or Brave in their usual places.
func Find() (string, error) {
	return findBrowser(runtime.GOOS, os.Getenv, isFile, exec.LookPath)
}

// findBrowser is Find with the operating system and the file system
// passed in, so every platform's search can be tested anywhere.
func findBrowser(goos string, getenv func(string) string, exists func(string) bool, lookPath func(string) (string, error)) (string, error) {
	if p := getenv(EnvBrowser); p != "" {
		if exists(p) {
			return p, nil
		}
		if found, err := lookPath(p); err == nil {
			return found, nil
		}
		return "", fmt.Errorf("%s is set to %q, which does not exist: %w", EnvBrowser, p, ErrNoBrowser)
	}
	names, paths := browserCandidates(goos, getenv)
	for _, n := range names {
		if found, err := lookPath(n); err == nil {
			return found, nil
		}
	}
	for _, p := range paths {
		if exists(p) {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// browserCandidates lists, in order of preference, the program names looked
// up on PATH and the absolute paths tried for goos.
func browserCandidates(goos string, getenv func(string) string) (names, paths []string) {
	switch goos {
	case "windows":
		// Per-machine installs live under either Program Files; per-user
		// installs (Chrome without admin rights, Brave) under LocalAppData.
		var roots []string
		for _, v := range []struct{ env, def string }{
			{"ProgramFiles", `C:\Program Files`},
			{"ProgramFiles(x86)", `C:\Program Files (x86)`},
			{"LocalAppData", ""},
		} {
			root := getenv(v.env)
			if root == "" {
				root = v.def
			}
			if root == "" && v.env == "LocalAppData" {
				if home := getenv("USERPROFILE"); home != "" {
					root = home + `\AppData\Local`
				}
			}
			if root != "" {
				roots = append(roots, root)
			}
		}
		for _, rel := range []string{
			`Google\Chrome\Application\chrome.exe`,
			`Chromium\Application\chrome.exe`,
			`Microsoft\Edge\Application\msedge.exe`,
			`BraveSoftware\Brave-Browser\Application\brave.exe`,
		} {
			for _, root := range roots {
				paths = append(paths, root+`\`+rel)
			}
		}
		return []string{"chrome.exe", "msedge.exe", "brave.exe"}, paths
	case "darwin":
		apps := []string{
			"Google Chrome.app/Contents/MacOS/Google Chrome",
			"Chromium.app/Contents/MacOS/Chromium",
			"Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
			"Brave Browser.app/Contents/MacOS/Brave Browser",
		}
		for _, a := range apps {
			paths = append(paths, "/Applications/"+a)
		}
		if home := getenv("HOME"); home != "" {
			for _, a := range apps {
				paths = append(paths, filepath.Join(home, "Applications", a))
			}
		}
		return nil, paths
	default:
		names = []string{
			"google-chrome", "google-chrome-stable", "chromium", "chromium-browser",
			"microsoft-edge", "microsoft-edge-stable", "brave-browser",
		}
		// A desktop launcher can start FitBridge with a short PATH, so the
		// usual absolute places are tried too.
		paths = []string{
			"/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/usr/bin/chromium",
			"/usr/bin/chromium-browser", "/usr/bin/microsoft-edge", "/usr/bin/brave-browser",
			"/opt/google/chrome/chrome",
			"/snap/bin/chromium", "/snap/bin/brave", "/snap/bin/google-chrome",
		}
		return names, paths
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

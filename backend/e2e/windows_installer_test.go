package e2e

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWindowsInstallerContents lists the NSIS installer from `make dist` with
// 7z: it must carry the app (the very binary built) and write an
// uninstaller, bring the WebView2 bootstrapper, and ask for no
// administrator rights (a per-user install).
func TestWindowsInstallerContents(t *testing.T) {
	exe := os.Getenv("FITBRIDGE_WINDOWS_INSTALLER")
	if exe == "" {
		t.Skip("set FITBRIDGE_WINDOWS_INSTALLER to the installer from make dist (make test-install does)")
	}
	if _, err := exec.LookPath("7z"); err != nil {
		t.Fatalf("7z (p7zip-full) is needed to list the installer: %v", err)
	}
	out, err := exec.Command("7z", "l", "-slt", exe).CombinedOutput()
	if err != nil {
		t.Fatalf("7z l %s: %v\n%s", exe, err, out)
	}
	if !strings.Contains(string(out), "SubType = NSIS") {
		t.Fatalf("%s is not an NSIS installer:\n%s", exe, out)
	}
	paths := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "Path = "); ok {
			paths[p] = true
		}
	}
	for _, want := range []string{"fitbridge.exe", "uninstall.exe", "$PLUGINSDIR/webview2bootstrapper/MicrosoftEdgeWebview2Setup.exe"} {
		if !paths[want] {
			t.Errorf("the installer lacks %s; it holds %v", want, paths)
		}
	}

	// The app inside is the binary make built, byte for byte.
	inside, err := exec.Command("7z", "x", "-so", exe, "fitbridge.exe").Output()
	if err != nil {
		t.Fatalf("extract fitbridge.exe: %v", err)
	}
	built, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "..", "bin", "fitbridge.exe"))
	if err != nil {
		t.Fatalf("the built Windows binary: %v", err)
	}
	if sha256.Sum256(inside) != sha256.Sum256(built) {
		t.Errorf("fitbridge.exe in the installer (%d bytes) is not build/bin/fitbridge.exe (%d bytes)", len(inside), len(built))
	}

	// Per user: the installer's manifest runs it as the rider, without elevation.
	raw, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`requestedExecutionLevel level="asInvoker"`)) {
		t.Errorf("the installer does not run as the invoking user (per-user install without admin rights)")
	}
}

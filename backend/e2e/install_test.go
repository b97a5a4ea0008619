package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fitbridge/backend/doctor"
	"fitbridge/backend/fakes/intervalsfake"
)

// desktopEntry is where the package puts the app's launcher.
const desktopEntry = "/usr/share/applications/app.fitbridge.FitBridge.desktop"

// TestInstalledPackage installs the .deb from `make dist` with apt (which
// also proves its dependencies resolve), runs FitBridge as a rider would get
// it (on PATH, from its desktop entry, in its window), removes the package
// and checks that the rider's data folder and keyring entries are untouched.
// It changes the machine, so it runs only through `make test-install` (CI).
func TestInstalledPackage(t *testing.T) {
	deb := os.Getenv("FITBRIDGE_INSTALL_DEB")
	if deb == "" {
		t.Skip("set FITBRIDGE_INSTALL_DEB to the .deb from make dist (make test-install does; it changes this machine)")
	}
	requireKeyring(t)
	for _, tool := range []string{"apt-get", "dpkg", "desktop-file-validate", "Xvfb", "xdotool", "xprop", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	if err := exec.Command("dpkg", "-s", "fitbridge").Run(); err == nil {
		t.Fatal("fitbridge is already installed here; this test installs and removes it, so it will not touch an existing installation")
	}
	root := func(args ...string) {
		t.Helper()
		if os.Geteuid() != 0 {
			args = append([]string{"sudo", "-n"}, args...)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	removed := false
	t.Cleanup(func() {
		if !removed {
			root("apt-get", "purge", "-y", "-qq", "fitbridge")
		}
	})
	root("apt-get", "install", "-y", "-qq", "--no-install-recommends", deb)

	// On PATH, with the version the build was stamped with.
	bin, err := exec.LookPath("fitbridge")
	if err != nil || bin != "/usr/bin/fitbridge" {
		t.Fatalf("fitbridge on PATH: %q, %v; want /usr/bin/fitbridge", bin, err)
	}
	want := os.Getenv("FITBRIDGE_EXPECT_VERSION")
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil || strings.TrimSpace(string(out)) != "fitbridge "+want {
			t.Fatalf("fitbridge %s: %q, %v; want \"fitbridge %s\"", arg, out, err, want)
		}
	}

	// The rider's data: Intervals.icu connected through the installed app,
	// its key in the keyring, the library in the data folder.
	ivl := intervalsfake.New(intervalsfake.Options{})
	ivlURL := ivl.Start()
	t.Cleanup(ivl.Close)
	r := newRider(t)
	r.env["FITBRIDGE_INTERVALS_URL"] = ivlURL
	installed := func(stdin string, args ...string) string {
		t.Helper()
		cmd := r.command(stdin, args...)
		cmd.Path, cmd.Args[0] = bin, bin
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("installed fitbridge %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return out.String()
	}
	installed(ivl.APIKey(), "connect", "intervals", "--athlete-id", ivl.AthleteID())
	rep := decode[doctor.Report](t, installed("", "doctor", "--json"))
	if rep.Version != want {
		t.Fatalf("the doctor report names version %q, want %q", rep.Version, want)
	}
	requireIntervalsCheck(t, rep, "installed")

	// The desktop entry: valid, and what it starts is this app, in its window.
	if out, err := exec.Command("desktop-file-validate", desktopEntry).CombinedOutput(); err != nil {
		t.Fatalf("desktop-file-validate %s: %v\n%s", desktopEntry, err, out)
	}
	exe, icon, wmClass := desktopKeys(t, desktopEntry)
	if _, err := os.Stat("/usr/share/icons/hicolor/256x256/apps/" + icon + ".png"); err != nil {
		t.Fatalf("the entry's icon %q: %v", icon, err)
	}
	display := startXvfb(t)
	w := openWindow(t, exe, display, r.home, map[string]string{"FITBRIDGE_INTERVALS_URL": ivlURL, "FITBRIDGE_NO_UPDATE_CHECK": "1"})
	w.waitDrawn()
	// The desktop matches the window to its entry (dock icon, name) by class.
	xprop := exec.Command("xprop", "-id", w.id, "WM_CLASS")
	xprop.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := xprop.Output(); err != nil || !strings.Contains(string(out), `"`+wmClass+`"`) {
		t.Errorf("the window's WM_CLASS is %q (%v); the entry's StartupWMClass is %q", out, err, wmClass)
	}
	shot := w.screenshot("installed")
	if dst := os.Getenv("FITBRIDGE_INSTALL_SHOT"); dst != "" {
		copyFile(t, shot, dst)
	}
	w.quit()

	before := snapshot(t, r.home)
	root("apt-get", "purge", "-y", "-qq", "fitbridge")
	removed = true
	for _, p := range []string{"/usr/bin/fitbridge", "/usr/bin/fitbridge-window", desktopEntry, "/usr/share/metainfo/app.fitbridge.FitBridge.metainfo.xml"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there after removal: %v", p, err)
		}
	}
	after := snapshot(t, r.home)
	if len(before) == 0 || len(after) != len(before) {
		t.Fatalf("the data folder had %d files, has %d after removal", len(before), len(after))
	}
	for p, sum := range before {
		if after[p] != sum {
			t.Errorf("%s changed or went with the package", p)
		}
	}
	// The key is still in the keyring: this build's doctor reads it and
	// Intervals.icu accepts it.
	requireIntervalsCheck(t, decode[doctor.Report](t, r.must("", "doctor", "--json")), "after removal")
}

func requireIntervalsCheck(t *testing.T, rep doctor.Report, when string) {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Service == "intervals" {
			if !c.OK {
				t.Fatalf("%s: the Intervals.icu check failed: %+v", when, c)
			}
			return
		}
	}
	t.Fatalf("%s: no Intervals.icu check in %+v", when, rep.Checks)
}

// desktopKeys returns the program an entry's Exec starts (on PATH, as a
// launcher finds it), its Icon and its StartupWMClass.
func desktopKeys(t *testing.T, path string) (exe, icon, wmClass string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the desktop entry: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "Exec":
			fields := strings.Fields(v)
			if len(fields) == 0 {
				t.Fatalf("empty Exec in %s", path)
			}
			if exe, err = exec.LookPath(fields[0]); err != nil {
				t.Fatalf("Exec=%s: %v", v, err)
			}
		case "Icon":
			icon = v
		case "StartupWMClass":
			wmClass = v
		}
	}
	if exe == "" || icon == "" || wmClass == "" {
		t.Fatalf("%s lacks Exec, Icon or StartupWMClass", path)
	}
	return exe, icon, wmClass
}

// snapshot maps every file under dir to its SHA-256.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		out[p] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatalf("read the data folder: %v", err)
	}
	return out
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(dst, b, 0o644)
	}
	if err != nil {
		t.Fatalf("copy %s to %s: %v", src, dst, err)
	}
}

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rpmutils "github.com/sassoftware/go-rpmutils"
)

// The files every Linux package must install, and where.
var linuxPackageFiles = []string{
	"/usr/bin/fitbridge",
	"/usr/bin/fitbridge-window",
	"/usr/share/applications/app.fitbridge.FitBridge.desktop",
	"/usr/share/metainfo/app.fitbridge.FitBridge.metainfo.xml",
	"/usr/share/icons/hicolor/16x16/apps/app.fitbridge.FitBridge.png",
	"/usr/share/icons/hicolor/48x48/apps/app.fitbridge.FitBridge.png",
	"/usr/share/icons/hicolor/256x256/apps/app.fitbridge.FitBridge.png",
	"/usr/share/icons/hicolor/512x512/apps/app.fitbridge.FitBridge.png",
}

// TestLinuxPackagesContents reads the .deb and the .rpm from `make dist`
// without installing them: the same files, the version the build was
// stamped with, and runtime libraries only as dependencies (GTK 3 and
// WebKitGTK 4.1; never a -dev or -devel package).
func TestLinuxPackagesContents(t *testing.T) {
	deb := os.Getenv("FITBRIDGE_INSTALL_DEB")
	if deb == "" {
		t.Skip("set FITBRIDGE_INSTALL_DEB to the .deb from make dist (make test-install does)")
	}
	want := os.Getenv("FITBRIDGE_EXPECT_VERSION")
	devPackage := func(dep string) bool { return strings.Contains(dep, "-dev") }

	t.Run("deb", func(t *testing.T) {
		field := func(name string) string {
			out, err := exec.Command("dpkg-deb", "--field", deb, name).Output()
			if err != nil {
				t.Fatalf("dpkg-deb --field %s: %v", name, err)
			}
			return strings.TrimSpace(string(out))
		}
		// Debian orders a pre-release before its release with "~".
		if v := field("Version"); v != strings.Replace(want, "-", "~", 1) {
			t.Errorf("Version %q, want %q", v, want)
		}
		deps := strings.Split(field("Depends"), ", ")
		for _, need := range []string{"libgtk-3-0", "libwebkit2gtk-4.1-0"} {
			if !slices.Contains(deps, need) {
				t.Errorf("Depends %q lacks %s", deps, need)
			}
		}
		if slices.ContainsFunc(deps, devPackage) {
			t.Errorf("Depends %q names a development package", deps)
		}
		out, err := exec.Command("dpkg-deb", "--contents", deb).Output()
		if err != nil {
			t.Fatalf("dpkg-deb --contents: %v", err)
		}
		for _, f := range linuxPackageFiles {
			if !strings.Contains(string(out), " ."+f+"\n") {
				t.Errorf("the .deb lacks %s", f)
			}
		}
	})

	t.Run("rpm", func(t *testing.T) {
		matches, _ := filepath.Glob(strings.TrimSuffix(deb, "-linux-amd64.deb") + "-linux-x86_64.rpm")
		if len(matches) != 1 {
			t.Fatalf("no .rpm next to %s", deb)
		}
		f, err := os.Open(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		hdr, err := rpmutils.ReadHeader(f)
		if err != nil {
			t.Fatalf("read the .rpm: %v", err)
		}
		nevra, err := hdr.GetNEVRA()
		if err != nil {
			t.Fatal(err)
		}
		// rpm has no "-" in a version: the pre-release part follows a "~".
		if got := nevra.Version; nevra.Name != "fitbridge" || got != strings.Replace(want, "-", "~", 1) {
			t.Errorf("the .rpm is %s %s, want fitbridge %s", nevra.Name, got, want)
		}
		reqs, err := hdr.GetStrings(rpmutils.REQUIRENAME)
		if err != nil {
			t.Fatal(err)
		}
		for _, need := range []string{"gtk3", "webkit2gtk4.1"} {
			if !slices.Contains(reqs, need) {
				t.Errorf("Requires %q lacks %s", reqs, need)
			}
		}
		if slices.ContainsFunc(reqs, devPackage) {
			t.Errorf("Requires %q names a development package", reqs)
		}
		files, err := hdr.GetFiles()
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(files))
		for _, fi := range files {
			names = append(names, fi.Name())
		}
		for _, f := range linuxPackageFiles {
			if !slices.Contains(names, f) {
				t.Errorf("the .rpm lacks %s", f)
			}
		}
	})
}

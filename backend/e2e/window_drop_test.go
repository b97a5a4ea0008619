package e2e

import (
	"archive/zip"
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/store"
)

// A Strava export larger than the 64 MiB an activity file may be, dragged
// from a file manager onto the library in the real window: the window takes
// its path and reads it where it is, so every ride in it lands in the
// library with its name from the CSV. Dropped as bytes, it was refused.
func TestDesktopWindowDropsALargeExport(t *testing.T) {
	bin, display := desktopTest(t, "import", "/usr/bin/python3")

	// Past the wizard, straight to the calendar.
	home := t.TempDir()
	st, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting("wizard_done", "true"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	export := filepath.Join(t.TempDir(), "export_77.zip")
	writeLargeStravaExport(t, export)
	if fi, err := os.Stat(export); err != nil || fi.Size() <= 64<<20 {
		t.Fatalf("the export must be over 64 MiB: %v %v", fi, err)
	}

	w := openWindow(t, bin, display, home, map[string]string{
		"FITBRIDGE_NO_UPDATE_CHECK": "1",
		"LANG":                      "C.UTF-8", "LC_ALL": "", "LANGUAGE": "",
	})
	w.waitDrawn()
	time.Sleep(2 * time.Second) // the library screen settles

	src := exec.Command("/usr/bin/python3", filepath.Join("testdata", "dragsource.py"), export)
	src.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := src.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	src.Stderr = os.Stderr
	if err := src.Start(); err != nil {
		t.Fatalf("start the drag source: %v", err)
	}
	t.Cleanup(func() { src.Process.Kill(); src.Wait() })
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if l != "ready" {
			t.Fatalf("drag source: %q", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the drag source did not show")
	}
	var srcID string
	w.waitFor("the drag source's window", 10*time.Second, func() bool {
		ids, err := w.xdotool("search", "--onlyvisible", "--name", "^drag source$")
		if err != nil || ids == "" {
			return false
		}
		srcID = strings.Fields(ids)[0]
		return true
	})
	// Beside the 1200-pixel-wide window, on the 1280-pixel screen.
	w.must("windowmove", srcID, "1210", "20")
	time.Sleep(500 * time.Millisecond)

	// Press on the source, move across in steps as a hand does, let go over
	// the calendar.
	w.must("mousemove", "1240", "50")
	w.must("mousedown", "1")
	for _, p := range [][2]int{{1230, 52}, {1200, 60}, {1100, 120}, {900, 250}, {700, 380}, {620, 420}, {600, 430}} {
		time.Sleep(150 * time.Millisecond)
		w.must("mousemove", strconv.Itoa(p[0]), strconv.Itoa(p[1]))
	}
	time.Sleep(500 * time.Millisecond)
	w.must("mouseup", "1")
	select {
	case l := <-lines:
		if l != "dropped" {
			t.Fatalf("drag source: %q", l)
		}
	case <-time.After(10 * time.Second):
		w.fail("the drag never ended")
	}

	r := &rider{t: t, home: home, env: map[string]string{}}
	var names []string
	w.waitFor("the export's rides in the library", 60*time.Second, func() bool {
		stdout, _, code := r.run("", "list", "--json")
		if code != 0 {
			return false
		}
		lib := decode[struct{ Activities []archiveEntryJSON }](t, stdout)
		names = names[:0]
		for _, a := range lib.Activities {
			names = append(names, a.Name)
		}
		return len(names) >= 2
	})
	w.screenshot("dropped-export")
	if strings.Join(names, "|") != "Watopia flat|Home from work" && strings.Join(names, "|") != "Home from work|Watopia flat" {
		t.Errorf("library holds %q, want the two rides named from the CSV", names)
	}
	w.quit()
}

// writeLargeStravaExport writes a Strava export whose rides are small and
// whose media make it larger than an activity file may be.
func writeLargeStravaExport(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	csv := "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Commute,Activity Gear,Filename\n" +
		"1,\"Jun 12, 2017, 4:10:15 PM\",Home from work,Ride,,65,0.3,true,,activities/1.fit.gz\n" +
		"2,\"Oct 5, 2017, 12:04:06 AM\",Watopia flat,Virtual Ride,,1807,13.4,false,,activities/2.fit\n"
	for _, m := range []struct {
		name string
		data []byte
	}{
		{"activities.csv", []byte(csv)},
		{"activities/1.fit.gz", gzipped(t, mustRead(t, fixture(t, "garmin_edge820_2017-06-12_commute_short.fit")))},
		{"activities/2.fit", mustRead(t, fixture(t, "zwift_2017-10-05_virtualride.fit"))},
	} {
		mw, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		mw.Write(m.data)
	}
	// A ride's video, stored as it is: what makes real exports gigabytes.
	mw, err := zw.CreateHeader(&zip.FileHeader{Name: "media/ride.mp4", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range 70 {
		chunk[0] = byte(i)
		if _, err := mw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

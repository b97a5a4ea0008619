package e2e

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
)

// The built desktop app, in its real window (WebKitGTK through Wails) on a
// virtual X display, driven with xdotool the way a rider drives it: clicks
// and typing. Every binding the wizard and the Diagnostics page call goes
// through the window's own bridge, which the browser mode does not exercise.
//
// Buttons that move with the content are found on a screenshot by their
// colour (the solid accent block of a primary button); fields and links above
// any changing content are clicked where the 1200×800 layout puts them. Each
// step waits for what the rider's action causes at the fakes (a sign-in, a
// listing, uploads, a report file) rather than for time.
func TestDesktopWindow(t *testing.T) {
	bin, display := desktopTest(t, "import")

	ivl := intervalsfake.New(intervalsfake.Options{})
	ivlURL := ivl.Start()
	t.Cleanup(ivl.Close)
	mw := mywhooshfake.New(mywhooshfake.Options{})
	mwURL := mw.Start()
	t.Cleanup(mw.Close)
	from, to := twoYears()
	rides := mw.Seed(5, from, to, rand.New(rand.NewSource(11)))
	withFile := 0
	for _, r := range rides {
		if r.HasFile() {
			withFile++
		}
	}

	home := t.TempDir()
	w := openWindow(t, bin, display, home, map[string]string{
		"FITBRIDGE_INTERVALS_URL": ivlURL,
		"FITBRIDGE_MYWHOOSH_URL":  mwURL,
		// A notice of a newer release would move what the clicks aim at.
		"FITBRIDGE_NO_UPDATE_CHECK": "1",
		// A session in the POSIX locale: WebKit then reports the language
		// "C", which once left the window empty.
		"LANG": "C.UTF-8", "LC_ALL": "", "LANGUAGE": "",
	})

	// Welcome → Intervals.icu: the page must have drawn itself.
	w.waitDrawn()
	w.clickButton(rect(600, 400, 1200, 800), "Get started")
	w.click(327, 281, "athlete ID")
	w.typeText(ivl.AthleteID())
	w.key("Tab")
	w.typeText(ivl.APIKey())
	w.key("Return")
	w.waitFor("Intervals.icu connected (ConnectIntervals)", 20*time.Second, func() bool {
		for _, r := range ivl.Requests() {
			if r.Path == "/api/v1/athlete/0" && r.Status == 200 {
				return true
			}
		}
		return false
	})

	// Sources: MyWhoosh with email and password, the API-login fallback.
	w.clickButton(rect(900, 250, 1200, 800), "Next")
	w.click(712, 371, "MyWhoosh: other ways to sign in")
	w.key("Tab") // from the link to the email field below it
	w.typeText(mywhooshfake.DefaultEmail)
	w.key("Tab")
	w.typeText(mywhooshfake.DefaultPassword)
	w.key("Return")
	w.waitFor("MyWhoosh signed in and checked (ConnectPassword)", 30*time.Second, func() bool {
		st := mw.Stats()
		return st.Logins >= 1 && st.ListCalls >= 1
	})

	// What to bring in: the preview lists MyWhoosh again, then the backfill.
	w.clickButton(rect(900, 600, 1200, 800), "Next")
	w.waitFor("the preview listed MyWhoosh (PreviewBackfill)", 30*time.Second, func() bool { return mw.Stats().ListCalls >= 2 })
	w.clickButtonUntil(rect(160, 300, 600, 800), "Start bringing them in", func() bool {
		return mw.Stats().ListCalls >= 3 || ivl.UploadCount() > 0
	})
	w.waitFor(fmt.Sprintf("%d rides uploaded (StartBackfill)", withFile), 90*time.Second, func() bool { return ivl.UploadCount() >= withFile })

	// Done → the calendar → Diagnostics, which runs the doctor.
	w.clickButton(rect(800, 300, 1200, 800), "Go to my calendar")
	w.click(485, 20, "Diagnostics")
	w.clickButtonUntil(rect(0, 150, 400, 320), "Run checks", func() bool {
		m, _ := filepath.Glob(filepath.Join(home, "logs", "doctor-*.txt"))
		return len(m) > 0
	})
	var report string
	w.waitFor("a diagnostics report (Diagnostics)", 30*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(home, "logs", "doctor-*.txt"))
		if len(m) == 0 {
			return false
		}
		b, _ := os.ReadFile(m[0])
		report = string(b)
		return strings.Contains(report, "mywhoosh")
	})
	for _, want := range []string{"GET /api/v1/athlete/0", "POST /v2/rider/profile/activities"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	w.screenshot("diagnostics")

	if got := ivl.UploadCount(); got != withFile {
		t.Errorf("uploads = %d, want %d (each ride once)", got, withFile)
	}
	w.quit()
	assertNoSecret(t, home, []string{report, w.output()}, ivl.APIKey(), mywhooshfake.DefaultPassword)
}

// desktopTest skips without the built window (make test sets
// FITBRIDGE_WINDOW_BIN), needs the keyring and the tools that drive the
// window, and starts a virtual display: it returns the binary and the display.
func desktopTest(t *testing.T, tools ...string) (bin, display string) {
	t.Helper()
	bin = os.Getenv("FITBRIDGE_WINDOW_BIN")
	if bin == "" {
		t.Skip("set FITBRIDGE_WINDOW_BIN to the built desktop binary (make test does)")
	}
	requireKeyring(t)
	for _, tool := range append([]string{"Xvfb", "xdotool"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to drive the window: %v", tool, err)
		}
	}
	return bin, startXvfb(t)
}

// startXvfb starts a virtual display for this test and returns its name.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x860x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{wr}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	wr.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb named no display: %q", n)
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start")
	}
	return ""
}

// window is the app's process and its top-level window.
type window struct {
	t       *testing.T
	cmd     *exec.Cmd
	display string
	id      string
	log     string
	shots   string
	n       int
}

func openWindow(t *testing.T, bin, display, home string, extra map[string]string) *window {
	t.Helper()
	env := []string{"FITBRIDGE_HOME=" + home, "DISPLAY=" + display}
	for _, kv := range os.Environ() {
		k := kv[:strings.IndexByte(kv, '=')]
		if strings.HasPrefix(k, "FITBRIDGE_") || k == "DISPLAY" || extra[k] != "" || k == "LC_ALL" || k == "LANGUAGE" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	shots := os.Getenv("FITBRIDGE_WINDOW_SHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "fitbridge-window-test")
	}
	os.MkdirAll(shots, 0o755)
	old, _ := filepath.Glob(filepath.Join(shots, "[0-9][0-9]-*.png"))
	for _, p := range old { // this run's pictures only
		os.Remove(p)
	}
	w := &window{t: t, display: display, log: filepath.Join(t.TempDir(), "window.log"), shots: shots}
	logf, err := os.Create(w.log)
	if err != nil {
		t.Fatal(err)
	}
	w.cmd = exec.Command(bin)
	w.cmd.Env = env
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	// Its own process group, so WebKit's helper processes end with it.
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start the window: %v", err)
	}
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
			w.cmd.Wait()
		}
		logf.Close()
	})
	w.waitFor("the FitBridge window", 30*time.Second, func() bool {
		out, err := w.xdotool("search", "--onlyvisible", "--name", "^FitBridge$")
		if err != nil || out == "" {
			return false
		}
		w.id = strings.Fields(out)[0]
		return true
	})
	return w
}

func (w *window) xdotool(args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+w.display)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (w *window) must(args ...string) {
	w.t.Helper()
	if out, err := w.xdotool(args...); err != nil {
		w.fail("xdotool %v: %v: %s", args, err, out)
	}
}

// click clicks at a point of the window's content, then lets the page react.
func (w *window) click(x, y int, what string) {
	w.t.Helper()
	w.must("mousemove", "--window", w.id, strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	time.Sleep(time.Second)
}

func rect(x0, y0, x1, y1 int) image.Rectangle { return image.Rect(x0, y0, x1, y1) }

// accent is the primary buttons' colour (--accent in app.css).
var accent = color.RGBA{R: 0x1f, G: 0x6f, B: 0xeb, A: 0xff}

// clickButton clicks the enabled primary button inside r, once it shows.
func (w *window) clickButton(r image.Rectangle, what string) {
	w.t.Helper()
	// The same place on two screenshots in a row: the page has stopped
	// moving things (a preview filling in pushes the button down).
	var at image.Point
	found := false
	w.waitFor("the "+what+" button, standing still", 15*time.Second, func() bool {
		// Off every button, so none is drawn in its hover colour.
		w.must("mousemove", "--window", w.id, "2", "790")
		time.Sleep(300 * time.Millisecond)
		p, ok := findButton(w.screenshot("find-"+strings.ReplaceAll(strings.ToLower(what), " ", "-")), r)
		still := ok && found && p == at
		at, found = p, ok
		return still
	})
	w.click(at.X, at.Y, what)
}

// clickButtonUntil clicks the button again if what the click should start
// has not begun within a few seconds: the page can still move the button
// between the screenshot and the click.
func (w *window) clickButtonUntil(r image.Rectangle, what string, started func() bool) {
	w.t.Helper()
	for try := 1; ; try++ {
		w.clickButton(r, what)
		deadline := time.Now().Add(8 * time.Second)
		for time.Now().Before(deadline) {
			if started() {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		if try == 3 {
			w.fail("clicking %s three times started nothing", what)
		}
	}
}

// findButton finds a solid block of the accent colour at least 25 rows tall
// inside r: a primary button. Link underlines and focus rings in the same
// colour are a row or two, and a disabled button is paler.
func findButton(path string, r image.Rectangle) (image.Point, bool) {
	f, err := os.Open(path)
	if err != nil {
		return image.Point{}, false
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return image.Point{}, false
	}
	r = r.Intersect(img.Bounds())
	near := func(c color.Color) bool {
		cr, cg, cb, _ := c.RGBA()
		d := func(a uint32, b uint8) int { return int(a>>8) - int(b) }
		abs := func(v int) int { return max(v, -v) }
		return abs(d(cr, accent.R)) <= 6 && abs(d(cg, accent.G)) <= 6 && abs(d(cb, accent.B)) <= 6
	}
	// Rows with many accent pixels; a button's label interrupts them for
	// less than 20 rows, and the whole button is 25 rows or more.
	first, last, hits, minX, maxX := -1, -1, 0, 0, 0
	done := func() (image.Point, bool) {
		if first >= 0 && last-first >= 25 && hits >= 10 {
			return image.Pt((minX+maxX)/2, (first+last)/2), true
		}
		return image.Point{}, false
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		n, lo, hi := 0, r.Max.X, r.Min.X
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(img.At(x, y)) {
				n++
				lo, hi = min(lo, x), max(hi, x)
			}
		}
		if n < 40 {
			continue
		}
		if first >= 0 && y-last > 20 {
			if p, ok := done(); ok {
				return p, true
			}
			first = -1
		}
		if first < 0 {
			first, hits, minX, maxX = y, 0, lo, hi
		}
		// The block's width is its top row's: lower rows can also hold a
		// link's underline in the same colour beside the button ("Finish
		// set-up later" next to "Get started"), which would pull the centre
		// onto the link.
		last, hits = y, hits+1
	}
	if p, ok := done(); ok {
		return p, true
	}
	return image.Point{}, false
}

// typeText types into the focused field. WebKit takes key events in its
// own time: a field left too early loses its last characters to the next.
func (w *window) typeText(s string) {
	w.t.Helper()
	w.must("type", "--delay", "30", s)
	time.Sleep(500 * time.Millisecond)
}

func (w *window) key(k string) {
	w.t.Helper()
	w.must("key", k)
	time.Sleep(300 * time.Millisecond)
}

// waitDrawn waits until the window shows more than a plain background.
func (w *window) waitDrawn() {
	w.t.Helper()
	w.waitFor("the page drawn in the window", 30*time.Second, func() bool {
		p := w.screenshot("start")
		out, err := exec.Command("convert", p, "-format", "%k", "info:").Output()
		n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		return err == nil && n > 50
	})
}

// screenshot saves the window's content and returns the file.
func (w *window) screenshot(name string) string {
	w.n++
	p := filepath.Join(w.shots, fmt.Sprintf("%02d-%s.png", w.n, name))
	cmd := exec.Command("import", "-window", w.id, p)
	cmd.Env = append(os.Environ(), "DISPLAY="+w.display)
	cmd.Run()
	return p
}

func (w *window) waitFor(what string, limit time.Duration, ok func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if w.cmd.ProcessState != nil || (w.cmd.Process != nil && w.cmd.Process.Signal(syscall.Signal(0)) != nil) {
			w.fail("the window process ended while waiting for %s", what)
		}
		if time.Now().After(deadline) {
			w.fail("waited %s for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// What the fake saw, the page shows a moment later.
	time.Sleep(1500 * time.Millisecond)
}

// fail stops the test with a screenshot of the moment and the app's output.
func (w *window) fail(format string, args ...any) {
	w.t.Helper()
	shot := ""
	if w.id != "" {
		shot = " (window at that moment: " + w.screenshot("failure") + ")"
	}
	w.t.Fatalf(format+"%s\napp output:\n%s", append(args, shot, w.output())...)
}

func (w *window) output() string {
	b, _ := os.ReadFile(w.log)
	return string(b)
}

// quit asks the app to end (Ctrl-C, as in a terminal; no window manager
// runs here to pass on a click on the close box) and expects a clean exit.
func (w *window) quit() {
	w.t.Helper()
	w.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			w.t.Errorf("the app ended with %v when asked to quit\n%s", err, w.output())
		}
	case <-time.After(15 * time.Second):
		w.t.Errorf("the app still runs 15 s after it was asked to quit")
	}
}

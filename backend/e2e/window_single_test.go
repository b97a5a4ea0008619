package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The window is single-instance per library: starting it again hands over
// to the open one and ends; while it is open it holds the library, so a
// command that writes is told who has it.
func TestDesktopWindowSingleInstance(t *testing.T) {
	bin, display := desktopTest(t)
	home := t.TempDir()
	first := openWindow(t, bin, display, home, nil)

	second := exec.Command(bin)
	second.Env = append(os.Environ(), "FITBRIDGE_HOME="+home, "DISPLAY="+display)
	out := make(chan []byte, 1)
	go func() { b, _ := second.CombinedOutput(); out <- b }()
	select {
	case b := <-out:
		// Wails ends a second instance with status 1 once it has handed
		// over; an error of FitBridge's own would be printed.
		if strings.Contains(string(b), "fitbridge:") {
			t.Fatalf("the second start failed instead of handing over: %s", b)
		}
	case <-time.After(30 * time.Second):
		_ = second.Process.Kill()
		t.Fatal("the second start did not hand over to the open window")
	}
	if first.cmd.ProcessState != nil {
		t.Fatal("the first window closed")
	}
	// The open window heard about it (and came forward).
	logPath := filepath.Join(home, "logs", "fitbridge.log")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(string(mustRead(t, logPath)), "started again") {
		if time.Now().After(deadline) {
			t.Fatalf("the open window never heard of the second start; its log:\n%s", mustRead(t, logPath))
		}
		time.Sleep(100 * time.Millisecond)
	}
	ids, _ := first.xdotool("search", "--onlyvisible", "--name", "^FitBridge$")
	if n := len(strings.Fields(ids)); n != 1 {
		t.Fatalf("%d FitBridge windows are showing, want the one", n)
	}

	r := &rider{t: t, home: home, env: map[string]string{}}
	_, errs, code := r.run("", "import", fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	if want := fmt.Sprintf("FitBridge is already running (pid %d)", first.cmd.Process.Pid); code != 1 || !strings.Contains(errs, want) {
		t.Fatalf("import while the window is open: exit %d, %q; want %q", code, errs, want)
	}
	if _, errs, code := r.run("", "list"); code != 0 {
		t.Fatalf("list while the window is open: exit %d %s", code, errs)
	}
}

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The test binary doubles as fitbridge itself, to run main as a rider would.
func TestMain(m *testing.M) {
	if os.Getenv("FITBRIDGE_MAIN_CHILD") == "1" {
		os.Args = append([]string{"fitbridge"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A mistyped option is bad usage, answered without trying to open a window
// (which, with no display, could only crash).
func TestUnknownOptionIsUsageNotAWindow(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"-x"}, {"--bogus", "list"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = []string{"FITBRIDGE_MAIN_CHILD=1", "FITBRIDGE_HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "unknown option") {
			t.Errorf("fitbridge %v: exit %d, output %q; want 2 and a usage message", args, code, out)
		}
		if strings.Contains(string(out), "panic") || strings.Contains(string(out), "Gtk") {
			t.Errorf("fitbridge %v tried to open a window: %s", args, out)
		}
	}
}

//go:build linux

package browser

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// killLeftovers kills the browser helpers (zygote, GPU, network service) that
// still run with dir as their profile after the main process went away;
// every Chromium process carries --user-data-dir on its command line.
func killLeftovers(dir string) {
	want := []byte("--user-data-dir=" + dir)
	stop := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(stop); {
		if killUsing(want) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func killUsing(arg []byte) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		for _, a := range bytes.Split(cmd, []byte{0}) {
			if bytes.Equal(a, arg) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				n++
				break
			}
		}
	}
	return n
}

package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
)

// The memory of `fitbridge watch`, the process that sits in the background
// next to a trainer app: idle after start, its peak while it uploads a
// large batch of new rides, and what it holds 60 s after that batch.
// Needs the built binary (make bench passes FITBRIDGE_BIN) and a session
// bus with a keyring, which make bench starts.
func BenchmarkWatchMemory(b *testing.B) {
	bin := os.Getenv("FITBRIDGE_BIN")
	if bin == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		b.Skip("set FITBRIDGE_BIN and run under a session bus (make bench does)")
	}
	const rides = 300
	ivl := intervalsfake.New(intervalsfake.Options{Summarize: summarize, RatePerSec: 1000, Burst: 1000})
	url := ivl.Start()
	defer ivl.Close()
	home, dir := b.TempDir(), b.TempDir()
	memstats := filepath.Join(home, "memstats.txt")
	env := append(os.Environ(), "FITBRIDGE_MEMSTATS="+memstats, "FITBRIDGE_HOME="+home, "FITBRIDGE_INTERVALS_URL="+url, "FITBRIDGE_INTERVALS_API_KEY="+ivl.APIKey())
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("fitbridge %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("connect", "intervals", "--athlete-id", ivl.AthleteID())
	run("connect", "zwift", "--folder", dir)

	watch := exec.Command(bin, "watch", "--settle", "1s")
	watch.Env = env
	var log bytes.Buffer
	watch.Stdout, watch.Stderr = &log, &log
	if err := watch.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { watch.Process.Kill(); watch.Wait() }()
	pid := watch.Process.Pid
	time.Sleep(10 * time.Second)
	idle := status(b, pid, "VmRSS")

	// A batch of new rides arrives, as after a week offline.
	for i := 0; i < rides; i++ {
		start := time.Date(2026, 6, 1, 17, 0, 0, 0, time.UTC).Add(time.Duration(i)*25*time.Hour + time.Duration(i*37)*time.Second)
		data := fitgen.Activity(fitgen.Ride{Start: start, Duration: 90 * time.Minute, DistanceM: 40000, SubSport: fit.SubSportVirtualActivity,
			Manufacturer: fit.ManufacturerZwift, Serial: uint32(5000 + i), AvgPower: 200})
		if err := os.WriteFile(filepath.Join(dir, start.Format("2006-01-02-15-04-05")+".fit"), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for ivl.UploadCount() < rides {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d rides reached Intervals.icu\n%s", ivl.UploadCount(), rides, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(60 * time.Second)
	after := status(b, pid, "VmRSS")
	peak := status(b, pid, "VmHWM")
	b.ReportMetric(idle, "MB-idle")
	b.ReportMetric(peak, "MB-peak")
	b.ReportMetric(after, "MB-60s-after")
	stats, _ := os.ReadFile(memstats)
	fmt.Printf("watch after the batch: resident %.1f MB of which anonymous %.1f MB and file-backed %.1f MB; Go runtime:\n%s", after, status(b, pid, "RssAnon"), status(b, pid, "RssFile"), stats)
	fmt.Printf("watch: %.1f MB idle, %.1f MB at the peak of %d new rides, %.1f MB 60 s after they were uploaded\n", idle, peak, rides, after)
}

// status reads a memory figure of a process, in MB.
func status(b *testing.B, pid int, field string) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s for process %d", field, pid)
	return 0
}

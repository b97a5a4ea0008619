package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/store"
)

// Three backfills started at once against an Intervals.icu that keeps every
// upload, repeats included: the library's lock lets one write, the others
// wait and then stop with a clear message, and each ride goes up once.
func TestConcurrentBackfillsUploadEachActivityOnce(t *testing.T) {
	p := &myWhoosh{}
	w := newWorld(t, p, worldOptions{n: 18, intervals: intervalsfake.Options{NoContentDedup: true}})
	type outcome struct {
		out, errs string
		code      int
	}
	results := make([]outcome, 3)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errs, code := w.run("", "backfill", "--source", "mywhoosh", "--yes", "--json")
			results[i] = outcome{out, errs, code}
		}()
	}
	wg.Wait()
	ran := 0
	for i, r := range results {
		w.outputs = append(w.outputs, r.out, r.errs)
		switch {
		case r.code == 0:
			ran++
		case r.code == 1 && strings.Contains(r.errs, "FitBridge is already running (pid "):
		default:
			t.Errorf("backfill %d: exit %d\nstdout: %s\nstderr: %s", i, r.code, r.out, r.errs)
		}
	}
	if ran == 0 {
		t.Fatal("no backfill ran")
	}
	uploads := map[string]int{}
	for _, a := range w.ivl.Activities() {
		uploads[a.ExternalID]++
	}
	for id, n := range uploads {
		if n != 1 {
			t.Errorf("%s uploaded %d times", id, n)
		}
	}
	if want := p.expectDone(); len(uploads) != want || w.ivl.UploadCount() != want {
		t.Errorf("%d activities from %d uploads in Intervals.icu, want %d once each", len(uploads), w.ivl.UploadCount(), want)
	}
}

// Four imports started at once on a computer FitBridge has never run on:
// setting up the new library is not a race.
func TestRacingFirstRunSetsUpTheLibraryOnce(t *testing.T) {
	ride := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	for round := range 3 {
		r := newRider(t)
		var wg sync.WaitGroup
		errs := make([]string, 4)
		codes := make([]int, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i], codes[i] = r.run("", "import", "--json", ride)
			}()
		}
		wg.Wait()
		for i := range 4 {
			for _, bad := range []string{"already exists", "SQLITE_BUSY", "database is locked"} {
				if strings.Contains(errs[i], bad) {
					t.Fatalf("round %d, import %d: exit %d: %s", round, i, codes[i], errs[i])
				}
			}
			if codes[i] != 0 && !strings.Contains(errs[i], "FitBridge is already running (pid ") {
				t.Errorf("round %d, import %d: exit %d: %s", round, i, codes[i], errs[i])
			}
		}
		out := r.must("", "list", "--json")
		if got := decode[struct{ Activities []activityJSON }](t, out).Activities; len(got) != 1 {
			t.Fatalf("round %d: %d activities in the library, want the one ride", round, len(got))
		}
	}
}

// A writer holds the library: a second writer stops with the pid, a reader
// still reads.
func TestSecondWriterIsToldWhoHoldsTheLibrary(t *testing.T) {
	r := newRider(t)
	r.must("", "import", fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	// This test process plays the window: it holds the library's lock.
	lock, err := store.LockLibrary(context.Background(), r.home, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	start := time.Now()
	_, errs, code := r.run("", "import", fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	want := fmt.Sprintf("FitBridge is already running (pid %d)", os.Getpid())
	if code != 1 || !strings.Contains(errs, want) {
		t.Fatalf("second writer: exit %d, stderr %q; want %q", code, errs, want)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("the second writer gave up after %v: it should wait briefly first", waited)
	}
	out, errs, code := r.run("", "list", "--json")
	if code != 0 || len(decode[struct{ Activities []activityJSON }](t, out).Activities) != 1 {
		t.Fatalf("list while another writes: exit %d %s %s", code, out, errs)
	}
	if _, errs, code := r.run("", "sources"); code != 0 {
		t.Fatalf("sources while another writes: exit %d %s", code, errs)
	}
}

// A 0-byte or damaged fitbridge.db is never taken for a new library: the
// command stops, says how out, leaves the file as it was, and `restore`
// brings back the daily backup.
func TestDamagedLibraryStopsAndRestoreBringsItBack(t *testing.T) {
	r := newRider(t)
	ride := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	r.must("", "import", ride)
	// The second writer on an existing library takes the day's backup.
	r.must("", "import", ride)
	db := filepath.Join(r.home, "fitbridge.db")
	for _, damage := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "is empty (0 bytes)"},
		{"overwritten", []byte("this is not a database, it is a shopping list\n"), "is damaged"},
	} {
		t.Run(damage.name, func(t *testing.T) {
			for _, suffix := range []string{"-wal", "-shm"} {
				_ = os.Remove(db + suffix)
			}
			if err := os.WriteFile(db, damage.content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"list"}, {"import", ride}, {"sources"}} {
				_, errs, code := r.run("", args...)
				if code != 1 || !strings.Contains(errs, damage.want) || !strings.Contains(errs, "fitbridge restore") {
					t.Errorf("%v on a %s library: exit %d, stderr %q", args, damage.name, code, errs)
				}
			}
			if got := mustRead(t, db); string(got) != string(damage.content) {
				t.Fatalf("the %s library was changed: now %d bytes", damage.name, len(got))
			}
			out := r.must("", "restore")
			if !strings.Contains(out, "  1  ") {
				t.Fatalf("restore lists no backup:\n%s", out)
			}
			if _, errs, code := r.run("", "restore", "1"); code != 2 || !strings.Contains(errs, "--yes") {
				t.Fatalf("restore without --yes off a terminal: exit %d %q", code, errs)
			}
			out = r.must("", "restore", "1", "--yes")
			if !strings.Contains(out, "Restored") || !strings.Contains(out, "kept as") {
				t.Fatalf("restore said:\n%s", out)
			}
			list := decode[struct{ Activities []activityJSON }](t, r.must("", "list", "--json")).Activities
			if len(list) != 1 {
				t.Fatalf("after restoring: %d activities", len(list))
			}
		})
	}
}

// Pipes and devices are refused with a reason, never read: an import of a
// folder holding a FIFO and a link to /dev/zero finishes, and saves the
// ride beside them.
func TestImportRefusesPipesAndDevices(t *testing.T) {
	r := newRider(t)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "x.fit"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.fit")); err != nil {
		t.Fatal(err)
	}
	ride := mustRead(t, fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	if err := os.WriteFile(filepath.Join(dir, "ride.tcx"), ride, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", "--json", dir}, {"import", "--json", "/dev/zero"}, {"import", "--json", filepath.Join(dir, "x.fit")}} {
		cmd := r.command("", args...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("%v hangs", args)
		}
		if cmd.ProcessState.ExitCode() != 1 {
			t.Errorf("%v: exit %d, stderr %s", args, cmd.ProcessState.ExitCode(), errb.String())
		}
		got := decode[struct{ Activities []activityJSON }](t, out.String()).Activities
		reasons := map[string]string{}
		for _, a := range got {
			reasons[filepath.Base(a.File)] = a.State + ": " + a.Reason
		}
		if args[2] == dir {
			if !strings.HasPrefix(reasons["ride.tcx"], "ready") || !strings.Contains(reasons["x.fit"], "pipe") || !strings.Contains(reasons["zero.fit"], "device") {
				t.Errorf("folder import: %v", reasons)
			}
		} else if len(got) != 1 || got[0].State != "unreadable" || !(strings.Contains(got[0].Reason, "device") || strings.Contains(got[0].Reason, "pipe")) {
			t.Errorf("%v: %+v", args, got)
		}
	}
	ents, _ := filepath.Glob(filepath.Join(r.home, "files", "*", "*"))
	if len(ents) != 1 {
		t.Errorf("files/ holds %d files, want only the ride", len(ents))
	}
}

// peakRSS runs a command to its end and returns its exit code and the most
// memory it held at once.
func peakRSS(t *testing.T, cmd *exec.Cmd) (int, int64, string) {
	t.Helper()
	var errb strings.Builder
	cmd.Stderr = &errb
	_ = cmd.Run()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no resource usage on this system")
	}
	return cmd.ProcessState.ExitCode(), ru.Maxrss * 1024, errb.String() // Linux: kilobytes
}

// Each of these once took the import to a gigabyte or more; now each stays
// under 200 MB at its peak, because reading and unpacking have a budget.
func TestImportMemoryStaysBounded(t *testing.T) {
	const budget = 200 << 20
	dir := t.TempDir()
	gzBomb := gzipBomb(t, 1<<20)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bomb := write("bomb.fit.gz", gzBomb)
	for i := range 20 {
		write(fmt.Sprintf("bombs/%02d.fit.gz", i), gzBomb)
	}
	zipPath := write("export.zip", zipBomb(t, 4<<20))
	bigTCX := filepath.Join(dir, "long.tcx")
	writeTCX(t, bigTCX, 100<<20)
	okTCX := filepath.Join(dir, "day-long.tcx")
	writeTCX(t, okTCX, 48<<20)
	r := newRider(t)
	cases := []struct {
		name, path string
	}{
		{"/dev/zero", "/dev/zero"},
		{"1 MB gzip bomb", bomb},
		{"folder of 20 gzip bombs", filepath.Join(dir, "bombs")},
		{"4 MB zip bomb", zipPath},
		{"100 MB TCX", bigTCX},
		{"48 MB TCX, read in full", okTCX},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, peak, errs := peakRSS(t, r.command("", "import", "--json", c.path))
			t.Logf("%s: exit %d, peak %d MB", c.name, code, peak>>20)
			if peak > budget {
				t.Errorf("%s: peak memory %d MB, budget %d MB", c.name, peak>>20, budget>>20)
			}
			if code == 2 || (code != 0 && code != 1) {
				t.Errorf("%s: exit %d: %s", c.name, code, errs)
			}
		})
	}
	list := decode[struct{ Activities []activityJSON }](t, r.must("", "list", "--json")).Activities
	states := map[string]string{}
	for _, a := range list {
		states[filepath.Base(a.File)] = a.State
	}
	if states["day-long.tcx"] != "ready" {
		t.Errorf("the 48 MB ride was not imported: %v", states)
	}
}

// A name is printed as given: its exact bytes in --json (file_bytes when it
// is not UTF-8), and with control characters escaped on a terminal line.
func TestNamesComeBackExactlyAndPrintSafely(t *testing.T) {
	r := newRider(t)
	dir := t.TempDir()
	ride := mustRead(t, fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	latin1 := filepath.Join(dir, "Fahrt-M\xfcnchen.tcx") // ISO-8859-1 ü: not UTF-8
	escape := filepath.Join(dir, "\x1b]0;owned\x07\x1b[31mred.gpx")
	if err := os.WriteFile(latin1, ride, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(escape, []byte("not a ride"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, _ := r.run("", "import", "--json", latin1, escape)
	var got struct {
		Activities []struct {
			File      string `json:"file"`
			FileBytes string `json:"file_bytes"`
		} `json:"activities"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Activities) != 2 {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	raw, err := base64.StdEncoding.DecodeString(got.Activities[0].FileBytes)
	if err != nil || string(raw) != latin1 {
		t.Errorf("file_bytes %q decodes to %q, want %q", got.Activities[0].FileBytes, raw, latin1)
	}
	if got.Activities[1].File != escape || got.Activities[1].FileBytes != "" {
		t.Errorf("a UTF-8 name with escapes came back as %q (file_bytes %q)", got.Activities[1].File, got.Activities[1].FileBytes)
	}
	text, _, _ := r.run("", "import", latin1, escape)
	if strings.ContainsAny(text, "\x1b\x07") || !strings.Contains(text, `\x1b]0;owned\a\x1b[31mred.gpx`) || !strings.Contains(text, `Fahrt-M\xfcnchen.tcx`) {
		t.Errorf("terminal output not escaped:\n%q", text)
	}
}

// Ctrl-C in the middle of a large import: the command stops between files,
// keeps and lists what it saved, and says how many it did not look at.
func TestInterruptedImportKeepsWhatWasSaved(t *testing.T) {
	r := newRider(t)
	dir := t.TempDir()
	for i := range 400 {
		p := filepath.Join(dir, fmt.Sprintf("ride-%03d.tcx", i))
		writeTCXAt(t, p, 200<<10, time.Date(2023, 1, 1, 6, 0, 0, 0, time.UTC).AddDate(0, 0, i))
	}
	cmd := r.command("", "import", "--json", dir)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a few rides are in.
	deadline := time.Now().Add(60 * time.Second)
	for {
		ents, _ := filepath.Glob(filepath.Join(r.home, "files", "*", "*"))
		if len(ents) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the import saved nothing within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the import did not stop on Ctrl-C")
	}
	var res struct {
		Activities  []activityJSON `json:"activities"`
		Stopped     bool           `json:"stopped"`
		NotImported int            `json:"not_imported"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("no JSON after Ctrl-C: %v\n%s\n%s", err, out.String(), errb.String())
	}
	if cmd.ProcessState.ExitCode() != 1 || !res.Stopped || res.NotImported == 0 || len(res.Activities)+res.NotImported != 400 {
		t.Fatalf("exit %d, stopped %v, %d imported + %d not looked at (want 400 in all); stderr %s",
			cmd.ProcessState.ExitCode(), res.Stopped, len(res.Activities), res.NotImported, errb.String())
	}
	if !strings.Contains(errb.String(), "stopped") {
		t.Errorf("stderr does not say it stopped: %s", errb.String())
	}
	list := decode[struct{ Activities []activityJSON }](t, r.must("", "list", "--json")).Activities
	if len(list) != len(res.Activities) {
		t.Fatalf("the library holds %d, the import reported %d", len(list), len(res.Activities))
	}
}

// A data folder left open to others (by hand, or by an older version) is
// made this user's only by the next command that writes.
func TestDataFolderBecomesPrivate(t *testing.T) {
	r := newRider(t)
	ride := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	r.must("", "import", ride)
	loosen := func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	}
	if err := filepath.WalkDir(r.home, loosen); err != nil {
		t.Fatal(err)
	}
	r.must("", "import", ride)
	checked := 0
	err := filepath.WalkDir(r.home, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s is %v, want %v", strings.TrimPrefix(p, r.home), got, want)
		}
		checked++
		return nil
	})
	if err != nil || checked < 6 {
		t.Fatalf("walked %d entries: %v", checked, err)
	}
}

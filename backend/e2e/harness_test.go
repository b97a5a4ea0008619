// Package e2e runs the fitbridge command line as a separate process against
// loopback fakes of every service: the same binary paths a rider uses,
// including being killed half-way.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fitbridge/backend/cli"
	_ "fitbridge/backend/source/all"
)

// The test binary doubles as the fitbridge command: started with
// FITBRIDGE_E2E_CHILD=1 it runs the command line instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("FITBRIDGE_E2E_CHILD") == "1" {
		os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// rider is one person's computer: a data folder and the services' addresses.
type rider struct {
	t    *testing.T
	home string
	env  map[string]string
}

func newRider(t *testing.T) *rider {
	t.Helper()
	requireKeyring(t)
	return &rider{t: t, home: t.TempDir(), env: map[string]string{}}
}

// requireKeyring skips only outside CI: secrets need the Secret Service,
// which `make test` provides through dbus-run-session.
func requireKeyring(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && os.Getenv("FITBRIDGE_REQUIRE_KEYRING") != "1" {
		t.Skip("no session bus: run through `make test`, which starts one with an unlocked keyring")
	}
}

func (r *rider) command(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	env := []string{"FITBRIDGE_E2E_CHILD=1", "FITBRIDGE_HOME=" + r.home, "FITBRIDGE_BROWSER_HEADLESS=1"}
	for _, kv := range os.Environ() {
		k := kv[:strings.IndexByte(kv, '=')]
		if strings.HasPrefix(k, "FITBRIDGE_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range r.env {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// run runs one command to the end.
func (r *rider) run(stdin string, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	cmd := r.command(stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatalf("run %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errb.String(), code
}

// must runs a command that has to exit 0.
func (r *rider) must(stdin string, args ...string) string {
	r.t.Helper()
	out, errs, code := r.run(stdin, args...)
	if code != 0 {
		r.t.Fatalf("fitbridge %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

type backfillJSON struct {
	Discovered int `json:"discovered"`
	Downloaded int `json:"downloaded"`
	Uploaded   int `json:"uploaded"`
	Already    int `json:"already_in_intervals"`
	Skipped    int `json:"skipped"`
	Failed     int `json:"failed"`
	Failures   []struct {
		Source   string `json:"source"`
		RemoteID string `json:"remote_id"`
		Reason   string `json:"reason"`
	} `json:"failures"`
}

type activityJSON struct {
	ID          uint    `json:"id"`
	Source      string  `json:"source"`
	RemoteID    string  `json:"remote_id"`
	File        string  `json:"file"`
	State       string  `json:"state"`
	Sport       string  `json:"sport"`
	Start       string  `json:"start"`
	ElapsedS    float64 `json:"elapsed_s"`
	DistanceM   float64 `json:"distance_m"`
	IntervalsID string  `json:"intervals_id"`
	Reason      string  `json:"reason"`
}

type listJSON struct {
	Activities []activityJSON `json:"activities"`
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not the JSON document CLI.md promises: %v\n%s", err, s)
	}
	return v
}

// fixtures lists the real activity files kept with the FIT reader's tests.
func fixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "fitfile", "testdata", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		out = append(out, f)
	}
	if len(out) < 30 {
		t.Fatalf("only %d fixtures found", len(out))
	}
	return out
}

func fixture(t *testing.T, name string) string {
	p := filepath.Join("..", "fitfile", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return p
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fmtArgs(a ...any) string { return fmt.Sprint(a...) }

package e2e

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// world is a rider with Intervals.icu and one platform, both fakes.
type world struct {
	*rider
	ivl *intervalsfake.Server
	p   platform
	// secrets handed to FitBridge, none of which may show up anywhere.
	secrets []string
	outputs []string
}

type worldOptions struct {
	n      int
	faults float64 // share of 500s and of 429s on both services
	// intervals are the Intervals.icu fake's alternative behaviours.
	intervals intervalsfake.Options
}

func newWorld(t *testing.T, p platform, o worldOptions) *world {
	t.Helper()
	r := newRider(t)
	var pf, ivf *fakes.Faults
	if o.faults > 0 {
		pf, ivf = fakes.NewFaults(11), fakes.NewFaults(12)
		pf.ServerErrorRate, pf.TooManyRate, pf.RetryAfter = o.faults, o.faults, 1
		ivf.ServerErrorRate, ivf.TooManyRate, ivf.RetryAfter = o.faults, o.faults, 1
	}
	io := o.intervals
	io.Summarize, io.Faults = summarize, ivf
	ivl := intervalsfake.New(io)
	url := ivl.Start()
	t.Cleanup(ivl.Close)
	key, purl := p.start(t, o.n, pf)
	r.env["FITBRIDGE_INTERVALS_URL"] = url
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = ivl.APIKey()
	r.env[key] = purl
	r.env["FITBRIDGE_DEBUG"] = "1" // the most detailed log must still hold no secret
	w := &world{rider: r, ivl: ivl, p: p, secrets: []string{ivl.APIKey()}}
	w.must("", "connect", "intervals", "--athlete-id", ivl.AthleteID())
	w.connect()
	t.Cleanup(func() { assertNoSecret(t, w.home, w.outputs, w.secrets...) })
	return w
}

// connect signs in to the platform again with a fresh session.
func (w *world) connect() {
	w.t.Helper()
	secret := w.p.secret()
	w.secrets = append(w.secrets, secret)
	w.outputs = append(w.outputs, w.must(secret, w.p.connectArgs()...))
	// The fakes run on this computer: no need to pace the calls.
	st, err := store.Open(w.home)
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	acc, err := st.Account(w.p.name())
	if err != nil {
		w.t.Fatal(err)
	}
	m := acc.SettingsMap()
	m[source.SettingMinInterval] = "0s"
	acc.SetSettingsMap(m)
	if err := st.SaveAccount(acc); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) backfill() (backfillJSON, int, string) {
	w.t.Helper()
	out, errs, code := w.run("", "backfill", "--source", w.p.name(), "--yes", "--json")
	w.outputs = append(w.outputs, out, errs)
	if strings.TrimSpace(out) == "" {
		return backfillJSON{}, code, errs
	}
	return decode[backfillJSON](w.t, out), code, errs
}

// assertEachOnce checks the end state: every activity with a file is in
// Intervals.icu exactly once, and FitBridge uploaded each of its own once.
func (w *world) assertEachOnce(seeded int) {
	w.t.Helper()
	seen := map[string]int{}
	ours := 0
	for _, a := range w.ivl.Activities() {
		if strings.HasPrefix(a.ExternalID, "fitbridge-") || (a.Source == "OAUTH_CLIENT" && a.OAuthClientName == "" && a.ExternalID != "") {
			seen[a.ExternalID]++
			ours++
		}
	}
	for id, n := range seen {
		if n != 1 {
			w.t.Errorf("%s is in Intervals.icu %d times", id, n)
		}
	}
	if want := w.p.expectDone() - seeded; ours != want {
		w.t.Errorf("Intervals.icu holds %d of FitBridge's uploads, want %d (%d with a file, %d already there)", ours, want, w.p.expectDone(), seeded)
	}
	if w.ivl.UploadCount() != ours {
		w.t.Errorf("the fake created %d activities, %d of them ours", w.ivl.UploadCount(), ours)
	}
}

func TestBackfillEachPlatform(t *testing.T) {
	sizes := map[string]int{"mywhoosh": 300, "igpsport": 250, "trainingpeaks": 200}
	for _, p := range platforms() {
		t.Run(p.name(), func(t *testing.T) {
			w := newWorld(t, p, worldOptions{n: sizes[p.name()]})
			seeded := p.seedIntervals(w.ivl)
			b, code, errs := w.backfill()
			if code != 0 {
				t.Fatalf("backfill exit %d: %s\n%+v", code, errs, b)
			}
			if b.Uploaded+b.Already != p.expectDone() || b.Already < seeded || b.Skipped != p.expectSkipped() || b.Failed != 0 {
				t.Fatalf("backfill = %+v; want %d done (%d already there), %d skipped", b, p.expectDone(), seeded, p.expectSkipped())
			}
			w.assertEachOnce(b.Already)
			b2, code, _ := w.backfill()
			if code != 0 || b2.Uploaded != 0 || b2.Already != b.Already {
				t.Fatalf("second backfill = %+v (exit %d)", b2, code)
			}
			w.assertEachOnce(b.Already)
		})
	}
}

// The backfill process dies (SIGKILL) at random moments; each time it is
// started again. In the end every activity is in Intervals.icu once.
func TestKilledBackfillResumesWithoutDuplicates(t *testing.T) {
	for _, p := range platforms() {
		t.Run(p.name(), func(t *testing.T) {
			w := newWorld(t, p, worldOptions{n: 80})
			rng := rand.New(rand.NewSource(time.Now().UnixNano()))
			kills := 0
			for i := 0; i < 4; i++ {
				cmd := w.command("", "backfill", "--source", p.name(), "--yes", "--json")
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				wait := time.Duration(300+rng.Intn(2500)) * time.Millisecond
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(wait):
					_ = cmd.Process.Kill()
					<-done
					kills++
				}
			}
			b, code, errs := w.backfill()
			if code != 0 {
				t.Fatalf("final backfill exit %d: %s\n%+v", code, errs, b)
			}
			if done := w.done(); done != p.expectDone() || b.Failed != 0 {
				t.Fatalf("after %d kills: %d in Intervals.icu, want %d (%+v)", kills, done, p.expectDone(), b)
			}
			w.assertEachOnce(countAlready(t, w))
			t.Logf("%s: killed %d times", p.name(), kills)
		})
	}
}

// 10% server errors and 10% 429s on both sides, and the platform's session
// expiring half-way: every activity ends up uploaded once, or the run stops
// asking for sign-in and completes after reconnecting.
func TestFaultsAndExpiredSession(t *testing.T) {
	for _, p := range platforms() {
		t.Run(p.name(), func(t *testing.T) {
			w := newWorld(t, p, worldOptions{n: 40, faults: 0.1})
			cmd := w.command("", "backfill", "--source", p.name(), "--yes", "--json")
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			expired := false
			for !expired {
				select {
				case <-done:
					expired = true // finished before the expiry could land
					continue
				case <-time.After(50 * time.Millisecond):
				}
				if w.ivl.UploadCount() >= 10 {
					p.expire()
					expired = true
					<-done
				}
			}
			code := cmd.ProcessState.ExitCode()
			// Like a rider: reconnect when asked (exit 3), run again when a
			// few gave up after their retries (exit 1). Never more than a few runs.
			var b backfillJSON
			errs := errb.String()
			for run := 0; code != 0; run++ {
				if run == 4 {
					t.Fatalf("still exit %d after %d more runs: %s %+v", code, run, errs, b)
				}
				switch code {
				case 3:
					if !strings.Contains(errs, "fitbridge connect "+p.name()) {
						t.Fatalf("needs sign-in without naming the command: %q", errs)
					}
					w.connect()
				case 1:
				default:
					t.Fatalf("backfill exit %d: %s", code, errs)
				}
				b, code, errs = w.backfill()
			}
			if done := w.done(); done != p.expectDone() {
				t.Fatalf("%d in Intervals.icu, want %d (%+v)", done, p.expectDone(), b)
			}
			w.assertEachOnce(countAlready(t, w))
		})
	}
}

// done counts the platform's activities now in Intervals.icu, by the library.
func (w *world) done() int {
	w.t.Helper()
	list := decode[listJSON](w.t, w.must("", "list", "--source", w.p.name(), "--json"))
	n := 0
	for _, a := range list.Activities {
		if a.State == "uploaded" || a.State == "already_in_intervals" {
			if a.IntervalsID == "" {
				w.t.Errorf("%s %s is %s without an Intervals.icu id", a.Source, a.RemoteID, a.State)
			}
			n++
		}
	}
	return n
}

func countAlready(t *testing.T, w *world) int {
	st, err := store.Open(w.home)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Counts(store.Filter{Sources: []string{w.p.name()}})
	if err != nil {
		t.Fatal(err)
	}
	return c[w.p.name()][store.StateAlready]
}

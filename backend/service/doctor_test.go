package service

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/doctor"
	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/secrets"
	_ "fitbridge/backend/source/all"
)

const doctorAPIKey = "doctor-test-key-5e1f0a9b7c"

type doctorRig struct {
	svc      *Service
	ivs      *intervalsfake.Server
	mw       *mywhooshfake.Server
	token    string
	zwiftDir string
}

func newDoctorRig(t *testing.T) *doctorRig {
	t.Helper()
	ivs := intervalsfake.New(intervalsfake.Options{APIKey: doctorAPIKey, AthleteName: "Jane Doctorson"})
	ivsURL := ivs.Start()
	t.Cleanup(ivs.Close)
	mw := mywhooshfake.New(mywhooshfake.Options{})
	mwURL := mw.Start()
	t.Cleanup(mw.Close)
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": ivsURL, "FITBRIDGE_MYWHOOSH_URL": mwURL}
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.ConnectIntervals(ctx, ivs.AthleteID(), doctorAPIKey); err != nil {
		t.Fatal(err)
	}
	token := mw.IssueToken()
	if _, err := svc.ConnectToken(ctx, "mywhoosh", "", token); err != nil {
		t.Fatal(err)
	}

	// A Zwift folder as Zwift leaves it: a ride named by its local start,
	// a small stub and the live recording.
	dir := t.TempDir()
	start := time.Date(2026, 2, 3, 17, 4, 5, 0, time.UTC)
	ride := fitgen.Activity(fitgen.Ride{Start: start, Duration: 30 * time.Minute, DistanceM: 15000, SubSport: fit.SubSportVirtualActivity})
	name := start.Local().Format("2006-01-02-15-04-05") + ".fit"
	for n, data := range map[string][]byte{name: ride, "2026-02-03-18-00-00.fit": make([]byte, 584), "inProgressActivity.fit": ride[:100]} {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.ConnectFolder("zwift", dir); err != nil {
		t.Fatal(err)
	}
	return &doctorRig{svc: svc, ivs: ivs, mw: mw, token: token, zwiftDir: dir}
}

func findCheck(t *testing.T, rep doctor.Report, service, call string) doctor.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Service == service && strings.Contains(c.Call, call) {
			return c
		}
	}
	t.Fatalf("no %s check %q in %+v", service, call, rep.Checks)
	return doctor.Check{}
}

// assertNoSecrets looks for every credential the rig holds in every form
// the report takes.
func (r *doctorRig) assertNoSecrets(t *testing.T, rep doctor.Report) {
	t.Helper()
	js, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(rep.File)
	if err != nil {
		t.Fatalf("report file: %v", err)
	}
	parts := strings.Split(r.token, ".")
	for name, out := range map[string]string{"text": rep.Text(), "json": string(js), "file": string(file)} {
		for _, leak := range []string{doctorAPIKey, r.token, parts[1], parts[2], "Jane Doctorson"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s report holds %q:\n%s", name, leak, out)
			}
		}
	}
}

func TestDoctorReportsEveryConnectedService(t *testing.T) {
	// A zone away from UTC, so that a name stamped in local time is told
	// apart from one stamped in UTC. No test here runs in parallel.
	saved := time.Local
	time.Local = time.FixedZone("UTC+1", 3600)
	t.Cleanup(func() { time.Local = saved })
	r := newDoctorRig(t)
	rep, err := r.svc.Doctor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != Version || rep.Generated == "" || rep.OS == "" {
		t.Errorf("header %+v", rep)
	}
	if len(rep.Checks) != 4 {
		t.Errorf("want 4 checks (2 Intervals.icu, MyWhoosh, Zwift), got %d", len(rep.Checks))
	}
	for _, c := range rep.Checks {
		if !c.OK {
			t.Errorf("%s %s failed: %s", c.Service, c.Call, c.Note)
		}
	}
	if rep.Checks[0].Service != "intervals" {
		t.Errorf("Intervals.icu comes first: %v", rep.Checks[0].Service)
	}

	ath := findCheck(t, rep, "intervals", "/api/v1/athlete/0")
	if ath.Status != 200 || len(ath.Exchanges) != 1 || ath.Exchanges[0].Auth != "Basic" {
		t.Errorf("athlete check %+v", ath)
	}
	shape, ok := ath.Shape.(map[string]any)
	if !ok || shape["timezone"] != "string(len 13)" || shape["zwift_sync_activities"] != "bool" || shape["name"] != "string(len 14)" {
		t.Errorf("athlete shape %#v", ath.Shape)
	}
	if !strings.Contains(ath.Answers["9"], "zwift_sync_activities present, false") || !strings.Contains(ath.Note, "timezone Europe/Berlin") {
		t.Errorf("athlete findings: note %q answers %v", ath.Note, ath.Answers)
	}
	probe := findCheck(t, rep, "intervals", "without newest")
	if probe.Status != 200 || !strings.HasPrefix(probe.Answers["5"], "no: HTTP 200") || probe.Shape == nil {
		t.Errorf("probe check %+v", probe)
	}
	if ex := probe.Exchanges; len(ex) != 1 || strings.Join(ex[0].QueryKeys, ",") != "fields,limit,oldest" {
		t.Errorf("probe exchanges %+v", ex)
	}

	mw := findCheck(t, rep, "mywhoosh", "")
	if !strings.Contains(mw.Answers["11"], "lifetime 1h0m0s") || !strings.Contains(mw.Answers["11"], "len ") {
		t.Errorf("MyWhoosh token facts: %v", mw.Answers)
	}
	// The platform's own check goes through the recorder: what answered is in the report.
	if mw.Call != "POST /v2/rider/profile/activities" || mw.Status != 200 || len(mw.Exchanges) != 1 || mw.Exchanges[0].Auth != "Bearer" {
		t.Errorf("MyWhoosh check %q status %d exchanges %+v", mw.Call, mw.Status, mw.Exchanges)
	}
	if env, ok := mw.Shape.(map[string]any); !ok || env["code"] == nil || env["data"] == nil {
		t.Errorf("MyWhoosh reply shape %#v", mw.Shape)
	}
	if !strings.Contains(mw.Answers["13"], `"totalPages"`) {
		t.Errorf("MyWhoosh page-size answer %q", mw.Answers["13"])
	}

	zw := findCheck(t, rep, "zwift", "")
	if !strings.Contains(zw.Answers["29"], "exists, 2 FIT files") ||
		!strings.Contains(zw.Answers["30"], "1 of the FIT files are stubs of 1 KiB or less; inProgressActivity.fit present") ||
		!strings.Contains(zw.Answers["31"], "17:04:05 UTC = 2026-02-03 18:04:05 UTC+1: the name matches the local start") {
		t.Errorf("Zwift answers %v", zw.Answers)
	}
	// Which declared settings the account has, never their values.
	if !strings.Contains(zw.Note, "settings: Folder set") || strings.Contains(zw.Note, r.zwiftDir) {
		t.Errorf("Zwift note %q", zw.Note)
	}

	if filepath.Dir(rep.File) != filepath.Join(r.svc.Home, "logs") || !strings.HasPrefix(filepath.Base(rep.File), "doctor-") {
		t.Errorf("report file %q", rep.File)
	}
	file, _ := os.ReadFile(rep.File)
	if string(file) != rep.Text() {
		t.Error("the report file is not the text report")
	}
	r.assertNoSecrets(t, rep)
	if js, _ := json.Marshal(rep); !strings.Contains(string(js), `"answers"`) {
		t.Errorf("JSON lacks the answers: %s", js)
	}
}

func TestDoctorExpiredMyWhooshSession(t *testing.T) {
	r := newDoctorRig(t)
	r.mw.ExpireTokens()
	rep, err := r.svc.Doctor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mw := findCheck(t, rep, "mywhoosh", "")
	if mw.OK || !mw.NeedsSignIn || mw.Status != 401 {
		t.Errorf("expired session check %+v", mw)
	}
	if !strings.Contains(mw.Note, "fitbridge connect mywhoosh") {
		t.Errorf("the note must say how to sign in again: %q", mw.Note)
	}
	if rep.OK() || len(rep.NeedsSignIn()) != 1 {
		t.Errorf("report verdicts: ok %v, sign-in %v", rep.OK(), rep.NeedsSignIn())
	}
	if c := findCheck(t, rep, "intervals", "/api/v1/athlete/0"); !c.OK {
		t.Errorf("Intervals.icu is unaffected: %+v", c)
	}
	r.assertNoSecrets(t, rep)
}

func TestDoctorRefusedIntervalsKey(t *testing.T) {
	r := newDoctorRig(t)
	if err := r.svc.Secrets.Set(intervalsAccount, "doctor-wrong-key-31337"); err != nil {
		t.Fatal(err)
	}
	rep, err := r.svc.Doctor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ath := findCheck(t, rep, "intervals", "/api/v1/athlete/0")
	if ath.OK || !ath.NeedsSignIn || ath.Status != 401 || !strings.Contains(ath.Note, "fitbridge connect intervals") {
		t.Errorf("refused key check %+v", ath)
	}
	if text := rep.Text(); strings.Contains(text, "doctor-wrong-key-31337") {
		t.Errorf("the refused key is in the report:\n%s", text)
	}
}

// Every platform's sign-in check goes out through the recorder, so the report
// shows what each platform answered, without the secret that was sent.
func TestDoctorRecordsEachPlatformsReply(t *testing.T) {
	cases := []struct {
		name, region, env string
		start             func(t *testing.T) (url, secret string, revoke func())
		auth              string
		question          string // the open question the platform's Diagnose answers
	}{
		{name: "igpsport", region: "intl", env: "FITBRIDGE_IGPSPORT_URL", auth: "Bearer", question: "22", start: func(t *testing.T) (string, string, func()) {
			f := igpsportfake.New(igpsportfake.Options{Region: "intl"})
			url := f.Start()
			t.Cleanup(f.Close)
			return url, f.Token(), f.ExpireTokens
		}},
		{name: "mywhoosh", env: "FITBRIDGE_MYWHOOSH_URL", auth: "Bearer", question: "11", start: func(t *testing.T) (string, string, func()) {
			f := mywhooshfake.New(mywhooshfake.Options{AuthStatus: 403})
			url := f.Start()
			t.Cleanup(f.Close)
			return url, f.IssueToken(), f.ExpireTokens
		}},
		{name: "trainingpeaks", env: "FITBRIDGE_TRAININGPEAKS_URL", auth: "cookie", question: "25", start: func(t *testing.T) (string, string, func()) {
			f := trainingpeaksfake.New(trainingpeaksfake.Options{})
			url := f.Start()
			t.Cleanup(f.Close)
			return url, f.IssueCookie(), f.RevokeCookie
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, secret, revoke := tc.start(t)
			env := map[string]string{tc.env: url}
			svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close() })
			if _, err := svc.ConnectToken(context.Background(), tc.name, tc.region, secret); err != nil {
				t.Fatal(err)
			}
			for _, revoked := range []bool{false, true} {
				if revoked {
					revoke()
				}
				rep, err := svc.Doctor(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				c := findCheck(t, rep, tc.name, "")
				if len(c.Exchanges) == 0 || c.Exchanges[0].Auth != tc.auth || c.Status == 0 || !strings.HasPrefix(c.Call, c.Exchanges[0].Method+" /") {
					t.Fatalf("revoked %v: check %q status %d exchanges %+v", revoked, c.Call, c.Status, c.Exchanges)
				}
				if c.OK == revoked || c.NeedsSignIn != revoked {
					t.Errorf("revoked %v: ok %v, needs sign-in %v: %s", revoked, c.OK, c.NeedsSignIn, c.Note)
				}
				if !revoked && c.Shape == nil {
					t.Errorf("no reply shape recorded: %+v", c)
				}
				// The platform's own question, asked and answered through its Descriptor.
				if !strings.HasPrefix(c.Answers[tc.question], "stored sign-in: len ") || c.Questions[tc.question] == "" ||
					!strings.Contains(rep.Text(), "open question "+tc.question+" ("+c.Questions[tc.question]+")") {
					t.Errorf("question %s: answers %v questions %v", tc.question, c.Answers, c.Questions)
				}
				// A refusal names the call that failed, its status and its reply's shape.
				if revoked {
					f := c.Failed
					if f == nil || f.Status < 400 || f.Status != c.Status || f.Shape == nil || c.Call != f.Method+" "+f.Path {
						t.Fatalf("refused: check %q status %d, failed call %+v", c.Call, c.Status, f)
					}
					text := rep.Text()
					want := fmt.Sprintf("failed call: %s %s%s -> HTTP %d", f.Method, f.Host, f.Path, f.Status)
					if !strings.Contains(text, want) || !strings.Contains(text, want+"\n      body shape:") {
						t.Errorf("the report does not name the failed call with its shape (%q):\n%s", want, text)
					}
				}
				js, _ := rep.JSON()
				for _, out := range []string{rep.Text(), string(js)} {
					if strings.Contains(out, secret) {
						t.Errorf("the report holds the %s secret", tc.name)
					}
				}
			}
		})
	}
}

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source/mywhoosh"
	"fitbridge/backend/store"
)

// Where public clients of a service disagree, each reading is a switch of
// its fake; every one must connect and back up everything from the
// command line.
func TestServiceAlternativesThroughCLI(t *testing.T) {
	cases := []struct {
		name string
		p    platform
		// settings the account must hold afterwards
		settings map[string]string
	}{
		{"mywhoosh usual", &myWhoosh{}, map[string]string{mywhoosh.SettingBodyForm: mywhoosh.FormPlain}},
		{"mywhoosh encrypted bodies, plain refused with 403", &myWhoosh{opts: mywhooshfake.Options{Bodies: mywhooshfake.BodiesEncrypted, WrongForm: 403}},
			map[string]string{mywhoosh.SettingBodyForm: mywhoosh.FormEncrypted}},
		{"mywhoosh encrypted bodies, plain refused inside a 200", &myWhoosh{opts: mywhooshfake.Options{Bodies: mywhooshfake.BodiesEncrypted, WrongForm: 200}},
			map[string]string{mywhoosh.SettingBodyForm: mywhoosh.FormEncrypted}},
		{"mywhoosh plain bodies, encrypted refused inside a 200", &myWhoosh{opts: mywhooshfake.Options{Bodies: mywhooshfake.BodiesPlain, WrongForm: 200}},
			map[string]string{mywhoosh.SettingBodyForm: mywhoosh.FormPlain}},
		{"mywhoosh download key required, pasted session", &myWhoosh{opts: mywhooshfake.Options{Key: mywhooshfake.KeyRequired}}, nil},
		{"mywhoosh download key required, password sign-in", &myWhoosh{opts: mywhooshfake.Options{Key: mywhooshfake.KeyRequired}, password: true},
			map[string]string{mywhoosh.SettingWhooshID: mywhooshfake.DefaultWhooshID, mywhoosh.SettingLoginSource: ""}},
		{"mywhoosh other row field names", &myWhoosh{opts: mywhooshfake.Options{AltRowFields: true}}, nil},
		{"mywhoosh usual login, Source header checked", &myWhoosh{opts: mywhooshfake.Options{VariantNeedsSource: true}, password: true},
			map[string]string{mywhoosh.SettingLoginSource: ""}},
		{"mywhoosh alternative login, Source header checked", &myWhoosh{opts: mywhooshfake.Options{VariantNeedsSource: true, PrimaryLogin: mywhooshfake.LoginInvalidRequest}, password: true},
			map[string]string{mywhoosh.SettingLoginSource: "connect"}},
		{"trainingpeaks athlete listed as its one entry", &trainingPeaks{opts: trainingpeaksfake.Options{Athletes: trainingpeaksfake.AthletesSelf}}, nil},
		{"trainingpeaks coach of one athlete", &trainingPeaks{opts: trainingpeaksfake.Options{Athletes: trainingpeaksfake.AthletesOneCoached}}, nil},
		{"trainingpeaks files wrapped in JSON", &trainingPeaks{opts: trainingpeaksfake.Options{FilesAsJSON: true}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, c.p, worldOptions{n: 25})
			b, code, errs := w.backfill()
			if code != 0 || b.Failed != 0 || b.Uploaded != c.p.expectDone() || b.Skipped != c.p.expectSkipped() {
				t.Fatalf("backfill exit %d = %+v, want %d uploaded, %d skipped\n%s", code, b, c.p.expectDone(), c.p.expectSkipped(), errs)
			}
			w.assertEachOnce(0)
			got := accountSettings(t, w.home, c.p.name())
			for k, v := range c.settings {
				if got[k] != v {
					t.Errorf("account setting %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

// Intervals.icu answering fewer rows than asked, without saying so, must
// not hide rides from the duplicate check: the oldest rides, already there
// through MyWhoosh's own link, are recognised behind 250 newer activities.
func TestIntervalsSilentCapThroughCLI(t *testing.T) {
	for _, limit := range []int{0, 100} {
		t.Run(map[int]string{0: "no cap", 100: "silent cap of 100"}[limit], func(t *testing.T) {
			p := &myWhoosh{}
			w := newWorld(t, p, worldOptions{n: 60, intervals: intervalsfake.Options{SilentCap: limit}})
			from, to := twoYears()
			for i := range 250 {
				at := to.Add(-time.Duration(i) * (to.Sub(from) / 250)).Add(-37 * time.Minute)
				w.ivl.AddActivity(intervalsfake.Activity{StartDate: at, ElapsedTime: 1800, Distance: 9000, Type: "Run", Source: "GARMIN_CONNECT"})
			}
			seeded := 0
			for _, r := range p.rides {
				if !r.HasFile() || seeded == 20 {
					continue
				}
				native := r.NativeCopy(4 * time.Second)
				sum := sha256.Sum256(native)
				w.ivl.AddActivity(intervalsfake.Activity{StartDate: r.Start.Add(4 * time.Second), ElapsedTime: int(r.Duration.Seconds()), Distance: r.DistanceKm * 1000,
					Type: "VirtualRide", Source: "OAUTH_CLIENT", OAuthClientName: "MyWhoosh", Name: r.Title, FileHash: hex.EncodeToString(sum[:])})
				seeded++
			}
			b, code, errs := w.backfill()
			if code != 0 || b.Failed != 0 || b.Already != seeded || b.Uploaded != p.expectDone()-seeded {
				t.Fatalf("backfill exit %d = %+v, want %d already in Intervals.icu\n%s", code, b, seeded, errs)
			}
			w.assertEachOnce(seeded)
		})
	}
}

func accountSettings(t *testing.T, home, name string) map[string]string {
	t.Helper()
	st, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, err := st.Account(name)
	if err != nil {
		t.Fatal(err)
	}
	return acc.SettingsMap()
}

// `doctor --trace` records a short listing and one download; once the
// service refuses the session, the report names the call that failed, its
// status and the shape of its reply, and neither file holds a secret.
func TestDoctorTraceThroughCLI(t *testing.T) {
	p := &myWhoosh{}
	w := newWorld(t, p, worldOptions{n: 20})
	dir := t.TempDir()
	report, trace := filepath.Join(dir, "report.txt"), filepath.Join(dir, "trace.txt")
	out, errs, code := w.run("", "doctor", "--report", report, "--trace", trace)
	w.outputs = append(w.outputs, out, errs, readText(t, report), readText(t, trace))
	if code != 0 {
		t.Fatalf("doctor exit %d:\n%s\n%s", code, out, errs)
	}
	tr := readText(t, trace)
	for _, want := range []string{"POST " + hostOf(w.env["FITBRIDGE_MYWHOOSH_URL"]) + "/v2/rider/profile/activities -> 200",
		"/v2/rider/profile/download-activity-file -> 200", "GET " + hostOf(w.env["FITBRIDGE_MYWHOOSH_URL"]) + "/s3/ride/", "listed 5 rides", "downloaded one ride"} {
		if !strings.Contains(tr, want) {
			t.Errorf("the trace lacks %q:\n%s", want, tr)
		}
	}

	p.expire()
	out, errs, code = w.run("", "doctor", "--report", report, "--trace", trace)
	rep := readText(t, report)
	w.outputs = append(w.outputs, out, errs, rep, readText(t, trace))
	if code != 3 {
		t.Fatalf("doctor exit %d, want 3 (needs sign-in):\n%s\n%s", code, out, errs)
	}
	want := "failed call: POST " + hostOf(w.env["FITBRIDGE_MYWHOOSH_URL"]) + "/v2/rider/profile/activities -> HTTP 401\n      body shape:"
	if !strings.Contains(rep, want) || !strings.Contains(rep, `"message": "string(len`) {
		t.Errorf("the report does not name the failed call, its status and its reply's shape (%q):\n%s", want, rep)
	}
	if !strings.Contains(readText(t, trace), "failed call: POST ") {
		t.Errorf("the trace does not name the failed call:\n%s", readText(t, trace))
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hostOf(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }

// iGPSport China refusing FitBridge's unsigned calls in any way sends the
// listing to the signed-in web app, paged by its own call's parameters or
// by its clicks; rides whose file is in storage come through, the others
// fail with the plain statement about China signing.
func TestIGPSportChinaWebAppThroughCLI(t *testing.T) {
	cases := []struct {
		name string
		opts igpsportfake.Options
	}{
		{"refused as said, paged by clicks", igpsportfake.Options{}},
		{"refused in other words, paged by the call's parameters", igpsportfake.Options{Unsigned: igpsportfake.UnsignedOtherWords, ReplayableSignatures: true}},
		{"refused with a web page, paged by clicks", igpsportfake.Options{Unsigned: igpsportfake.UnsignedHTML}},
		{"refused with a 401, paged by the call's parameters", igpsportfake.Options{Unsigned: igpsportfake.UnsignedUnauthorized, ReplayableSignatures: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.Region, o.ChinaRequiresSignature = "cn", true
			p := &iGPSport{opts: o}
			w := newWorld(t, p, worldOptions{n: 45})
			stored := 0
			for _, r := range p.rides {
				if r.Via == igpsportfake.ViaOSSPath {
					stored++
				}
			}
			b, code, errs := w.backfill()
			if b.Discovered != len(p.rides) || b.Uploaded != stored || b.Failed != len(p.rides)-stored || code != 1 {
				t.Fatalf("backfill exit %d = %+v; want all %d listed, %d from storage uploaded\n%s", code, b, len(p.rides), stored, errs)
			}
			for _, f := range b.Failures {
				if !strings.Contains(f.Reason, "signed requests") {
					t.Errorf("failure %+v", f)
				}
			}
		})
	}
}

// A sign-in refused in the chosen iGPSport region but taken by the other
// says which region the account belongs to, both ways, from the command line.
func TestIGPSportWrongRegionThroughCLI(t *testing.T) {
	fakes := map[string]*igpsportfake.Server{
		"intl": igpsportfake.New(igpsportfake.Options{Region: "intl"}),
		"cn":   igpsportfake.New(igpsportfake.Options{Region: "cn"}),
	}
	urls := map[string]string{}
	for region, f := range fakes {
		urls[region] = f.Start()
		t.Cleanup(f.Close)
	}
	other := map[string]string{"intl": "cn", "cn": "intl"}
	word := map[string]string{"intl": "looks like an International account", "cn": "looks like a China account"}
	for _, chosen := range []string{"intl", "cn"} {
		owner := other[chosen]
		for _, way := range []string{"password", "token"} {
			t.Run(chosen+"/"+way, func(t *testing.T) {
				if chosen == "cn" {
					// The China gateway answers 403 to anything unsigned.
					f := igpsportfake.New(igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true})
					urls["cn-signing"] = f.Start()
					t.Cleanup(f.Close)
				}
				r := newRider(t)
				here := urls[chosen]
				if chosen == "cn" {
					here = urls["cn-signing"]
				}
				r.env["FITBRIDGE_IGPSPORT_URL"] = here
				r.env["FITBRIDGE_IGPSPORT_OTHER_REGION_URL"] = urls[owner]
				secret := fakes[owner].Options().Password + "\n"
				args := []string{"connect", "igpsport", "--region", chosen, "--username", fakes[owner].Options().Username, "--password-stdin"}
				if way == "token" {
					secret = fakes[owner].Token()
					args = []string{"connect", "igpsport", "--region", chosen, "--token-stdin"}
				}
				out, errs, code := r.run(secret, args...)
				if code == 0 || !strings.Contains(errs, word[owner]) {
					t.Fatalf("exit %d, stderr %q: want %q", code, errs, word[owner])
				}
				assertNoSecret(t, r.home, []string{out, errs}, strings.TrimSpace(secret))
			})
		}
	}
}

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

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

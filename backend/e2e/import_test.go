package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fitfile"
)

// summarize lets the Intervals.icu fake read every fixture the way the real
// service would (tormoder/fit alone rejects several real files).
func summarize(data []byte) (time.Time, float64, float64, string, error) {
	s, err := fitfile.Summarize(data)
	if err != nil {
		return time.Time{}, 0, 0, "", err
	}
	return s.Start, s.ElapsedS, s.DistanceM, s.IntervalsType(), nil
}

func TestImportTwiceAndBackfillTwiceUploadsEachActivityOnce(t *testing.T) {
	fake := intervalsfake.New(intervalsfake.Options{Summarize: summarize})
	url := fake.Start()
	defer fake.Close()
	r := newRider(t)
	r.env["FITBRIDGE_INTERVALS_URL"] = url
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = fake.APIKey()
	r.env["FITBRIDGE_DEBUG"] = "1" // the most detailed log must still hold no key
	var outputs []string
	defer func() {
		assertNoSecret(t, r.home, outputs, fake.APIKey(), base64.StdEncoding.EncodeToString([]byte("API_KEY:"+fake.APIKey())))
	}()

	// Three rides reached Intervals.icu before FitBridge: the very same
	// file through another app, a Garmin Connect copy with other bytes, and
	// a Strava stub that carries only a local start.
	sameBytes := mustRead(t, fixture(t, "garmin_edge500_2011-06-26_ride.fit"))
	s1, err := fitfile.Summarize(sameBytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sameBytes)
	fake.AddActivity(intervalsfake.Activity{StartDate: s1.Start, ElapsedTime: int(s1.ElapsedS), Distance: s1.DistanceM, Type: "Ride",
		Source: "OAUTH_CLIENT", OAuthClientName: "Intervals Companion", ExternalID: "2025-05-03-08-12-44.fit", FileHash: hex.EncodeToString(sum[:])})
	s2, err := fitfile.Summarize(mustRead(t, fixture(t, "garmin_edge530_2020-11-07_road.fit")))
	if err != nil {
		t.Fatal(err)
	}
	fake.AddActivity(intervalsfake.Activity{StartDate: s2.Start.Add(40 * time.Second), ElapsedTime: int(s2.ElapsedS * 1.03), Distance: s2.DistanceM * 0.98,
		Type: "Ride", Source: "GARMIN_CONNECT", ExternalID: "7712345678"})
	s3, err := fitfile.Summarize(mustRead(t, fixture(t, "zwift_2017-10-05_virtualride.fit")))
	if err != nil {
		t.Fatal(err)
	}
	fake.AddActivity(intervalsfake.Activity{StartDateLocal: s3.Start.Add(2 * time.Minute).In(fake.Location()), Source: "STRAVA"})

	out := r.must("", "connect", "intervals", "--athlete-id", fake.AthleteID())
	if !strings.Contains(out, "Fake Rider") {
		t.Fatalf("connect did not name the athlete: %q", out)
	}

	files := fixtures(t)
	args := append([]string{"import"}, files...)
	args = append(args, "--json")
	stdout, stderr, code := r.run("", args...)
	outputs = append(outputs, stdout, stderr)
	if code != 0 && code != 1 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	first := decode[listJSON](t, stdout)
	if len(first.Activities) != len(files) {
		t.Fatalf("import listed %d entries for %d files", len(first.Activities), len(files))
	}
	ready := map[uint]bool{}
	for i, a := range first.Activities {
		if a.File != files[i] {
			t.Fatalf("entry %d is %q, want the path as given %q", i, a.File, files[i])
		}
		switch a.State {
		case "ready":
			if a.Start == "" || a.ElapsedS <= 0 || a.Sport == "" {
				t.Errorf("%s: ready without a summary: %+v", a.File, a)
			}
			ready[a.ID] = true
		case "unreadable", "not_an_activity":
			if a.Reason == "" {
				t.Errorf("%s: %s without a reason", a.File, a.State)
			}
		default:
			t.Errorf("%s: unexpected state %q", a.File, a.State)
		}
	}
	stdout, _, _ = r.run("", args...)
	second := decode[listJSON](t, stdout)
	for i := range second.Activities {
		if second.Activities[i].ID != first.Activities[i].ID {
			t.Fatalf("importing %s again made a new activity", files[i])
		}
	}

	stdout, stderr, code = r.run("", "backfill", "--yes", "--json")
	outputs = append(outputs, stdout, stderr)
	if code != 0 {
		t.Fatalf("backfill exit %d: %s\n%s", code, stderr, stdout)
	}
	b1 := decode[backfillJSON](t, stdout)
	if b1.Uploaded+b1.Already+b1.Skipped != len(ready) {
		t.Fatalf("backfill: %+v, want every one of the %d ready activities decided", b1, len(ready))
	}
	if b1.Already < 3 {
		t.Fatalf("backfill saw %d already in Intervals.icu, want at least the 3 seeded", b1.Already)
	}
	if fake.UploadCount() != b1.Uploaded {
		t.Fatalf("fake created %d activities, backfill reported %d", fake.UploadCount(), b1.Uploaded)
	}

	list := decode[listJSON](t, r.must("", "list", "--json"))
	byFile := map[string]activityJSON{}
	for _, a := range list.Activities {
		byFile[a.File[strings.LastIndexAny(a.File, `/\`)+1:]] = a
	}
	for _, name := range []string{"garmin_edge500_2011-06-26_ride.fit", "garmin_edge530_2020-11-07_road.fit", "zwift_2017-10-05_virtualride.fit"} {
		if a := byFile[name]; a.State != "already_in_intervals" || a.IntervalsID == "" {
			t.Errorf("%s: %s (%s), want already_in_intervals with its id", name, a.State, a.Reason)
		}
	}

	// No ride exists twice in Intervals.icu: the Zwift file and its Onelap
	// re-export are one ride.
	var ours []intervalsfake.Activity
	for _, a := range fake.Activities() {
		if a.Source == "OAUTH_CLIENT" && strings.HasPrefix(a.ExternalID, "fitbridge-") {
			ours = append(ours, a)
		}
	}
	slices.SortFunc(ours, func(a, b intervalsfake.Activity) int { return a.StartDate.Compare(b.StartDate) })
	for i := 1; i < len(ours); i++ {
		if d := ours[i].StartDate.Sub(ours[i-1].StartDate); d < 5*time.Minute && ours[i].Type == ours[i-1].Type {
			t.Errorf("two uploads of one ride: %s and %s start %v apart", ours[i-1].ID, ours[i].ID, d)
		}
	}

	stdout, _, code = r.run("", "backfill", "--yes", "--json")
	b2 := decode[backfillJSON](t, stdout)
	if code != 0 || b2.Uploaded != 0 || fake.UploadCount() != b1.Uploaded {
		t.Fatalf("second backfill: exit %d %+v (fake holds %d of ours)", code, b2, fake.UploadCount())
	}
	if b2.Already != b1.Already {
		t.Fatalf("second backfill reports %d already in Intervals.icu, first %d", b2.Already, b1.Already)
	}
}

func TestExitCodesAndMessages(t *testing.T) {
	r := newRider(t)
	if _, errs, code := r.run("", "backfill", "--bogus"); code != 2 || errs == "" {
		t.Errorf("bad flag: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := r.run("", "list", "--since", "yesterday"); code != 2 || !strings.Contains(errs, "date") {
		t.Errorf("bad date: exit %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{
		{"backfill", "--yes", "--source", "nosuch"},
		{"fetch", "--source", "nosuch"},
		{"list", "--source", "nosuch"},
	} {
		if _, errs, code := r.run("", args...); code != 2 || !strings.Contains(errs, "nosuch") {
			t.Errorf("%v: exit %d, stderr %q; want bad usage naming the source", args, code, errs)
		}
	}
	if out, errs, code := r.run("", "connect", "--help"); code != 0 || !strings.Contains(out, "mywhoosh") {
		t.Errorf("connect --help: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	_, errs, code := r.run("", "backfill", "--yes", "--json")
	if code != 3 || !strings.Contains(errs, "fitbridge connect intervals") {
		t.Errorf("backfill without Intervals.icu: exit %d, stderr %q", code, errs)
	}
	if n := strings.Count(strings.TrimSpace(errs), "\n"); n != 0 {
		t.Errorf("failure message is %d lines, want one: %q", n+1, errs)
	}
}

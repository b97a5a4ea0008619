package e2e

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fitfile"
)

type archiveEntryJSON struct {
	ID          uint    `json:"id"`
	File        string  `json:"file"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Sport       string  `json:"sport"`
	Start       string  `json:"start"`
	ElapsedS    float64 `json:"elapsed_s"`
	IntervalsID string  `json:"intervals_id"`
	Reason      string  `json:"reason"`
	Repaired    string  `json:"repaired"`
	MatchedVia  string  `json:"matched_via"`
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A Strava export goes into Intervals.icu as original files: each ride
// once, named and described from the CSV; the ride Intervals.icu holds from
// Garmin stays as it is; the one held only as a Strava copy is not taken for
// a duplicate; a cut-off file goes up repaired; a damaged member is listed
// with its reason. The fake decodes uploads with tormoder/fit, strictly.
func TestStravaExportIntoIntervals(t *testing.T) {
	fake := intervalsfake.New(intervalsfake.Options{})
	url := fake.Start()
	defer fake.Close()
	r := newRider(t)
	r.env["FITBRIDGE_INTERVALS_URL"] = url
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = fake.APIKey()

	commute := mustRead(t, fixture(t, "garmin_edge820_2017-06-12_commute_short.fit"))
	zwift := mustRead(t, fixture(t, "zwift_2017-10-05_virtualride.fit"))
	road := mustRead(t, fixture(t, "garmin_edge530_2020-11-07_road.fit"))
	run := mustRead(t, fixture(t, "garmin_fenix2_2015-08-15_run.fit"))
	cutRun := run[:len(run)*2/3] // the watch's battery died
	short := mustRead(t, fixture(t, "garmin_fenix5_2017-06-11_run_short.fit"))

	// Already in Intervals.icu: the commute from Garmin Connect, the Zwift
	// ride only as a Strava copy.
	sc, _ := fitfile.Summarize(commute)
	fake.AddActivity(intervalsfake.Activity{StartDate: sc.Start, ElapsedTime: int(sc.ElapsedS), Distance: sc.DistanceM, Type: "Ride",
		Source: "GARMIN_CONNECT", ExternalID: "1900000001"})
	sz, _ := fitfile.Summarize(zwift)
	fake.AddActivity(intervalsfake.Activity{StartDateLocal: sz.Start.In(fake.Location()), Source: "STRAVA"})

	csv := "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Commute,Activity Gear,Filename\n" +
		"1,\"Jun 12, 2017, 4:10:15 PM\",Home from work,Ride,,65,0.3,true,,activities/1.fit.gz\n" +
		"2,\"Oct 5, 2017, 12:04:06 AM\",Watopia flat,Virtual Ride,,1807,13.4,false,,activities/2.fit\n" +
		"3,\"Nov 7, 2020, 7:13:55 PM\",Autumn loop,Ride,\"Cold, \"\"windy\"\"\nbut fine\",10177,66.8,true,Canyon,activities/3.fit.gz\n" +
		"4,\"Aug 15, 2015, 2:45:08 PM\",Battery died,Run,,2832,9.0,false,,activities/4.fit\n" +
		"5,\"Jun 11, 2017, 2:34:09 PM\",Short run,Run,,57,0.2,false,,activities/5.fit\n" +
		"6,\"Jan 4, 2021, 6:30:00 PM\",Gym session,Weight Training,,3600,0,false,,\n" // entered by hand: no file
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	var fiveOff int64
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"activities.csv", []byte(csv)},
		{"activities/1.fit.gz", gzipped(t, commute)},
		{"activities/2.fit", zwift},
		{"activities/3.fit.gz", gzipped(t, road)},
		{"activities/4.fit", cutRun},
		{"activities/5.fit", short},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	zw.Close()
	z := zb.Bytes()
	if zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z))); err == nil {
		for _, f := range zr.File {
			if f.Name == "activities/5.fit" {
				fiveOff, _ = f.DataOffset()
				for i := fiveOff + 20; i < fiveOff+int64(f.CompressedSize64)-20; i += 5 {
					z[i] ^= 0x5A // one member damaged in the download
				}
			}
		}
	}
	if fiveOff == 0 {
		t.Fatal("no member to damage")
	}
	export := filepath.Join(t.TempDir(), "export_42.zip")
	if err := os.WriteFile(export, z, 0o644); err != nil {
		t.Fatal(err)
	}

	r.must("", "connect", "intervals", "--athlete-id", fake.AthleteID())
	stdout, stderr, code := r.run("", "import", export, "--json")
	if code != 1 { // the damaged member is a failure the rider must see
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "reading 5 of 5") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	got := decode[struct {
		Activities []archiveEntryJSON `json:"activities"`
	}](t, stdout).Activities
	want := []struct{ file, name, sport, state string }{
		{"activities/1.fit.gz", "Home from work", "Ride", "ready"},
		{"activities/2.fit", "Watopia flat", "VirtualRide", "ready"},
		{"activities/3.fit.gz", "Autumn loop", "Ride", "ready"},
		{"activities/4.fit", "Battery died", "Run", "ready"},
		{"activities/5.fit", "", "", "unreadable"},
		{"activities.csv#6", "Gym session", "WeightTraining", "skipped"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.File != export+"/"+w.file || g.State != w.state || g.Name != w.name && w.name != "" || g.Sport != w.sport {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if got[4].Reason == "" {
		t.Error("the damaged member has no reason")
	}
	if !strings.Contains(got[5].Reason, "entered by hand") || got[5].Start != "2021-01-04T18:30:00Z" {
		t.Errorf("the activity entered by hand: %+v", got[5])
	}
	if !strings.HasPrefix(got[3].Repaired, "repaired: the file ended early, the missing session was rebuilt from the records, ") ||
		got[3].Reason != got[3].Repaired {
		t.Errorf("cut-off run: repaired %q reason %q", got[3].Repaired, got[3].Reason)
	}

	stdout, stderr, code = r.run("", "backfill", "--yes", "--json")
	if code != 0 {
		t.Fatalf("backfill exit %d: %s\n%s", code, stderr, stdout)
	}
	b := decode[backfillJSON](t, stdout)
	// Garmin's commute is there; the Zwift ride is there only as a Strava
	// copy, left as it is unless the rider asks for originals.
	if b.Uploaded != 2 || b.Already != 2 {
		t.Errorf("backfill %+v: want 2 uploaded (the road ride, the repaired run), 2 already there", b)
	}
	list := decode[struct {
		Activities []archiveEntryJSON `json:"activities"`
	}](t, r.must("", "list", "--json")).Activities
	byName := map[string]archiveEntryJSON{}
	for _, a := range list {
		byName[a.Name] = a
	}
	if a := byName["Home from work"]; a.State != "already_in_intervals" || a.MatchedVia != "Garmin Connect" {
		t.Errorf("Garmin's commute: %s via %q (%s)", a.State, a.MatchedVia, a.Reason)
	}
	if a := byName["Watopia flat"]; a.State == "uploaded" || a.MatchedVia != "Strava" {
		t.Errorf("the ride held only as a Strava copy: %s via %q (%s)", a.State, a.MatchedVia, a.Reason)
	}
	if a := byName["Battery died"]; a.State != "uploaded" || a.Repaired == "" {
		t.Errorf("repaired run: %s (%s) %q", a.State, a.Reason, a.Repaired)
	}

	ours := map[string]intervalsfake.Activity{}
	for _, a := range fake.Activities() {
		if a.Source == "OAUTH_CLIENT" {
			ours[a.Name] = a
		}
	}
	loop, ok := ours["Autumn loop"]
	if !ok || loop.Description != "Cold, \"windy\"\nbut fine" || loop.Extra["sub_type"] != "COMMUTE" {
		t.Errorf("the road ride in Intervals.icu: %+v", loop)
	}
	died, ok := ours["Battery died"]
	sr, _ := fitfile.Summarize(cutRun)
	if !ok || died.Type != "Run" || !died.StartDate.Equal(sr.Start) || time.Duration(died.ElapsedTime)*time.Second < 20*time.Minute {
		t.Errorf("the repaired run in Intervals.icu: %+v", died)
	}
	if len(ours) != 2 {
		t.Errorf("%d of our activities in Intervals.icu, want 2", len(ours))
	}

	// The rider asks for originals next to Strava copies: the Zwift ride goes
	// up, and since Intervals.icu then shows both, the ride says so.
	stdout, stderr, code = r.run("", "backfill", "--strava-copies", "upload", "--yes", "--json")
	if b3 := decode[backfillJSON](t, stdout); code != 0 || b3.Uploaded != 1 {
		t.Fatalf("backfill --strava-copies upload: exit %d %+v %s", code, b3, stderr)
	}
	list = decode[struct {
		Activities []archiveEntryJSON `json:"activities"`
	}](t, r.must("", "list", "--json")).Activities
	for _, a := range list {
		if a.Name == "Watopia flat" && (a.State != "uploaded" || !strings.Contains(a.Reason, "shows this ride twice") || !strings.Contains(a.Reason, "/activities/")) {
			t.Errorf("the original next to its Strava copy: %s (%s)", a.State, a.Reason)
		}
	}
	// The same export again, and another backfill: nothing goes up twice.
	if _, stderr, code := r.run("", "import", export, "--json"); code != 1 {
		t.Fatalf("second import exit %d: %s", code, stderr)
	}
	stdout, _, code = r.run("", "backfill", "--yes", "--json")
	if b2 := decode[backfillJSON](t, stdout); code != 0 || b2.Uploaded != 0 || fake.UploadCount() != 3 {
		t.Errorf("second backfill: exit %d %+v, fake created %d", code, b2, fake.UploadCount())
	}
}

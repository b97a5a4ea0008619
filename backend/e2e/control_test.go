package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
)

type runsJSON struct {
	Runs []struct {
		ID       uint   `json:"id"`
		Started  string `json:"started"`
		Finished string `json:"finished"`
		Kind     string `json:"kind"`
		Uploaded int    `json:"uploaded"`
		Already  int    `json:"already"`
		Skipped  int    `json:"skipped"`
		Failed   int    `json:"failed"`
	} `json:"runs"`
}

type undoJSON struct {
	Deleted  int `json:"deleted"`
	Kept     int `json:"kept"`
	Failed   int `json:"failed"`
	Failures []struct {
		IntervalsID string `json:"intervals_id"`
		Reason      string `json:"reason"`
	} `json:"failures"`
}

// headUnitRide is a ride file as a head unit leaves it in its folder.
func headUnitRide(start time.Time, serial uint32) []byte {
	return fitgen.Activity(fitgen.Ride{Start: start, Duration: 50 * time.Minute, DistanceM: 24000, Serial: serial, AvgPower: 170, Every: time.Minute})
}

// The rider chose six months of MyWhoosh: continuous sync must then leave
// the older MyWhoosh rides and the whole head-unit folder alone, take only
// what appears later, and the backfill must be undoable.
func TestContinuousSyncBringsNewActivitiesOnly(t *testing.T) {
	p := &myWhoosh{}
	w := newWorld(t, p, worldOptions{n: 40})
	// A ride already in Intervals.icu from elsewhere, which no undo may touch.
	other := w.ivl.AddActivity(intervalsfake.Activity{StartDate: time.Now().UTC().AddDate(0, -1, 0), ElapsedTime: 3600, Distance: 30000,
		Type: "Ride", Source: "GARMIN_CONNECT", ExternalID: "123456789", Name: "Outdoor ride"})

	// Folder B: a head unit's two years of rides, there before it is connected.
	dir := t.TempDir()
	now := time.Now().UTC()
	for i := 0; i < 12; i++ {
		start := now.AddDate(0, -2*i, -3).Truncate(time.Minute)
		writeOld(t, filepath.Join(dir, fmt.Sprintf("ride-%02d.fit", i)), headUnitRide(start, uint32(500+i)))
	}
	w.must("", "connect", "folder", "--folder", dir)

	since := now.AddDate(0, -6, 0)
	sinceDay := since.Format("2006-01-02")
	sinceUTC, _ := time.Parse("2006-01-02", sinceDay)
	want := 0
	for _, r := range p.rides {
		if r.HasFile() && !r.Start.Before(sinceUTC) {
			want++
		}
	}
	if want == 0 || want == p.expectDone() {
		t.Fatalf("the seed must have rides on both sides of %s (%d of %d after)", sinceDay, want, p.expectDone())
	}

	out, errs, code := w.run("", "backfill", "--source", "mywhoosh", "--since", sinceDay, "--yes", "--json")
	if code != 0 {
		t.Fatalf("backfill exit %d: %s\n%s", code, errs, out)
	}
	b := decode[backfillJSON](t, out)
	if b.Uploaded != want || w.ivl.UploadCount() != want {
		t.Fatalf("backfill uploaded %d (the fake got %d), want the %d MyWhoosh rides since %s", b.Uploaded, w.ivl.UploadCount(), want, sinceDay)
	}
	firstRun := map[string]bool{}
	for _, a := range w.ivl.Activities() {
		if a.ID == other {
			continue
		}
		if a.StartDate.Before(sinceUTC) || !strings.HasPrefix(a.ExternalID, "fitbridge-mywhoosh-") {
			t.Errorf("backfill uploaded %s (%s, started %s): not a MyWhoosh ride since %s", a.ID, a.ExternalID, a.StartDate, sinceDay)
		}
		firstRun[a.ID] = true
	}

	watchOnce := func() backfillJSON {
		t.Helper()
		out, errs, code := w.run("", "watch", "--once", "--settle", "1s", "--json")
		if code != 0 {
			t.Fatalf("watch --once exit %d: %s\n%s", code, errs, out)
		}
		return decode[backfillJSON](t, out)
	}
	// A file the rider adds by hand is history as well: not for continuous sync.
	w.must("", "import", fixture(t, "zwift_2017-10-05_virtualride.fit"))
	if res := watchOnce(); res.Uploaded != 0 || w.ivl.UploadCount() != want {
		t.Fatalf("continuous sync uploaded %d (the fake holds %d uploads, want %d): history went up without being chosen",
			res.Uploaded, w.ivl.UploadCount(), want)
	}

	// Later: a new MyWhoosh ride, a new file from the head unit.
	newRide := p.f.AddRide(mywhooshfake.Ride{Start: now.Add(-2 * time.Hour), Title: "Evening Ride", Duration: 40 * time.Minute, DistanceKm: 20, Watt: 180})
	newStart := now.Add(-5 * time.Hour).Truncate(time.Minute)
	writeOld(t, filepath.Join(dir, "ride-new.fit"), headUnitRide(newStart, 999))
	if res := watchOnce(); res.Uploaded != 2 {
		t.Fatalf("continuous sync uploaded %d new activities, want the 2 that appeared", res.Uploaded)
	}
	var gotRide, gotFile bool
	for _, a := range w.ivl.Activities() {
		gotRide = gotRide || a.ExternalID == "fitbridge-mywhoosh-"+newRide.ID
		gotFile = gotFile || a.StartDate.Equal(newStart)
	}
	if !gotRide || !gotFile || w.ivl.UploadCount() != want+2 {
		t.Fatalf("after the new ride and file: ride %v, file %v, %d uploads (want %d)", gotRide, gotFile, w.ivl.UploadCount(), want+2)
	}

	runs := decode[runsJSON](t, w.must("", "runs", "--json"))
	if len(runs.Runs) != 2 || runs.Runs[0].Kind != "continuous" || runs.Runs[0].Uploaded != 2 ||
		runs.Runs[1].Kind != "manual" || runs.Runs[1].Uploaded != want || runs.Runs[1].Started == "" || runs.Runs[1].Finished == "" {
		t.Fatalf("runs, newest first: %+v; want the continuous pass (2) then the backfill (%d)", runs.Runs, want)
	}
	backfillRun := strconv.FormatUint(uint64(runs.Runs[1].ID), 10)

	// The rider renamed one of the backfill's rides in Intervals.icu: undo keeps it.
	var renamed string
	for id := range firstRun {
		renamed = id
		break
	}
	renameInIntervals(t, w.env["FITBRIDGE_INTERVALS_URL"], w.ivl.APIKey(), renamed, "Renamed by me")

	u := decode[undoJSON](t, w.must("", "undo", backfillRun, "--yes", "--json"))
	if u.Deleted != want-1 || u.Kept != 1 || u.Failed != 0 {
		t.Fatalf("undo: %+v, want %d deleted and the renamed one kept", u, want-1)
	}
	left := map[string]bool{}
	for _, a := range w.ivl.Activities() {
		left[a.ID] = true
	}
	for id := range firstRun {
		if left[id] != (id == renamed) {
			t.Errorf("after undo, %s in Intervals.icu: %v", id, left[id])
		}
	}
	if !left[other] || len(left) != 1+1+2 {
		t.Fatalf("undo must leave the ride from elsewhere, the renamed one and the 2 continuous uploads: %d left", len(left))
	}

	again := decode[undoJSON](t, w.must("", "undo", backfillRun, "--yes", "--json"))
	if again.Deleted != 0 || len(w.ivl.Activities()) != len(left) {
		t.Fatalf("a second undo deleted %d (Intervals.icu holds %d, was %d)", again.Deleted, len(w.ivl.Activities()), len(left))
	}
	// What was undone stays out: neither continuous sync nor a backfill sends it again.
	if res := watchOnce(); res.Uploaded != 0 {
		t.Fatalf("continuous sync uploaded %d after the undo", res.Uploaded)
	}
	kept := 0
	for _, a := range decode[listJSON](t, w.must("", "list", "--source", "mywhoosh", "--json")).Activities {
		if a.State == "skipped" && strings.HasPrefix(a.Reason, "kept out") {
			kept++
		}
	}
	if kept != want-1 {
		t.Fatalf("%d MyWhoosh rides are kept out after the undo, want %d", kept, want-1)
	}
	if _, errs, code := w.run("", "undo", "9999", "--yes"); code != 2 || !strings.Contains(errs, "runs") {
		t.Fatalf("undo of an unknown run: exit %d, %q; want 2 and a pointer to `fitbridge runs`", code, errs)
	}
}

// renameInIntervals changes an activity's name through the API, as the
// rider would in Intervals.icu.
func renameInIntervals(t *testing.T, base, key, id, name string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, base+"/api/v1/activity/"+id, bytes.NewReader([]byte(fmt.Sprintf(`{"name":%q}`, name))))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("API_KEY", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("rename %s in the fake: %s", id, resp.Status)
	}
}

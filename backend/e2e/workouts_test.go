package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
)

type workoutsJSON struct {
	Workouts []struct {
		ID      string   `json:"id"`
		Date    string   `json:"date"`
		Name    string   `json:"name"`
		Target  string   `json:"target"`
		State   string   `json:"state"`
		Changes []string `json:"changes"`
		Reason  string   `json:"reason"`
	} `json:"workouts"`
}

func (w workoutsJSON) find(t *testing.T, target, name string) (state string, changes []string, reason string) {
	t.Helper()
	for _, x := range w.Workouts {
		if x.Target == target && x.Name == name {
			return x.State, x.Changes, x.Reason
		}
	}
	t.Fatalf("no %s workout %q in %+v", target, name, w.Workouts)
	return "", nil, ""
}

// exactKeys checks each entry carries exactly the keys CLI.md lists, an
// empty reason included, so scripts can read them without guarding.
func exactKeys(t *testing.T, out string) {
	t.Helper()
	doc := decode[map[string][]map[string]any](t, out)
	want := []string{"changes", "date", "id", "name", "reason", "state", "target"}
	for _, entry := range doc["workouts"] {
		var got []string
		for k := range entry {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("entry keys %v, CLI.md says %v: %v", got, want, entry)
		}
	}
}

// zwoFiles reads the FitBridge folder of the Zwift account's workouts.
func zwoFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		out[e.Name()] = string(mustRead(t, filepath.Join(dir, e.Name())))
	}
	return out
}

func TestWorkoutsGoToZwiftAndIGPSportAndFollowThePlan(t *testing.T) {
	r, ivl, activities := zwiftWorld(t)
	ig := igpsportfake.New(igpsportfake.Options{Region: "intl"})
	r.env["FITBRIDGE_IGPSPORT_URL"] = ig.Start()
	t.Cleanup(ig.Close)
	r.must(ig.Token(), "connect", "igpsport", "--region", "intl", "--token-stdin")
	ownID := ig.AddWorkout("My own FTP test", 3600)

	// Zwift's workouts folder for the rider's account, with a workout of
	// the rider's own that FitBridge must never touch.
	account := filepath.Join(filepath.Dir(activities), "Workouts", "1234567")
	if err := os.MkdirAll(account, 0o755); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(account, "my-sweetspot.zwo")
	ownBody := "<workout_file><name>Mine</name><workout><SteadyState Duration=\"60\" Power=\"0.9\"/></workout></workout_file>"
	if err := os.WriteFile(own, []byte(ownBody), 0o644); err != nil {
		t.Fatal(err)
	}
	fbDir := filepath.Join(account, "FitBridge")

	loc, err := time.LoadLocation("Europe/Berlin") // the fake athlete's zone
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc)
	sweet := ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 1), Name: "Sweet Spot 3x10", Type: "Ride", Steps: []map[string]any{
		{"duration": 600, "warmup": true, "ramp": true, "power": map[string]any{"start": 50, "end": 75, "units": "%ftp"}},
		{"reps": 3, "steps": []map[string]any{
			{"duration": 600, "power": map[string]any{"start": 88, "end": 94, "units": "%ftp"}, "cadence": map[string]any{"start": 85, "end": 95, "units": "rpm"}},
			{"duration": 300, "power": map[string]any{"value": 55, "units": "%ftp"}},
		}},
		{"duration": 600, "cooldown": true, "hr": map[string]any{"start": 70, "end": 80, "units": "%lthr"}},
	}})
	endurance := ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 4), Name: "Endurance Z2", Type: "VirtualRide", Steps: []map[string]any{
		{"duration": 5400, "power": map[string]any{"value": 2, "units": "power_zone"}, "text": "Easy"},
	}})
	ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 30), Name: "Too far ahead", Type: "Ride", Steps: []map[string]any{
		{"duration": 600, "power": map[string]any{"value": 60, "units": "%ftp"}},
	}})

	// First run: both places get both workouts.
	firstOut := r.must("", "workouts", "--yes", "--json")
	first := decode[workoutsJSON](t, firstOut)
	exactKeys(t, firstOut)
	if len(first.Workouts) != 4 {
		t.Fatalf("want 2 workouts at 2 places, got %+v", first.Workouts)
	}
	for _, target := range []string{"zwift", "igpsport"} {
		for _, name := range []string{"Sweet Spot 3x10", "Endurance Z2"} {
			if state, _, reason := first.find(t, target, name); state != "delivered" {
				t.Fatalf("%s %s: %s (%s)", target, name, state, reason)
			}
		}
	}
	_, zwChanges, _ := first.find(t, "zwift", "Sweet Spot 3x10")
	if !anyContains(zwChanges, "heart-rate") || !anyContains(zwChanges, "power ranges became their middle") || !anyContains(zwChanges, "cadence 85–95 rpm became 90 rpm") {
		t.Fatalf("Zwift changes do not say what was converted: %q", zwChanges)
	}
	_, igChanges, _ := first.find(t, "igpsport", "Sweet Spot 3x10")
	if !anyContains(igChanges, "ramps became steady ranges") {
		t.Fatalf("iGPSport changes do not name the ramp: %q", igChanges)
	}
	files := zwoFiles(t, fbDir)
	if len(files) != 2 {
		t.Fatalf("want 2 .zwo files, got %v", files)
	}
	var sweetFile string
	for name, body := range files {
		if strings.Contains(name, "Sweet Spot") {
			sweetFile = name
			if !strings.HasPrefix(name, today.AddDate(0, 0, 1).Format("2006-01-02")) {
				t.Fatalf("file name does not sort by date: %s", name)
			}
			for _, want := range []string{`<IntervalsT Repeat="3" OnDuration="600" OffDuration="300" OnPower="0.91" OffPower="0.55" Cadence="90"`, `<Warmup Duration="600" PowerLow="0.5" PowerHigh="0.75"`, `<FreeRide Duration="600"`} {
				if !strings.Contains(body, want) {
					t.Fatalf("%s lacks %s:\n%s", name, want, body)
				}
			}
		}
	}
	if sweetFile == "" {
		t.Fatalf("no Sweet Spot file in %v", files)
	}
	if got := ig.Workouts(); len(got) != 3 {
		t.Fatalf("iGPSport should hold the rider's own workout and two delivered, holds %+v", got)
	}

	// Second run, nothing changed: nothing written anywhere.
	before := ig.Workouts()
	stat, _ := os.Stat(filepath.Join(fbDir, sweetFile))
	time.Sleep(20 * time.Millisecond)
	second := decode[workoutsJSON](t, r.must("", "workouts", "--yes", "--json"))
	if state, _, _ := second.find(t, "zwift", "Sweet Spot 3x10"); state != "delivered" {
		t.Fatalf("unchanged workout reported %s", state)
	}
	after := ig.Workouts()
	for i := range before {
		if before[i].Edits != after[i].Edits {
			t.Fatalf("a second run sent iGPSport workout %d again", before[i].ID)
		}
	}
	stat2, _ := os.Stat(filepath.Join(fbDir, sweetFile))
	if !stat2.ModTime().Equal(stat.ModTime()) {
		t.Fatalf("a second run rewrote %s", sweetFile)
	}

	// The plan moves one workout and deletes the other.
	ivl.EditEvent(sweet, func(e *intervalsfake.Event) { e.Day = today.AddDate(0, 0, 2) })
	ivl.DeleteEvent(endurance)
	// Exit 1: one workout needs the rider's hand (below).
	out3, _, code := r.run("", "workouts", "--yes", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 for the workout the rider must delete\n%s", code, out3)
	}
	third := decode[workoutsJSON](t, out3)
	if state, _, _ := third.find(t, "zwift", "Sweet Spot 3x10"); state != "changed" {
		t.Fatalf("moved workout: %s", state)
	}
	if state, _, _ := third.find(t, "zwift", "Endurance Z2"); state != "removed" {
		t.Fatalf("deleted workout at Zwift: %s", state)
	}
	files = zwoFiles(t, fbDir)
	if len(files) != 1 {
		t.Fatalf("want only the moved workout left, got %v", files)
	}
	for name := range files {
		if !strings.HasPrefix(name, today.AddDate(0, 0, 2).Format("2006-01-02")) {
			t.Fatalf("moved workout kept its old day: %s", name)
		}
	}
	// iGPSport shows no delete call: the rider is told to delete it there, once.
	if state, _, reason := third.find(t, "igpsport", "Endurance Z2"); state != "failed" || !strings.Contains(reason, "delete it there") {
		t.Fatalf("deleted workout at iGPSport: %s %q", state, reason)
	}
	for _, w := range ig.Workouts() {
		if w.ID == ownID && w.Edits != 1 {
			t.Fatalf("the rider's own iGPSport workout was edited")
		}
	}
	fourth := decode[workoutsJSON](t, r.must("", "workouts", "--yes", "--json"))
	for _, w := range fourth.Workouts {
		if w.Name == "Endurance Z2" {
			t.Fatalf("the undeletable workout is reported again: %+v", w)
		}
	}

	// The rider's own Zwift workout is untouched through all of it.
	if got := string(mustRead(t, own)); got != ownBody {
		t.Fatalf("the rider's own workout changed: %q", got)
	}
}

func TestWorkoutsFailWhenIGPSportDoesNotListWhatItTook(t *testing.T) {
	r := newRider(t)
	ivl := connectIntervals(t, r)
	ig := igpsportfake.New(igpsportfake.Options{Region: "intl", WorkoutsNotListed: true})
	r.env["FITBRIDGE_IGPSPORT_URL"] = ig.Start()
	t.Cleanup(ig.Close)
	r.must(ig.Token(), "connect", "igpsport", "--region", "intl", "--token-stdin")
	ivl.AddEvent(intervalsfake.Event{Day: time.Now().AddDate(0, 0, 1), Name: "Openers", Type: "Ride", Steps: []map[string]any{
		{"duration": 1200, "power": map[string]any{"value": 65, "units": "%ftp"}},
	}})
	out, _, code := r.run("", "workouts", "--to", "igpsport", "--yes", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a failure)\n%s", code, out)
	}
	res := decode[workoutsJSON](t, out)
	if state, _, reason := res.find(t, "igpsport", "Openers"); state != "failed" || !strings.Contains(reason, "does not list it") {
		t.Fatalf("got %s %q", state, reason)
	}
}

// A workout the rider deleted in iGPSport's app comes back when the plan
// changes it, once, instead of failing on every run.
func TestWorkoutsResendToIGPSportWhatTheRiderDeletedThere(t *testing.T) {
	r := newRider(t)
	ivl := connectIntervals(t, r)
	ig := igpsportfake.New(igpsportfake.Options{Region: "intl"})
	r.env["FITBRIDGE_IGPSPORT_URL"] = ig.Start()
	t.Cleanup(ig.Close)
	r.must(ig.Token(), "connect", "igpsport", "--region", "intl", "--token-stdin")
	id := ivl.AddEvent(intervalsfake.Event{Day: time.Now().AddDate(0, 0, 1), Name: "Openers", Type: "Ride", Steps: []map[string]any{
		{"duration": 1200, "power": map[string]any{"value": 65, "units": "%ftp"}},
	}})
	r.must("", "workouts", "--to", "igpsport", "--yes", "--json")
	sent := ig.Workouts()
	if len(sent) != 1 {
		t.Fatalf("want one workout at iGPSport, got %+v", sent)
	}
	ig.DeleteWorkout(sent[0].ID)
	ivl.EditEvent(id, func(e *intervalsfake.Event) { e.Name = "Openers, longer" })
	out, _, code := r.run("", "workouts", "--to", "igpsport", "--yes", "--json")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	if state, _, reason := decode[workoutsJSON](t, out).find(t, "igpsport", "Openers, longer"); state != "changed" {
		t.Fatalf("got %s %q", state, reason)
	}
	if got := ig.Workouts(); len(got) != 1 || got[0].Title != "Openers, longer" {
		t.Fatalf("want the changed workout at iGPSport once, got %+v", got)
	}
}

// Every kind of ride goes to the bike computer; a run does not.
func TestWorkoutsGoToIGPSportForEveryKindOfRide(t *testing.T) {
	r := newRider(t)
	ivl := connectIntervals(t, r)
	ig := igpsportfake.New(igpsportfake.Options{Region: "intl"})
	r.env["FITBRIDGE_IGPSPORT_URL"] = ig.Start()
	t.Cleanup(ig.Close)
	r.must(ig.Token(), "connect", "igpsport", "--region", "intl", "--token-stdin")
	for i, sport := range []string{"Cyclocross", "TrackRide", "Run"} {
		ivl.AddEvent(intervalsfake.Event{Day: time.Now().AddDate(0, 0, i+1), Name: sport + " openers", Type: sport, Steps: []map[string]any{
			{"duration": 1200, "power": map[string]any{"value": 65, "units": "%ftp"}},
		}})
	}
	res := decode[workoutsJSON](t, r.must("", "workouts", "--to", "igpsport", "--yes", "--json"))
	if len(res.Workouts) != 2 {
		t.Fatalf("want the two rides, got %+v", res.Workouts)
	}
	for _, name := range []string{"Cyclocross openers", "TrackRide openers"} {
		if state, _, reason := res.find(t, "igpsport", name); state != "delivered" {
			t.Fatalf("%s: %s %q", name, state, reason)
		}
	}
	if got := ig.Workouts(); len(got) != 2 {
		t.Fatalf("want two workouts at iGPSport, got %+v", got)
	}
}

func TestWorkoutsUsageAndMyWhoosh(t *testing.T) {
	r := newRider(t)
	if _, errs, code := r.run("", "workouts", "--json"); code != 2 || !strings.Contains(errs, "--yes") {
		t.Fatalf("without --yes: exit %d %q", code, errs)
	}
	if _, errs, code := r.run("", "workouts", "--to", "strava", "--yes"); code != 2 || !strings.Contains(errs, "does not take planned workouts") {
		t.Fatalf("unknown target: exit %d %q", code, errs)
	}
	ivl := connectIntervals(t, r)
	ivl.AddEvent(intervalsfake.Event{Day: time.Now().AddDate(0, 0, 2), Name: "Tempo", Type: "VirtualRide", Steps: []map[string]any{
		{"duration": 1800, "power": map[string]any{"value": 80, "units": "%ftp"}},
	}})
	out, _, code := r.run("", "workouts", "--to", "mywhoosh", "--dry-run", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	res := decode[workoutsJSON](t, out)
	if state, _, reason := res.find(t, "mywhoosh", "Tempo"); state != "failed" || !strings.Contains(reason, "MyWhoosh cannot take planned workouts") {
		t.Fatalf("got %s %q", state, reason)
	}
}

// connectIntervals gives the rider an Intervals.icu account on a fake.
func connectIntervals(t *testing.T, r *rider) *intervalsfake.Server {
	ivl := intervalsfake.New(intervalsfake.Options{})
	r.env["FITBRIDGE_INTERVALS_URL"] = ivl.Start()
	t.Cleanup(ivl.Close)
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = ivl.APIKey()
	r.must("", "connect", "intervals", "--athlete-id", ivl.AthleteID())
	return ivl
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

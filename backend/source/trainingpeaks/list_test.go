package trainingpeaks

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// checkCover fails unless ws (newest first) are each at most 90 days and
// tile first..last exactly: no gap, no overlap.
func checkCover(t *testing.T, ws []window, first, last time.Time) {
	t.Helper()
	if len(ws) == 0 {
		t.Fatal("no windows")
	}
	if !ws[0].end.Equal(last) || !ws[len(ws)-1].start.Equal(first) {
		t.Fatalf("windows span %s..%s, want %s..%s", ws[len(ws)-1].start.Format(time.DateOnly), ws[0].end.Format(time.DateOnly), first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	for i, w := range ws {
		if w.days() > windowDays || w.end.Before(w.start) {
			t.Fatalf("window %d is %s..%s (%d days)", i, w.start.Format(time.DateOnly), w.end.Format(time.DateOnly), w.days())
		}
		if i > 0 && !ws[i-1].start.Equal(w.end.AddDate(0, 0, 1)) {
			t.Fatalf("window %d ends %s but the next starts %s: a day is skipped or repeated", i, w.end.Format(time.DateOnly), ws[i-1].start.Format(time.DateOnly))
		}
	}
}

func TestWindows(t *testing.T) {
	tests := []struct {
		name        string
		first, last string
		want        int
	}{
		{"one day", "2026-01-01", "2026-01-01", 1},
		{"exactly 90 days", "2026-01-01", "2026-03-31", 1},
		{"91 days", "2026-01-01", "2026-04-01", 2},
		{"180 days", "2025-01-01", "2025-06-29", 2},
		{"181 days", "2025-01-01", "2025-06-30", 3},
		{"across a leap day", "2024-01-15", "2024-04-13", 1},
		{"whole history", "2000-01-01", "2026-10-15", 109},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := windows(day(tt.first), day(tt.last))
			if len(ws) != tt.want {
				t.Fatalf("%d windows, want %d", len(ws), tt.want)
			}
			checkCover(t, ws, day(tt.first), day(tt.last))
		})
	}
	if ws := windows(day("2026-02-01"), day("2026-01-01")); len(ws) != 0 {
		t.Fatalf("empty range gave %d windows", len(ws))
	}
}

// fakeWindows turns the fake's log of list calls into windows, newest first.
func fakeWindows(t *testing.T, f *trainingpeaksfake.Server) []window {
	t.Helper()
	var ws []window
	for _, w := range f.ListWindows() {
		if w.Status != http.StatusOK {
			t.Fatalf("the fake refused window %s..%s (%d days): %d", w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly), w.Days(), w.Status)
		}
		ws = append(ws, window{w.Start, w.End})
	}
	return ws
}

// One workout on every day of a 400-day query, at the edges of the local
// day: each must come back exactly once, and the list calls the fake saw must
// tile the range without a gap or an overlap.
func TestListWindowsExact(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	loc := h.fake.Location()
	since := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	until := time.Date(2026, 2, 4, 0, 0, 0, 0, loc)
	want := map[string]bool{}
	rng := rand.New(rand.NewSource(7))
	for d := since.AddDate(0, 0, -2); !d.After(until.AddDate(0, 0, 2)); d = d.AddDate(0, 0, 1) {
		start := d.Add(30 * time.Second) // just after local midnight: the UTC date is the day before
		if d.YearDay()%2 == 1 {
			start = d.Add(23*time.Hour + 59*time.Minute)
		}
		w := h.fake.Add(h.fake.NewWorkout(rng, h.fake.PrimaryAthlete(), trainingpeaksfake.KindManual, start))
		if !d.Before(since) && !d.After(until) {
			want[strconv.FormatInt(w.ID, 10)] = true
		}
	}
	c := h.client(t, nil)
	got := list(t, c, source.Query{Since: since, Until: until})
	seen := map[string]int{}
	for _, a := range got {
		seen[a.RemoteID]++
		if seen[a.RemoteID] > 1 {
			t.Fatalf("workout %s listed twice", a.RemoteID)
		}
		if !want[a.RemoteID] {
			t.Fatalf("workout %s (%s) is outside the query", a.RemoteID, a.StartHint)
		}
	}
	if len(got) != len(want) || len(want) != 400 {
		t.Fatalf("listed %d workouts, want %d (400 days)", len(got), len(want))
	}
	// The client asks one day beyond each end (local dates against instants).
	checkCover(t, fakeWindows(t, h.fake), day("2024-12-31"), day("2026-02-05"))
	h.secretsLogged(t)
}

// echoRows replays the rows of the previous list answer in the next one, as
// when a workout moves to another day while the history is being read.
func echoRows(next http.Handler) http.Handler {
	var prev []json.RawMessage
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/workouts/") || strings.Count(r.URL.Path, "-") < 4 {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var rows []json.RawMessage
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &rows) != nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		out := append(append([]json.RawMessage(nil), rows...), prev...)
		prev = rows
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

func TestListDeduplicatesByWorkoutID(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	seeded := h.fake.Seed(40, day("2025-06-01"), day("2026-06-01"), rand.New(rand.NewSource(3)))
	h.serve(t, echoRows)
	c := h.client(t, nil)
	got := list(t, c, source.Query{Since: day("2025-06-01"), Until: day("2026-06-01")})
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a.RemoteID] {
			t.Fatalf("workout %s yielded twice", a.RemoteID)
		}
		seen[a.RemoteID] = true
	}
	completed := 0
	for _, w := range seeded {
		if w.Kind.Completed() {
			completed++
		}
	}
	if len(got) != completed {
		t.Fatalf("listed %d, want %d", len(got), completed)
	}
}

// Whole history: about 200 workouts over three years, planned rows (past and
// future), a deleted row and a null title mixed in; the walk goes back to
// the floor in contiguous windows.
func TestListWholeHistory(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	seeded := h.fake.Seed(200, day("2023-10-15"), day("2026-10-13"), rand.New(rand.NewSource(42)))
	c := h.client(t, nil)
	got := list(t, c, source.Query{})

	byID := map[string]trainingpeaksfake.Workout{}
	want := 0
	for _, w := range seeded {
		byID[strconv.FormatInt(w.ID, 10)] = w
		if w.Kind.Completed() {
			want++
		}
	}
	if len(got) != want || want != 200 {
		t.Fatalf("listed %d workouts, want %d", len(got), want)
	}
	for i, a := range got {
		w, ok := byID[a.RemoteID]
		if !ok || !w.Kind.Completed() {
			t.Fatalf("listed %s, a %q row", a.RemoteID, w.Kind)
		}
		if i > 0 && a.StartHint.After(got[i-1].StartHint) {
			t.Fatalf("not newest first at %d: %s after %s", i, a.StartHint, got[i-1].StartHint)
		}
		if !a.StartHint.Equal(w.Start) {
			t.Fatalf("workout %s start hint %s, want %s (local wall clock in the athlete's zone)", a.RemoteID, a.StartHint, w.Start)
		}
		if a.Extra["athlete"] != "111" || a.SkipReason != "" {
			t.Fatalf("workout %s extra %v skip %q", a.RemoteID, a.Extra, a.SkipReason)
		}
		if a.Sport != Sport(w.TypeID) {
			t.Fatalf("workout %s type %d sport %q", a.RemoteID, w.TypeID, a.Sport)
		}
		if w.NullTitle && a.Name != workoutTypes[int64(w.TypeID)].name {
			t.Fatalf("null title named %q", a.Name)
		}
		if !w.NullTitle && a.Name != w.Title {
			t.Fatalf("name %q, want %q", a.Name, w.Title)
		}
	}
	ws := fakeWindows(t, h.fake)
	sort.Slice(ws, func(i, j int) bool { return ws[i].end.After(ws[j].end) })
	checkCover(t, ws, historyFloor, day("2026-10-15"))
	h.secretsLogged(t)
}

func TestSportTable(t *testing.T) {
	tests := []struct {
		id   int
		want string
	}{
		{1, "Swim"}, {2, "Ride"}, {3, "Run"}, {4, "Workout"}, {5, "Workout"}, {6, ""}, {8, "MountainBikeRide"},
		{9, "WeightTraining"}, {10, "Other"}, {11, "NordicSki"}, {12, "Rowing"}, {13, "Walk"}, {100, "Other"}, {42, ""},
	}
	for _, tt := range tests {
		if got := Sport(tt.id); got != tt.want {
			t.Errorf("Sport(%d) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestCompletedRule(t *testing.T) {
	today := day("2026-10-14")
	f := func(v float64) flexFloat { return flexFloat(v) }
	str := func(s string) *string { return &s }
	tests := []struct {
		name string
		r    row
		want bool
	}{
		{"time only", row{WorkoutDay: "2026-10-01T00:00:00", TotalTime: f(1.1333)}, true},
		{"distance only", row{WorkoutDay: "2026-10-01T00:00:00", Distance: f(5000)}, true},
		{"tss only", row{WorkoutDay: "2026-10-01T00:00:00", TssActual: f(40)}, true},
		{"energy only", row{WorkoutDay: "2026-10-01T00:00:00", Energy: f(600)}, true},
		{"today", row{WorkoutDay: "2026-10-14T00:00:00", StartTime: str("2026-10-14T06:00:00"), TotalTime: f(1)}, true},
		{"planned only", row{WorkoutDay: "2026-10-01T00:00:00"}, false},
		{"missed: zeros", row{WorkoutDay: "2026-10-01T00:00:00", TotalTime: f(0)}, false},
		{"future with values", row{WorkoutDay: "2026-10-15T00:00:00", TotalTime: f(1)}, false},
		{"no day", row{TotalTime: f(1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.completed(today); got != tt.want {
				t.Fatalf("completed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCoachChoosesAthlete(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{CoachAccount: true})
	rng := rand.New(rand.NewSource(9))
	h.fake.Seed(12, day("2026-07-01"), day("2026-09-30"), rng)
	other := h.fake.Add(h.fake.NewWorkout(rng, trainingpeaksfake.SecondAthleteID, trainingpeaksfake.KindFIT, time.Date(2026, 8, 3, 7, 0, 0, 0, time.UTC)))
	q := source.Query{Since: day("2026-07-01"), Until: day("2026-09-30")}

	athletes, err := h.client(t, nil).Athletes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantAthletes := []Athlete{{"222", "Ana Costa"}, {"223", "Ben Okafor"}}
	if len(athletes) != 2 || athletes[0] != wantAthletes[0] || athletes[1] != wantAthletes[1] {
		t.Fatalf("Athletes = %v, want %v", athletes, wantAthletes)
	}

	tests := []struct {
		name    string
		setting string
		want    int    // workouts listed
		wantErr string // in the ChooseAthleteError
	}{
		{"no choice", "", 0, "choose whose workouts"},
		{"first athlete", "222", 12, ""},
		{"second athlete", "223", 1, ""},
		{"unknown athlete", "999", 0, "999 is not one this account can read"},
		{"the coach itself", "333", 0, "333 is not one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.client(t, map[string]string{SettingAthlete: tt.setting})
			var got []source.Activity
			err := c.List(t.Context(), q, func(a source.Activity) error { got = append(got, a); return nil })
			if tt.wantErr != "" {
				var ce *ChooseAthleteError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) ||
					!strings.Contains(err.Error(), "222 (Ana Costa)") || !strings.Contains(err.Error(), "223 (Ben Okafor)") {
					t.Fatalf("List = %v, want a choice error listing both athletes", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("listed %d, want %d", len(got), tt.want)
			}
			for _, a := range got {
				if a.Extra["athlete"] != tt.setting {
					t.Fatalf("workout %s listed for athlete %q", a.RemoteID, a.Extra["athlete"])
				}
			}
			if tt.setting == "223" {
				data, err := c.Download(t.Context(), got[0])
				if err != nil || !bytes.Equal(data, h.fake.FileBytes(other.ID)) {
					t.Fatalf("download from the second athlete: %v", err)
				}
			}
		})
	}

	solo := newHarness(t, trainingpeaksfake.Options{})
	athletes, err = solo.client(t, nil).Athletes(t.Context())
	if err != nil || len(athletes) != 1 || athletes[0] != (Athlete{"111", "Riley Rider"}) {
		t.Fatalf("athlete account: %v %v", athletes, err)
	}
}

// Only someone other than the user in athletes[] makes a coach's account;
// a lone entry is the athlete to read, with no choice asked of the rider.
func TestAthletesEntryDecidesCoach(t *testing.T) {
	tests := []struct {
		name  string
		opts  trainingpeaksfake.Options
		want  string // athlete read without any setting; "" when a choice is asked
		coach bool
	}{
		{"empty athletes[]", trainingpeaksfake.Options{}, "111", false},
		{"the athlete listed as its only entry", trainingpeaksfake.Options{Athletes: trainingpeaksfake.AthletesSelf}, "111", false},
		{"a coach's one athlete", trainingpeaksfake.Options{Athletes: trainingpeaksfake.AthletesOneCoached}, "222", false},
		{"a coach's two athletes", trainingpeaksfake.Options{CoachAccount: true}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			h.fake.Seed(5, day("2026-09-01"), day("2026-09-30"), rand.New(rand.NewSource(4)))
			c := h.client(t, nil)
			var got []source.Activity
			err := c.List(t.Context(), source.Query{Since: day("2026-09-01"), Until: day("2026-09-30")}, func(a source.Activity) error {
				got = append(got, a)
				return nil
			})
			var ce *ChooseAthleteError
			if tt.coach {
				if !errors.As(err, &ce) {
					t.Fatalf("List = %v, want the rider asked to choose", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 {
				t.Fatalf("listed %d, want 5", len(got))
			}
			for _, a := range got {
				if a.Extra["athlete"] != tt.want {
					t.Fatalf("workout %s read for athlete %q, want %q", a.RemoteID, a.Extra["athlete"], tt.want)
				}
			}
			downloaded := 0
			for _, a := range got {
				_, err := c.Download(t.Context(), a)
				if _, skipped := skipErr(err); err != nil && !skipped {
					t.Fatalf("download %s: %v", a.RemoteID, err)
				}
				if err == nil {
					downloaded++
				}
			}
			if downloaded == 0 {
				t.Fatal("no file could be downloaded")
			}
		})
	}
}

// The chosen athlete's own premium flag (athletes[].isPremium) is logged with
// the account's: which one downloads depend on is an open question.
func TestChosenAthletePremiumLogged(t *testing.T) {
	tests := []struct {
		name, setting string
		coach         bool
		want          string
	}{
		{"coached athlete with premium", "222", true, "premium_athlete=true"},
		{"coached athlete without", "223", true, "premium_athlete=false"},
		{"self-coached athlete", "", false, "premium_athlete=absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, trainingpeaksfake.Options{CoachAccount: tt.coach})
			c := h.client(t, map[string]string{SettingAthlete: tt.setting})
			list(t, c, source.Query{Since: day("2026-09-01"), Until: day("2026-09-30")})
			logs := h.logs.String()
			if !strings.Contains(logs, "trainingpeaks athlete chosen") || !strings.Contains(logs, tt.want) {
				t.Fatalf("want %q logged:\n%s", tt.want, logs)
			}
			if tt.coach && !strings.Contains(logs, `premium_athletes="222=true,223=false"`) {
				t.Fatalf("the coached athletes' flags are not logged with the account:\n%s", logs)
			}
		})
	}
}

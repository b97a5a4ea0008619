package trainingpeaks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// windowDays is the longest list range TrainingPeaks serves, both ends
// included (what happens beyond it is unknown, so it is never asked).
const windowDays = 90

// historyFloor is where a whole-history listing (zero Since) stops walking
// back. TrainingPeaks reports no account creation date, and a rider's
// history can have gaps of years, so no "N empty windows" rule can be
// trusted not to stop early. An empty window costs one small request: the
// whole walk is about 110 of them.
var historyFloor = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// window is a list range of dates (UTC midnight), both ends included.
type window struct{ start, end time.Time }

func (w window) days() int { return int(w.end.Sub(w.start).Hours()/24) + 1 }

// windows splits first..last into ranges of at most windowDays, newest
// first; each one ends the day before the previous one starts.
func windows(first, last time.Time) []window {
	var out []window
	for end := last; !end.Before(first); {
		start := end.AddDate(0, 0, -(windowDays - 1))
		if start.Before(first) {
			start = first
		}
		out = append(out, window{start, end})
		end = start.AddDate(0, 0, -1)
	}
	return out
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// row is one calendar entry of the list, as far as FitBridge reads it.
type row struct {
	WorkoutID             flexID          `json:"workoutId"`
	Title                 *string         `json:"title"`
	WorkoutTypeValueID    flexInt         `json:"workoutTypeValueId"`
	WorkoutDay            string          `json:"workoutDay"`
	StartTime             *string         `json:"startTime"`
	Completed             *bool           `json:"completed"`
	IsDeleted             *bool           `json:"isDeleted"`
	TotalTime             flexFloat       `json:"totalTime"`
	Distance              flexFloat       `json:"distance"`
	Calories              flexFloat       `json:"calories"`
	ElevationGain         flexFloat       `json:"elevationGain"`
	Energy                flexFloat       `json:"energy"`
	NormalizedPowerActual flexFloat       `json:"normalizedPowerActual"`
	NormalizedSpeedActual flexFloat       `json:"normalizedSpeedActual"`
	TssActual             flexFloat       `json:"tssActual"`
	WorkoutDeviceSource   json.RawMessage `json:"workoutDeviceSource"`
	SyncedTo              json.RawMessage `json:"syncedTo"`
}

const wallClock = "2006-01-02T15:04:05"

func (r row) day() (time.Time, bool) {
	s := strings.TrimSpace(r.WorkoutDay)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	return t, err == nil
}

// completed is the TP web app's own rule: not in the future, and at least
// one actual is non-zero. `completed` itself is often null, so it is not read.
func (r row) completed(today time.Time) bool {
	d, ok := r.day()
	if !ok || d.After(today) {
		return false
	}
	for _, v := range []flexFloat{r.Calories, r.Distance, r.ElevationGain, r.Energy,
		r.NormalizedPowerActual, r.NormalizedSpeedActual, r.TotalTime, r.TssActual} {
		if v != 0 {
			return true
		}
	}
	return false
}

// startHint reads the athlete-local start (no offset on the wire) in loc,
// falling back to the day's midnight. Only for date windows: the file's UTC
// start is the truth, and files are matched to workouts by id, never by date.
// A start outside the years 0-9999 in UTC is unknown (zero): the store
// cannot read such a time back.
func (r row) startHint(loc *time.Location) time.Time {
	t := r.localStart(loc)
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	return t
}

func (r row) localStart(loc *time.Location) time.Time {
	if r.StartTime != nil {
		s := strings.TrimSpace(*r.StartTime)
		if len(s) >= 19 {
			if t, err := time.ParseInLocation(wallClock, s[:19], loc); err == nil {
				return t
			}
		}
	}
	d, _ := r.day()
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// workoutType is the 2014 TP web-app table: its name, and the Intervals.icu
// type to suggest ("" where the file's own sport must decide).
var workoutTypes = map[int64]struct{ name, sport string }{
	1:   {"Swim", "Swim"},
	2:   {"Bike", "Ride"}, // the file says whether it was indoor or virtual
	3:   {"Run", "Run"},
	4:   {"Brick", "Workout"},
	5:   {"Crosstrain", "Workout"},
	6:   {"Race", ""},
	7:   {"Day Off", ""},
	8:   {"Mountain Bike", "MountainBikeRide"},
	9:   {"Strength", "WeightTraining"},
	10:  {"Custom", "Other"},
	11:  {"XC-Ski", "NordicSki"},
	12:  {"Rowing", "Rowing"},
	13:  {"Walk", "Walk"},
	100: {"Other", "Other"},
}

const typeDayOff = 7

// Sport returns the Intervals.icu type for a workoutTypeValueId ("" when the file decides).
func Sport(workoutTypeValueID int) string { return workoutTypes[int64(workoutTypeValueID)].sport }

func (r row) activity(aid string, loc *time.Location) source.Activity {
	typ := int64(r.WorkoutTypeValueID)
	name := ""
	if r.Title != nil {
		name = strings.TrimSpace(*r.Title)
	}
	if name == "" {
		name = workoutTypes[typ].name
		if name == "" {
			name = "Workout"
		}
	}
	extra := map[string]string{
		"athlete":    aid,
		"workoutDay": strings.TrimSpace(r.WorkoutDay),
		"type":       strconv.FormatInt(typ, 10),
	}
	if r.StartTime != nil {
		extra["startTime"] = strings.TrimSpace(*r.StartTime)
	}
	return source.Activity{
		RemoteID:  string(r.WorkoutID),
		Name:      name,
		Sport:     workoutTypes[typ].sport,
		StartHint: r.startHint(loc),
		Extra:     extra,
	}
}

// List yields the chosen athlete's completed workouts, newest first, in
// windows of at most 90 days. Planned-only, future, deleted and day-off rows
// are left out; a workout seen in two windows is yielded once.
func (c *Client) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	ath, err := c.resolveAthlete(ctx)
	if err != nil {
		return fmt.Errorf("list TrainingPeaks workouts: %w", err)
	}
	loc, now := ath.loc, c.now()
	today := dateOf(now.UTC().Add(14 * time.Hour)) // the latest date anywhere, when the zone is unknown
	if loc != nil {
		today = dateOf(now.In(loc))
	} else {
		loc = time.UTC
	}
	// One day of slack each side: local dates against the query's instants.
	last := today.AddDate(0, 0, 1)
	if !q.Until.IsZero() {
		if u := dateOf(q.Until.In(loc)).AddDate(0, 0, 1); u.Before(last) {
			last = u
		}
	}
	first := c.floor
	if !q.Since.IsZero() {
		first = dateOf(q.Since.In(loc)).AddDate(0, 0, -1)
	}

	seen := map[string]bool{}
	var st listStats
	st.devices, st.synced = map[string]int{}, map[string]int{}
	defer func() { c.logListStats(ath.id, first, last, &st) }()
	for i, w := range windows(first, last) {
		// Each date window is one page to the rider watching the listing.
		source.ListingPage(ctx, i+1)
		rows, err := c.listWindow(ctx, ath.id, w)
		if err != nil {
			return err
		}
		st.windows++
		st.rows += len(rows)
		sort.SliceStable(rows, func(i, j int) bool { return rowKey(rows[i]) > rowKey(rows[j]) })
		for _, r := range rows {
			id := string(r.WorkoutID)
			if id == "" || seen[id] {
				st.dupes++
				continue
			}
			seen[id] = true
			st.devices[rawLabel(r.WorkoutDeviceSource)]++
			st.synced[rawLabel(r.SyncedTo)]++
			switch {
			case r.IsDeleted != nil && *r.IsDeleted:
				st.deleted++
				continue
			case !r.completed(today):
				st.planned++
				continue
			case int64(r.WorkoutTypeValueID) == typeDayOff:
				st.planned++
				continue
			}
			a := r.activity(ath.id, loc)
			if !q.Contains(a.StartHint) {
				continue
			}
			st.listed++
			if err := yield(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func rowKey(r row) string {
	s := ""
	if r.StartTime != nil {
		s = *r.StartTime
	}
	return fmt.Sprintf("%.10s|%s|%020s", r.WorkoutDay, s, string(r.WorkoutID))
}

type listStats struct {
	windows, rows, dupes, deleted, planned, listed int
	devices, synced                                map[string]int
}

// logListStats records the values of workoutDeviceSource and syncedTo,
// which might reveal Garmin- or Zwift-origin files (an open question).
func (c *Client) logListStats(aid string, first, last time.Time, st *listStats) {
	c.log.Debug("trainingpeaks listing",
		"athlete", aid, "from", first.Format(time.DateOnly), "to", last.Format(time.DateOnly),
		"windows", st.windows, "rows", st.rows, "duplicates", st.dupes, "deleted", st.deleted,
		"planned_or_future", st.planned, "listed", st.listed,
		"workoutDeviceSource", st.devices, "syncedTo", st.synced)
}

func rawLabel(m json.RawMessage) string {
	s := strings.TrimSpace(string(m))
	if s == "" || s == "null" {
		return "null"
	}
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

func (c *Client) listWindow(ctx context.Context, aid string, w window) ([]row, error) {
	start, end := w.start.Format(time.DateOnly), w.end.Format(time.DateOnly)
	what := fmt.Sprintf("list TrainingPeaks workouts %s to %s", start, end)
	r, err := c.get(ctx, what, "/fitness/v6/athletes/"+aid+"/workouts/"+start+"/"+end, callData)
	if err != nil {
		return nil, err
	}
	switch r.status {
	case http.StatusOK:
	case http.StatusForbidden:
		return nil, fmt.Errorf("%s: TrainingPeaks refused the calendar of athlete %s (HTTP 403): check the athlete chosen for this account", what, aid)
	default:
		return nil, unexpected(what, r)
	}
	var rows []row
	if err := json.Unmarshal(r.body, &rows); err != nil {
		return nil, fmt.Errorf("%s: expected a JSON array (%v; keys %v)", what, err, httpcall.JSONKeys(r.body))
	}
	return rows, nil
}

// flexFloat accepts a number, a numeric string or null (as 0).
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		*f = 0 // a field FitBridge only tests for zero must not sink the whole window
		return nil
	}
	*f = flexFloat(v)
	return nil
}

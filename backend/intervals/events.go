package intervals

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/plan"
)

// PlannedWorkouts lists the calendar's planned workouts whose day lies in
// [oldest, newest] (both days in the athlete's own zone), with their steps
// read from the structured workout. resolve=true asks the service to add
// each step's absolute targets from the athlete's own zones (_power, _hr),
// which is how zone targets become numbers. Events without structured steps
// are returned with none: the engine says why they cannot be delivered.
func (c *Client) PlannedWorkouts(ctx context.Context, oldest, newest time.Time) ([]plan.Workout, error) {
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	op := fmt.Sprintf("list planned workouts %s to %s", day(oldest), day(newest))
	q := url.Values{}
	q.Set("oldest", day(oldest))
	q.Set("newest", day(newest))
	q.Set("category", "WORKOUT")
	q.Set("resolve", "true")
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/api/v1/athlete/0/events", query: q})
	if err != nil {
		return nil, err
	}
	var events []eventWire
	if err := json.Unmarshal(resp.body, &events); err != nil {
		return nil, fmt.Errorf("%s: unreadable answer: %w", op, err)
	}
	out := make([]plan.Workout, 0, len(events))
	for _, e := range events {
		if e.Category != "" && e.Category != "WORKOUT" {
			continue
		}
		w, err := e.workout(oldest.Location())
		if err != nil {
			return nil, fmt.Errorf("%s: event %s: %w", op, e.ID, err)
		}
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, nil
}

// eventWire is the part of a calendar event FitBridge reads.
type eventWire struct {
	ID          flexString  `json:"id"`
	Category    string      `json:"category"`
	StartLocal  string      `json:"start_date_local"`
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Description string      `json:"description"`
	MovingTime  float64     `json:"moving_time"`
	Doc         *workoutDoc `json:"workout_doc"`
}

type workoutDoc struct {
	Steps []stepWire `json:"steps"`
	FTP   float64    `json:"ftp"`
	LTHR  float64    `json:"lthr"`
}

type stepWire struct {
	Text       string      `json:"text"`
	Duration   float64     `json:"duration"`
	Distance   float64     `json:"distance"`
	Reps       int         `json:"reps"`
	Steps      []stepWire  `json:"steps"`
	Warmup     bool        `json:"warmup"`
	Cooldown   bool        `json:"cooldown"`
	Ramp       bool        `json:"ramp"`
	FreeRide   bool        `json:"freeride"`
	LapPress   bool        `json:"until_lap_press"`
	Power      *targetWire `json:"power"`
	HR         *targetWire `json:"hr"`
	Cadence    *targetWire `json:"cadence"`
	Pace       *targetWire `json:"pace"`
	PowerWatts *targetWire `json:"_power"` // resolved from the athlete's zones
	HRBPM      *targetWire `json:"_hr"`
}

// targetWire is a value or a start/end range with its units.
type targetWire struct {
	Value *float64 `json:"value"`
	Start *float64 `json:"start"`
	End   *float64 `json:"end"`
	Units string   `json:"units"`
}

func (t *targetWire) bounds() (lo, hi float64, ok bool) {
	if t == nil {
		return 0, 0, false
	}
	switch {
	case t.Start != nil && t.End != nil:
		return *t.Start, *t.End, true
	case t.Value != nil:
		return *t.Value, *t.Value, true
	case t.Start != nil:
		return *t.Start, *t.Start, true
	case t.End != nil:
		return *t.End, *t.End, true
	}
	return 0, 0, false
}

func (e eventWire) workout(loc *time.Location) (plan.Workout, error) {
	day, err := time.ParseInLocation("2006-01-02", strings.SplitN(e.StartLocal, "T", 2)[0], loc)
	if err != nil {
		return plan.Workout{}, fmt.Errorf("unreadable day %q", e.StartLocal)
	}
	w := plan.Workout{ID: string(e.ID), Date: day, Name: strings.TrimSpace(e.Name), Sport: e.Type, Description: e.Description, Duration: int(e.MovingTime)}
	if w.Name == "" {
		w.Name = "Workout"
	}
	if e.Doc != nil {
		w.FTP, w.LTHR = int(e.Doc.FTP), int(e.Doc.LTHR)
		w.Steps = steps(e.Doc.Steps)
	}
	return w, nil
}

func steps(in []stepWire) []plan.Step {
	if len(in) == 0 {
		return nil
	}
	out := make([]plan.Step, 0, len(in))
	for _, s := range in {
		st := plan.Step{
			Text: strings.TrimSpace(s.Text), Seconds: int(s.Duration), Distance: s.Distance,
			Warmup: s.Warmup, Cooldown: s.Cooldown, Ramp: s.Ramp, FreeRide: s.FreeRide, Open: s.LapPress,
		}
		if s.Reps > 0 && len(s.Steps) > 0 {
			st.Reps, st.Steps = s.Reps, steps(s.Steps)
			st.Seconds, st.Distance = 0, 0
			out = append(out, st)
			continue
		}
		st.Power = rangeOf(s.Power, s.PowerWatts, map[string]plan.Unit{"%ftp": plan.PercentFTP, "w": plan.Watts}, plan.Watts)
		st.HR = rangeOf(s.HR, s.HRBPM, map[string]plan.Unit{"%lthr": plan.PercentLTHR, "%hr": plan.PercentHRM, "bpm": plan.BPM}, plan.BPM)
		st.Cadence = rangeOf(s.Cadence, nil, map[string]plan.Unit{"rpm": plan.RPM, "": plan.RPM}, plan.RPM)
		st.Pace = rangeOf(s.Pace, nil, map[string]plan.Unit{"%pace": plan.PercentPace}, "")
		for _, t := range []struct {
			kind string
			wire *targetWire
			read *plan.Range
		}{{"power", s.Power, st.Power}, {"heart rate", s.HR, st.HR}, {"cadence", s.Cadence, st.Cadence}, {"pace", s.Pace, st.Pace}} {
			if t.read == nil {
				if u := unreadTarget(t.kind, t.wire); u != "" {
					st.Unread = append(st.Unread, u)
				}
			}
		}
		out = append(out, st)
	}
	return out
}

// rangeOf reads a target in a unit FitBridge knows; a zone or other unit
// falls back on the absolute values the service resolved for the athlete.
func rangeOf(t, resolved *targetWire, units map[string]plan.Unit, resolvedUnit plan.Unit) *plan.Range {
	if lo, hi, ok := t.bounds(); ok {
		if u, known := units[strings.ToLower(t.Units)]; known {
			if percentUnits[u] && asRatio(lo, hi) {
				lo, hi = math.Round(lo*10000)/100, math.Round(hi*10000)/100 // 0.88 -> 88, not 88.00000000000001
			}
			return &plan.Range{Low: lo, High: hi, Unit: u}
		}
	}
	if lo, hi, ok := resolved.bounds(); ok && resolvedUnit != "" {
		return &plan.Range{Low: lo, High: hi, Unit: resolvedUnit}
	}
	return nil
}

// percentUnits are the units whose values are a percentage of a threshold.
var percentUnits = map[plan.Unit]bool{plan.PercentFTP: true, plan.PercentLTHR: true, plan.PercentHRM: true, plan.PercentPace: true}

// asRatio reports whether a percentage target was written as a ratio (0.9
// for 90%): public clients of the events API disagree on which they send,
// and no rider trains at 3% of a threshold, so values up to 3 are ratios.
func asRatio(lo, hi float64) bool {
	return max(lo, hi) > 0 && max(lo, hi) <= 3 && min(lo, hi) >= 0
}

// unreadTarget describes a target FitBridge could not turn into numbers, as
// the rider reads it ("pace zone 2", "power 5 %mmp"), or "" when there is none.
func unreadTarget(kind string, t *targetWire) string {
	lo, hi, ok := t.bounds()
	if !ok {
		return ""
	}
	val := strconv.FormatFloat(lo, 'f', -1, 64)
	if hi != lo {
		val += "–" + strconv.FormatFloat(hi, 'f', -1, 64)
	}
	if strings.HasSuffix(strings.ToLower(t.Units), "_zone") {
		return kind + " zone " + val
	}
	return strings.TrimSpace(kind + " " + val + " " + t.Units)
}

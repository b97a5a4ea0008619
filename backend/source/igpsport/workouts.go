package igpsport

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"fitbridge/backend/plan"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// Custom workouts: the calls iGPSport's app makes to keep a rider's own
// workouts, which its bike computers then offer. Both gateways answer them
// (intervalssync on International, igps_tools on China; see
// docs/services/igpsport.md).
const (
	pathEditWorkout  = "/service/mobile/api/WorkOut/EditCustomWorkOut"
	pathListWorkouts = "/service/mobile/api/WorkOut/CustomWorkout"
	workoutPageSize  = 50
	maxWorkoutPages  = 40 // a loop guard: 2,000 custom workouts
)

// workoutAccepts is what a custom workout can hold: power in watts or % FTP
// as ranges, heart rate in beats per minute, cadence ranges, steps that end
// on a lap press, repeats; no ramps, no distance steps; cycling only.
var workoutAccepts = plan.Accepts{
	Sports:        plan.CyclingSports,
	PowerUnits:    []plan.Unit{plan.PercentFTP, plan.Watts},
	PowerRanges:   true,
	HRUnits:       []plan.Unit{plan.BPM},
	Cadence:       true,
	CadenceRanges: true,
	Text:          true,
	Open:          true,
}

type workoutTarget struct{ c *Client }

func newWorkoutTarget(cfg source.Config) (plan.Target, error) {
	c, err := New(cfg, Options{})
	if err != nil {
		return nil, err
	}
	return &workoutTarget{c: c}, nil
}

func (t *workoutTarget) Accepts() plan.Accepts { return workoutAccepts }

// Deliver creates the custom workout, or edits the one delivered before,
// then reads the list back: iGPSport answering with an id is not enough,
// the workout must be there for the bike computer to fetch.
func (t *workoutTarget) Deliver(ctx context.Context, w plan.Workout, prev plan.Delivery) (plan.Delivery, error) {
	if prev.Ref != "" {
		// The rider may have deleted it in iGPSport's app: editing a missing
		// workout fails on every run, so it is sent as a new one instead.
		listed, err := t.listed(ctx)
		if err != nil {
			return prev, fmt.Errorf("look up workout %q at iGPSport before changing it: %w", w.Name, err)
		}
		if _, ok := listed[prev.Ref]; !ok {
			prev.Ref = ""
		}
	}
	body, err := customWorkout(w, prev.Ref)
	if err != nil {
		return plan.Delivery{}, err
	}
	var answer struct {
		WorkoutID flexID `json:"workoutId"`
	}
	op := fmt.Sprintf("send workout %q to iGPSport", w.Name)
	if err := t.c.call(ctx, op, http.MethodPost, pathEditWorkout, nil, map[string]any{"data": body}, &answer); err != nil {
		return plan.Delivery{}, err
	}
	id := string(answer.WorkoutID)
	if id == "" {
		id = prev.Ref // an edit may answer without repeating the id
	}
	if id == "" {
		return plan.Delivery{}, fmt.Errorf("%s: iGPSport answered without a workout id", op)
	}
	listed, err := t.listed(ctx)
	if err != nil {
		return plan.Delivery{Ref: id}, fmt.Errorf("read back workout %q from iGPSport: %w", w.Name, err)
	}
	got, ok := listed[id]
	if !ok {
		return plan.Delivery{Ref: id}, errors.New(reason.WorkoutNotListed.Text("iGPSport", strconv.Quote(w.Name), id))
	}
	if got.Title != "" && got.Title != body.Title {
		return plan.Delivery{Ref: id}, fmt.Errorf("iGPSport lists workout %s as %q, not %q", id, got.Title, body.Title)
	}
	return plan.Delivery{Ref: id}, nil
}

// Remove: no public client shows a call that deletes a custom workout, so
// FitBridge does not guess one; the rider deletes it in iGPSport's app.
func (t *workoutTarget) Remove(context.Context, plan.Delivery) error { return plan.ErrCannotRemove }

type listedWorkout struct {
	ID        flexID `json:"workoutId"`
	OtherID   flexID `json:"id"`
	Title     string `json:"title"`
	TotalTime int    `json:"totalTime"`
}

// listed reads every custom workout of the account, by id.
func (t *workoutTarget) listed(ctx context.Context) (map[string]listedWorkout, error) {
	out := map[string]listedWorkout{}
	for page := 1; page <= maxWorkoutPages; page++ {
		q := url.Values{"PageIndex": {strconv.Itoa(page)}, "PageSize": {strconv.Itoa(workoutPageSize)}}
		var data struct {
			Items []listedWorkout `json:"items"`
		}
		if err := t.c.call(ctx, fmt.Sprintf("list iGPSport custom workouts page %d", page), http.MethodGet, pathListWorkouts, q, nil, &data); err != nil {
			return nil, err
		}
		for _, it := range data.Items {
			id := string(it.ID)
			if id == "" {
				id = string(it.OtherID)
			}
			out[id] = it
		}
		if len(data.Items) < workoutPageSize {
			return out, nil
		}
	}
	return out, nil
}

// flexID reads an id sent as a number or a string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	*f = flexID(strings.Trim(string(b), `"`))
	if *f == "null" {
		*f = ""
	}
	return nil
}

// The custom workout as the app sends it.
type workoutBody struct {
	ID            string         `json:"id,omitempty"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	TotalTime     int            `json:"totalTime"`
	WorkoutType   string         `json:"workoutType"`
	SportBigType  int            `json:"sportBigType"`
	AllowDeletion bool           `json:"allowDeletion"`
	Structure     []workoutBlock `json:"structure"`
}

type workoutBlock struct {
	Type            string         `json:"type"` // Step or Repetition
	Name            string         `json:"name"`
	UUID            string         `json:"uuid"`
	IntensityClass  string         `json:"intensityClass"` // WarmUp, Active, Rest, CoolDown
	OpenDuration    string         `json:"openDuration"`   // "true" or "false", as text
	Length          *workoutValue  `json:"length,omitempty"`
	IntensityTarget *workoutValue  `json:"intensityTarget,omitempty"`
	CadenceTarget   *workoutValue  `json:"cadenceTarget,omitempty"`
	Steps           []workoutBlock `json:"steps,omitempty"`
}

type workoutValue struct {
	Unit     string `json:"unit"`
	Value    int    `json:"value"`
	MinValue *int   `json:"minValue,omitempty"`
	MaxValue *int   `json:"maxValue,omitempty"`
}

// customWorkout turns an adapted workout into the app's body and checks it
// is one a bike computer can ride: every step has a length or ends on a lap
// press, every target is a sane range.
func customWorkout(w plan.Workout, id string) (workoutBody, error) {
	b := workoutBody{
		ID: id, Title: truncate(w.Name, 64), Description: truncate(w.Description, 500),
		WorkoutType: "bike", SportBigType: 1, AllowDeletion: true,
	}
	var err error
	if b.Structure, err = blocks(w.ID, "", w.Steps); err != nil {
		return workoutBody{}, err
	}
	if len(b.Structure) == 0 {
		return workoutBody{}, errors.New(reason.WorkoutNothingToRide.Text(strconv.Quote(w.Name)))
	}
	b.TotalTime = w.Seconds()
	if b.TotalTime <= 0 {
		return workoutBody{}, errors.New(reason.WorkoutNoTimedSteps.Text(strconv.Quote(w.Name)))
	}
	return b, nil
}

func blocks(workoutID, path string, steps []plan.Step) ([]workoutBlock, error) {
	var out []workoutBlock
	for i, s := range steps {
		p := fmt.Sprintf("%s/%d", path, i)
		blk := workoutBlock{Name: stepName(s, i), UUID: stableUUID(workoutID + p), OpenDuration: "false", IntensityClass: intensityClass(s)}
		if s.Reps > 0 {
			inner, err := blocks(workoutID, p, s.Steps)
			if err != nil {
				return nil, err
			}
			if len(inner) == 0 {
				continue
			}
			blk.Type, blk.IntensityClass, blk.Steps = "Repetition", "Active", inner
			blk.Length = &workoutValue{Unit: "Repetition", Value: s.Reps}
			out = append(out, blk)
			continue
		}
		blk.Type = "Step"
		switch {
		case s.Open:
			blk.OpenDuration = "true"
		case s.Seconds > 0:
			blk.Length = &workoutValue{Unit: "Second", Value: s.Seconds}
		default:
			return nil, fmt.Errorf("step %d has neither a length nor a lap press to end it", i+1)
		}
		var err error
		switch {
		case s.Power != nil && s.Power.Unit == plan.PercentFTP:
			blk.IntensityTarget, err = rangeValue("PercentOfFTP", *s.Power)
		case s.Power != nil:
			blk.IntensityTarget, err = rangeValue("PowerCustom", *s.Power)
		case s.HR != nil:
			blk.IntensityTarget, err = rangeValue("HeartRateCustom", *s.HR)
		}
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
		if s.Cadence != nil {
			if blk.CadenceTarget, err = rangeValue("Cadence", *s.Cadence); err != nil {
				return nil, fmt.Errorf("step %d: %w", i+1, err)
			}
		}
		out = append(out, blk)
	}
	return out, nil
}

func rangeValue(unit string, r plan.Range) (*workoutValue, error) {
	lo, hi := int(r.Low+0.5), int(r.High+0.5)
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo <= 0 {
		return nil, fmt.Errorf("a %s target of %d cannot be ridden", unit, lo)
	}
	return &workoutValue{Unit: unit, MinValue: &lo, MaxValue: &hi}, nil
}

func intensityClass(s plan.Step) string {
	switch {
	case s.Warmup:
		return "WarmUp"
	case s.Cooldown:
		return "CoolDown"
	case s.Power != nil && s.Power.Unit == plan.PercentFTP && s.Power.High < 60:
		return "Rest"
	}
	return "Active"
}

func stepName(s plan.Step, i int) string {
	if t := strings.TrimSpace(s.Text); t != "" {
		return truncate(t, 64)
	}
	return fmt.Sprintf("Step %d", i+1)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// stableUUID gives a step the same id on every delivery, so re-sending an
// unchanged workout sends the same bytes.
func stableUUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

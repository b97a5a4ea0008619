// Package workouts carries planned workouts from the Intervals.icu calendar
// to the places a rider rides. It is the engine of that direction: it
// decides, per target, what to deliver, rewrite or remove, and records each
// workout's state so a second run with an unchanged plan writes nothing.
// Targets (a trainer app's folder, a head unit's account) come from the
// platforms' descriptors; this package never names one.
package workouts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"fitbridge/backend/plan"
	"fitbridge/backend/reason"
	"fitbridge/backend/store"
)

// DefaultDays is how far ahead workouts go by default: today and the next two weeks.
const DefaultDays = 14

// Planner lists the calendar's planned workouts.
type Planner interface {
	PlannedWorkouts(ctx context.Context, oldest, newest time.Time) ([]plan.Workout, error)
}

// Destination is one place workouts go.
type Destination struct {
	Name        string // the platform's id: the key of its records
	DisplayName string
	Target      plan.Target // nil when Unavailable says why there is none
	Unavailable string
}

// Options bound one run.
type Options struct {
	Today  time.Time // the rider's today, any time of that day
	Days   int       // how many days after today; 0 means DefaultDays
	DryRun bool      // decide and report, write nothing anywhere
}

// Result is one workout at one destination after a run.
type Result struct {
	ID      string   `json:"id"`
	Date    string   `json:"date"`
	Name    string   `json:"name"`
	Target  string   `json:"target"`
	State   string   `json:"state"`
	Changes []string `json:"changes"`
	Reason  string   `json:"reason"` // always present: the CLI contract lists it
	// Wrote is true when this run wrote, rewrote or removed it.
	Wrote bool `json:"-"`
}

// Run brings every destination up to date with the plan.
func Run(ctx context.Context, planner Planner, st *store.Store, dests []Destination, o Options) ([]Result, error) {
	if o.Days <= 0 {
		o.Days = DefaultDays
	}
	y, m, d := o.Today.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, o.Today.Location())
	last := today.AddDate(0, 0, o.Days)
	workouts, err := planner.PlannedWorkouts(ctx, today, last)
	if err != nil {
		return nil, fmt.Errorf("read the planned workouts from Intervals.icu: %w", err)
	}
	var out []Result
	for _, dest := range dests {
		r := run{ctx: ctx, st: st, dest: dest, o: o, today: day(today), last: day(last)}
		res, err := r.deliverAll(workouts)
		out = append(out, res...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Failed counts the results that failed in this run.
func Failed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.State == plan.StateFailed {
			n++
		}
	}
	return n
}

type run struct {
	ctx         context.Context
	st          *store.Store
	dest        Destination
	o           Options
	today, last string
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func (r *run) deliverAll(workouts []plan.Workout) ([]Result, error) {
	records, err := r.st.PlannedWorkouts(r.dest.Name)
	if err != nil {
		return nil, fmt.Errorf("read planned workouts of %s: %w", r.dest.DisplayName, err)
	}
	byID := make(map[string]store.PlannedWorkout, len(records))
	for _, rec := range records {
		byID[rec.WorkoutID] = rec
	}
	var out []Result
	inPlan := map[string]bool{}
	for _, w := range workouts {
		if r.dest.Target != nil && !r.dest.Target.Accepts().TakesSport(w.Sport) {
			continue // not for this place: a run for a bike computer
		}
		inPlan[w.ID] = true
		res, err := r.deliver(w, byID[w.ID])
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	for _, rec := range records {
		if inPlan[rec.WorkoutID] || rec.State == plan.StateRemoved || rec.Date > r.last {
			continue
		}
		if rec.State == plan.StateFailed && rec.Ref == "" {
			// Never delivered: nothing to take away, only forget it.
			rec.State, rec.Reason = plan.StateRemoved, ""
			if !r.o.DryRun {
				if err := r.st.SavePlanned(&rec); err != nil {
					return out, err
				}
			}
			continue
		}
		res, err := r.remove(rec)
		if err != nil {
			return out, err
		}
		if res.State != "" {
			out = append(out, res)
		}
	}
	return out, nil
}

// deliver brings one workout there, or leaves it as it is when nothing changed.
func (r *run) deliver(w plan.Workout, rec store.PlannedWorkout) (Result, error) {
	res := Result{ID: w.ID, Date: day(w.Date), Name: w.Name, Target: r.dest.Name, Changes: []string{}}
	if r.dest.Target == nil {
		res.State, res.Reason = plan.StateFailed, r.dest.Unavailable
		return res, r.record(rec, w, res, "", "")
	}
	adapted, changes := plan.Adapt(w, r.dest.Target.Accepts())
	if len(adapted.Steps) == 0 {
		res.State = plan.StateFailed
		res.Reason = reason.WorkoutNoSteps.Text()
		return res, r.record(rec, w, res, "", rec.Ref)
	}
	if changes != nil {
		res.Changes = changes
	}
	fp := adapted.Fingerprint()
	delivered := rec.Ref != "" && (rec.State == plan.StateDelivered || rec.State == plan.StateChanged)
	if delivered && rec.Fingerprint == fp {
		res.State = rec.State
		return res, nil
	}
	if r.o.DryRun {
		res.State = plan.StatePending
		return res, nil
	}
	d, err := r.dest.Target.Deliver(r.ctx, adapted, plan.Delivery{Ref: rec.Ref})
	if err := r.ctx.Err(); err != nil {
		return res, err
	}
	res.Wrote = true
	if err != nil {
		res.State, res.Reason = plan.StateFailed, err.Error()
		ref := d.Ref
		if ref == "" {
			ref = rec.Ref
		}
		return res, r.record(rec, w, res, "", ref)
	}
	res.State = plan.StateDelivered
	if rec.Ref != "" {
		res.State = plan.StateChanged
	}
	return res, r.record(rec, w, res, fp, d.Ref)
}

// remove takes away a delivery whose workout left the plan or is past.
func (r *run) remove(rec store.PlannedWorkout) (Result, error) {
	res := Result{ID: rec.WorkoutID, Date: rec.Date, Name: rec.Name, Target: r.dest.Name, Changes: decodeChanges(rec.Changes)}
	why := reason.WorkoutLeftPlan.Text()
	if rec.Date < r.today {
		why = reason.WorkoutPast.Text()
	}
	if r.o.DryRun {
		res.State, res.Reason = rec.State, reason.WorkoutWouldBeRemoved.Text(why)
		return res, nil
	}
	if rec.State == plan.StateFailed && rec.Fingerprint == cannotRemove {
		return Result{}, nil // already told: the rider removes it there
	}
	err := r.dest.Target.Remove(r.ctx, plan.Delivery{Ref: rec.Ref})
	res.Wrote = true
	switch {
	case errors.Is(err, plan.ErrCannotRemove):
		res.State = plan.StateFailed
		res.Reason = reason.WorkoutCannotDelete.Text(why, r.dest.DisplayName)
		rec.Fingerprint = cannotRemove
	case err != nil:
		res.State, res.Reason = plan.StateFailed, err.Error()
	default:
		res.State, res.Reason = plan.StateRemoved, why
	}
	rec.State, rec.Reason = res.State, res.Reason
	if err := r.st.SavePlanned(&rec); err != nil {
		return res, fmt.Errorf("record removal of %q: %w", rec.Name, err)
	}
	return res, nil
}

// cannotRemove marks a record whose removal the target cannot do, so the
// rider is told once rather than on every run.
const cannotRemove = "cannot-remove"

func (r *run) record(rec store.PlannedWorkout, w plan.Workout, res Result, fp, ref string) error {
	if r.o.DryRun {
		return nil
	}
	changes, _ := json.Marshal(res.Changes)
	rec.Target, rec.WorkoutID = r.dest.Name, w.ID
	rec.Date, rec.Name, rec.Sport = day(w.Date), w.Name, w.Sport
	rec.State, rec.Reason, rec.Changes = res.State, res.Reason, string(changes)
	rec.Fingerprint, rec.Ref = fp, ref
	if err := r.st.SavePlanned(&rec); err != nil {
		return fmt.Errorf("record workout %q at %s: %w", w.Name, r.dest.DisplayName, err)
	}
	return nil
}

func decodeChanges(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out) // an unreadable list is shown as none
	return out
}

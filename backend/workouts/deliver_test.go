package workouts

import (
	"context"
	"errors"
	"testing"
	"time"

	"fitbridge/backend/plan"
	"fitbridge/backend/store"
)

type planner []plan.Workout

func (p *planner) PlannedWorkouts(_ context.Context, oldest, newest time.Time) ([]plan.Workout, error) {
	var out []plan.Workout
	for _, w := range *p {
		if !w.Date.Before(oldest) && !w.Date.After(newest) {
			out = append(out, w)
		}
	}
	return out, nil
}

// place is a target that keeps what it holds in memory.
type place struct {
	held      map[string]string // ref -> workout name
	failNext  error
	canRemove bool
	delivers  int
	removes   int
}

func (p *place) Accepts() plan.Accepts {
	return plan.Accepts{Sports: []string{"Ride"}, PowerUnits: []plan.Unit{plan.PercentFTP}, PowerRanges: true}
}

func (p *place) Deliver(_ context.Context, w plan.Workout, prev plan.Delivery) (plan.Delivery, error) {
	p.delivers++
	if err := p.failNext; err != nil {
		p.failNext = nil
		return plan.Delivery{}, err
	}
	ref := prev.Ref
	if ref == "" {
		ref = "w" + w.ID
	}
	p.held[ref] = w.Name
	return plan.Delivery{Ref: ref}, nil
}

func (p *place) Remove(_ context.Context, d plan.Delivery) error {
	p.removes++
	if !p.canRemove {
		return plan.ErrCannotRemove
	}
	delete(p.held, d.Ref)
	return nil
}

func ride(id string, day time.Time) plan.Workout {
	return plan.Workout{ID: id, Name: "Ride " + id, Sport: "Ride", Date: day, Steps: []plan.Step{{Seconds: 600, Power: &plan.Range{Low: 80, High: 80, Unit: plan.PercentFTP}}}}
}

func TestRunFollowsThePlan(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	day := func(n int) time.Time { return time.Date(2026, 12, 8+n, 0, 0, 0, 0, time.UTC) }
	p := &planner{ride("1", day(1)), ride("2", day(2)), {ID: "3", Name: "Long run", Sport: "Run", Date: day(2), Steps: []plan.Step{{Seconds: 60}}}, {ID: "4", Name: "Empty", Sport: "Ride", Date: day(3)}}
	target := &place{held: map[string]string{}, canRemove: true}
	dests := []Destination{{Name: "place", DisplayName: "The Place", Target: target}}
	run := func(today time.Time, dry bool) map[string]Result {
		t.Helper()
		res, err := Run(context.Background(), p, st, dests, Options{Today: today.Add(15 * time.Hour), DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Result{}
		for _, r := range res {
			out[r.ID] = r
		}
		return out
	}

	got := run(day(0), true)
	if got["1"].State != plan.StatePending || target.delivers != 0 {
		t.Fatalf("a dry run must write nothing: %+v, %d deliveries", got, target.delivers)
	}
	if rows, _ := st.PlannedWorkouts("place"); len(rows) != 0 {
		t.Fatalf("a dry run recorded %d rows", len(rows))
	}

	target.failNext = errors.New("the place is full")
	got = run(day(0), false)
	if _, ok := got["3"]; ok {
		t.Fatal("a run was offered to a place that takes rides only")
	}
	if got["4"].State != plan.StateFailed || got["4"].Reason == "" {
		t.Fatalf("a workout without steps: %+v", got["4"])
	}
	failedOne := ""
	for _, id := range []string{"1", "2"} {
		if got[id].State == plan.StateFailed {
			failedOne = id
		}
	}
	if failedOne == "" {
		t.Fatalf("one delivery should have failed: %+v", got)
	}
	// The next run tries the failed one again and leaves the other alone.
	before := target.delivers
	got = run(day(0), false)
	if got[failedOne].State != plan.StateDelivered || target.delivers != before+1 {
		t.Fatalf("retry: %+v after %d deliveries", got[failedOne], target.delivers-before)
	}

	// Two days on, workout 1 is past: it is taken away.
	got = run(day(2), false)
	if got["1"].State != plan.StateRemoved || got["1"].Reason != "past" || len(target.held) != 1 {
		t.Fatalf("past workout: %+v, place holds %v", got["1"], target.held)
	}
	// Where nothing can be removed, the rider is told once.
	target.canRemove = false
	*p = (*p)[2:] // workout 2 deleted from the plan
	got = run(day(2), false)
	if got["2"].State != plan.StateFailed || got["2"].Reason == "" {
		t.Fatalf("undeletable: %+v", got["2"])
	}
	removes := target.removes
	if got = run(day(2), false); got["2"].State != "" || target.removes != removes {
		t.Fatalf("the rider was told again: %+v", got["2"])
	}
}

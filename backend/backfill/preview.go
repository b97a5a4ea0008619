package backfill

import (
	"context"
	"errors"
	"time"

	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// Estimate is what a source holds before anything is downloaded.
type Estimate struct {
	Total      int // activities listed
	Already    int // already in Intervals.icu, by earlier runs or by start time
	Unsyncable int // cannot be synced (no file on the platform...)
}

// Discover lists one source into the library without downloading (its
// first listing sets what it held as history).
func (e *Engine) Discover(ctx context.Context, c Connected) error {
	err := e.discover(ctx, c, source.Query{}, &tracker{e: e, req: Request{}})
	if errors.Is(err, source.ErrNeedsSignIn) {
		e.markSignIn(c.Desc.Name, err)
	}
	return err
}

// Preview lists one source into the library and estimates how much of it
// Intervals.icu already holds, from the listing's start times alone (files
// decide for real during the backfill).
func (e *Engine) Preview(ctx context.Context, c Connected) (Estimate, error) {
	var est Estimate
	prog := &tracker{e: e, req: Request{}}
	if err := e.discover(ctx, c, source.Query{}, prog); err != nil {
		if errors.Is(err, source.ErrNeedsSignIn) {
			e.markSignIn(c.Desc.Name, err)
		}
		return est, err
	}
	rows, err := e.Store.List(store.Filter{Sources: []string{c.Desc.Name}})
	if err != nil {
		return est, err
	}
	est.Total = len(rows)
	var open []store.Activity
	for _, r := range rows {
		switch r.State {
		case store.StateAlready, store.StateUploaded:
			est.Already++
		case store.StateSkipped, store.StateNotAnActivity, store.StateUnreadable:
			est.Unsyncable++
		default:
			open = append(open, r)
		}
	}
	if e.Intervals == nil || len(open) == 0 {
		return est, nil
	}
	ix := newWindowIndex(e.Intervals, e.Location, e.log())
	if err := ix.prefetch(ctx, open); err != nil {
		return est, err
	}
	for _, r := range open {
		t := r.Start
		if t == nil && !r.StartHintDateOnly {
			// A day alone (iGPSport's "2025.06.02") is midnight to the
			// clock: it would match whatever started around then.
			t = r.StartHint
		}
		if t != nil && ix.startsNear(*t, 10*time.Minute) {
			est.Already++
		}
	}
	return est, nil
}

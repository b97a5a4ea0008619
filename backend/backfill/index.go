package backfill

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fitbridge/backend/intervals"
	"fitbridge/backend/match"
	"fitbridge/backend/store"
)

// windowIndex is what Intervals.icu holds, fetched window by window as the
// run needs it and kept for the whole run (one listing serves every ride).
type windowIndex struct {
	svc intervals.Service
	loc *time.Location
	log *slog.Logger

	mu      sync.Mutex
	fetch   sync.Mutex // one window listing at a time
	covered []span
	ix      *match.Index
	held    map[time.Time]chan struct{} // starts whose upload is being decided
}

type span struct{ from, to time.Time }

func newWindowIndex(svc intervals.Service, loc *time.Location, log *slog.Logger) *windowIndex {
	if loc == nil {
		loc = time.UTC
	}
	return &windowIndex{svc: svc, loc: loc, log: log, ix: match.NewIndex(nil, loc)}
}

// prefetch lists one window spanning every row's start or hint, padded by
// days on both sides: Intervals.icu's window is in the athlete's local dates.
func (w *windowIndex) prefetch(ctx context.Context, rows []store.Activity) error {
	var lo, hi time.Time
	for _, r := range rows {
		t := r.Start
		if t == nil {
			t = r.StartHint
		}
		if t == nil {
			continue
		}
		if lo.IsZero() || t.Before(lo) {
			lo = *t
		}
		if hi.IsZero() || t.After(hi) {
			hi = *t
		}
	}
	if lo.IsZero() {
		return nil
	}
	return w.load(ctx, lo.AddDate(0, 0, -2), hi.AddDate(0, 0, 2))
}

// ensure makes sure the days around t are in the index.
func (w *windowIndex) ensure(ctx context.Context, t time.Time) error {
	if w.has(t.AddDate(0, 0, -1)) && w.has(t.AddDate(0, 0, 1)) {
		return nil
	}
	return w.load(ctx, t.AddDate(0, 0, -2), t.AddDate(0, 0, 2))
}

func (w *windowIndex) has(t time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.covered {
		if !t.Before(s.from) && !t.After(s.to) {
			return true
		}
	}
	return false
}

func (w *windowIndex) load(ctx context.Context, from, to time.Time) error {
	w.fetch.Lock()
	defer w.fetch.Unlock()
	if w.has(from) && w.has(to) {
		return nil
	}
	acts, err := w.svc.Activities(ctx, from.In(w.loc), to.In(w.loc))
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range acts {
		w.ix.Add(a)
	}
	w.covered = append(w.covered, span{from, to})
	w.log.Debug("intervals window", "from", from.Format("2006-01-02"), "to", to.Format("2006-01-02"), "activities", len(acts))
	return nil
}

func (w *windowIndex) decide(c match.Candidate, o match.Options) match.Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ix.Decide(c, o)
}

func (w *windowIndex) add(a intervals.Activity) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ix.Add(a)
}

// startsNear reports an indexed activity (or Strava stub, by local time)
// starting within d of t: a rough guess used before files are read.
func (w *windowIndex) startsNear(t time.Time, d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ix.StartsNear(t, d)
}

// onlyStravaNear: what starts near t is a Strava copy only.
func (w *windowIndex) onlyStravaNear(t time.Time, d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ix.OnlyStravaNear(t, d)
}

// reserve holds the time around t while one upload decides and lands, so
// two copies of the same ride (say a trainer app's file and its re-export) never
// pass the duplicate check side by side. It waits while a nearby start is
// held and returns the release.
func (w *windowIndex) reserve(ctx context.Context, t time.Time) (func(), error) {
	const near = 10 * time.Minute
	for {
		w.mu.Lock()
		var busy chan struct{}
		for held, ch := range w.held {
			if d := held.Sub(t); d < near && d > -near {
				busy = ch
				break
			}
		}
		if busy == nil {
			if w.held == nil {
				w.held = map[time.Time]chan struct{}{}
			}
			ch := make(chan struct{})
			key := t
			for _, taken := w.held[key]; taken; _, taken = w.held[key] {
				key = key.Add(time.Nanosecond)
			}
			w.held[key] = ch
			w.mu.Unlock()
			return func() {
				w.mu.Lock()
				delete(w.held, key)
				w.mu.Unlock()
				close(ch)
			}, nil
		}
		w.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

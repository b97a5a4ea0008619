package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
)

// WatchOptions tune continuous backfill.
type WatchOptions struct {
	// Settle is how long a folder file must stay unchanged (0: the source's default).
	Settle time.Duration
	// Poll is the interval for cloud sources (0: the rider's setting).
	Poll time.Duration
}

// PassResult is one pass of continuous backfill.
type PassResult = backfill.Result

// Watcher keeps Intervals.icu current: folder events at once, cloud sources on an interval.
type Watcher struct {
	s *Service
	o WatchOptions
	// one pass at a time: a pass is a backfill, and backfills must not overlap.
	mu sync.Mutex
}

// Watcher builds continuous sync over the connected accounts. A zero
// Settle keeps each folder account's own settle setting.
func (s *Service) Watcher(o WatchOptions) *Watcher { return &Watcher{s: s, o: o} }

func (w *Watcher) settings() map[string]string {
	if w.o.Settle > 0 {
		return map[string]string{"settle": w.o.Settle.String()}
	}
	return nil
}

// Pass syncs the named sources (all when empty) once.
func (w *Watcher) Pass(ctx context.Context, sources []string) (PassResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// A pass's progress is not the rider's run: the Backfill screen keeps
	// showing theirs; the library still hears what changed.
	quiet := events.Func(func(name string, payload any) {
		if name != events.Progress {
			w.s.Events.Emit(name, payload)
		}
	})
	res, err := w.s.Backfill(ctx, BackfillOptions{Sources: sources, Scheduled: true, SourceSettings: w.settings()}, quiet)
	// Every automatic upload leaves a notice that leads to its run: what
	// went up, and the way to undo it.
	if n := res.Uploaded; n > 0 {
		w.s.notify(Notice{Message: fmt.Sprintf("Continuous sync uploaded %d new %s to Intervals.icu", n, plural(n, "activity", "activities")), RunID: res.RunID})
	}
	if len(sources) == 0 && ctx.Err() == nil {
		w.keepWorkouts(ctx)
	}
	return res, err
}

// keepWorkouts brings planned workouts up to date when the rider turned
// that on; its failures are the workouts' own states, never the pass's.
func (w *Watcher) keepWorkouts(ctx context.Context) {
	if !w.s.Settings().WorkoutsSync {
		return
	}
	results, err := w.s.DeliverWorkouts(ctx, WorkoutsRequest{})
	if err != nil {
		w.s.Log.Warn("planned workouts", "err", err)
		return
	}
	wrote := 0
	for _, r := range results {
		if r.Wrote {
			wrote++
		}
	}
	if wrote > 0 {
		w.s.Notify(fmt.Sprintf("%d planned %s brought up to date", wrote, plural(wrote, "workout", "workouts")))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Run syncs until ctx ends: a pass at start, a pass for a folder source as
// soon as it reports a change, and a pass of everything every poll interval.
// done, when set, hears each pass's result and error; a pass that failed
// does not end Run.
func (w *Watcher) Run(ctx context.Context, done func(PassResult, error)) error {
	poll := w.o.Poll
	if poll <= 0 {
		poll = time.Duration(w.s.Settings().PollMinutes) * time.Minute
	}
	changed := make(chan string, 16)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	conns, _, err := w.s.connected(nil, w.settings())
	if err != nil {
		return err
	}
	for _, c := range conns {
		if c.Desc.Watch == nil {
			continue
		}
		acc, err := w.s.Store.Account(c.Desc.Name)
		if err != nil {
			continue
		}
		settings := acc.SettingsMap()
		for k, v := range w.settings() {
			settings[k] = v
		}
		cfg := w.s.sourceConfig(c.Desc, acc.Region, "", settings)
		name := c.Desc.Name
		watch := c.Desc.Watch
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := watch(ctx, cfg, func() {
				select {
				case changed <- name:
				default: // a pass is already queued
				}
			})
			if err != nil && ctx.Err() == nil {
				w.s.Log.Warn("watching stopped", "source", name, "err", err)
			}
		}()
	}

	pass := func(sources []string) error {
		res, err := w.Pass(ctx, sources)
		if done != nil {
			done(res, err)
		}
		var sie *SignInError
		if errors.As(err, &sie) {
			w.s.Events.Emit(events.Notice, Notice{At: time.Now().UTC().Format(time.RFC3339), Message: sie.Msg})
			return nil // keep watching the other sources; the window shows the reconnect
		}
		if err != nil && ctx.Err() == nil {
			w.s.Log.Warn("sync pass", "err", err)
		}
		return nil
	}
	_ = pass(nil)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case name := <-changed:
			_ = pass([]string{name})
		case <-tick.C:
			_ = pass(nil)
		}
	}
}

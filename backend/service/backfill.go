package service

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// BackfillOptions are what the command line and the window can ask of a run.
type BackfillOptions struct {
	Sources   []string
	Since     time.Time
	Until     time.Time
	IDs       []uint
	DryRun    bool
	FetchOnly bool
	// Scheduled runs (continuous sync) leave failed activities until their next try.
	Scheduled bool
	// SourceSettings override account settings for this run (e.g. "settle").
	SourceSettings map[string]string
	// StravaCopies: backfill.StravaKeep or StravaUpload; empty follows the
	// rider's setting.
	StravaCopies string
}

// Engine builds a backfill engine over the connected accounts.
func (s *Service) Engine(o BackfillOptions, emit events.Emitter) (*backfill.Engine, []string, error) {
	var svc intervals.Service
	loc := time.UTC
	if !o.FetchOnly {
		c, l, err := s.intervalsClient()
		if err != nil {
			return nil, nil, err
		}
		svc, loc = c, l
	}
	conns, signIn, err := s.connected(o.Sources, o.SourceSettings)
	if err != nil {
		return nil, nil, err
	}
	if emit == nil {
		emit = s.Events
	}
	e := &backfill.Engine{
		Store: s.Store, Cache: s.Cache, Intervals: svc, Location: loc, Sources: conns,
		Emit: emit, Log: s.Log,
		Options: backfill.Options{StravaAsDuplicate: s.Settings().StravaMatchesDuplicate, RespectNextTry: o.Scheduled, Incremental: o.Scheduled,
			NewOnly: o.Scheduled, StravaCopies: s.stravaCopies(o.StravaCopies)},
	}
	return e, signIn, nil
}

// stravaCopies is what a run does with rides Intervals.icu holds only as
// Strava copies: what the run asked, else the rider's setting.
func (s *Service) stravaCopies(asked string) string {
	if asked != "" {
		return asked
	}
	if s.Settings().StravaMatchesDuplicate {
		return backfill.StravaKeep
	}
	return backfill.StravaUpload
}

// Backfill runs one backfill to the end (the command line's way).
func (s *Service) Backfill(ctx context.Context, o BackfillOptions, emit events.Emitter) (backfill.Result, error) {
	e, signIn, err := s.Engine(o, emit)
	if err != nil {
		return backfill.Result{Failures: []backfill.Failure{}}, err
	}
	return s.runEngine(ctx, e, o, signIn)
}

func (s *Service) runEngine(ctx context.Context, e *backfill.Engine, o BackfillOptions, signIn []string) (backfill.Result, error) {
	req := backfill.Request{Sources: o.Sources, Query: source.Query{Since: o.Since, Until: o.Until}, IDs: o.IDs, DryRun: o.DryRun, FetchOnly: o.FetchOnly}
	s.runLock.Lock()
	res, err := e.Run(ctx, req)
	s.runLock.Unlock()
	if len(signIn) > 0 {
		for _, n := range signIn {
			_ = s.Store.SetAccountState(n, store.AccountNeedsSignIn, "the saved sign-in is missing from the keyring")
		}
		res.NeedsSignIn = append(res.NeedsSignIn, signIn...)
		if err == nil {
			err = &backfill.NeedsSignInError{Accounts: signIn}
		}
	}
	var nsi *backfill.NeedsSignInError
	if errors.As(err, &nsi) {
		err = s.signInError(nsi.Accounts)
	}
	s.Events.Emit(events.Library, nil)
	releaseAfter(res.Discovered)
	return res, err
}

// bigRun is how many activities a run must have touched before its memory
// is handed back to the system at once rather than over minutes.
const bigRun = 20

// releaseAfter returns a finished run's memory to the system when the run
// was big: FitBridge idles for hours next to a trainer app that wants it.
// A small run is left to the runtime, which returns memory by itself.
func releaseAfter(activities int) {
	if activities >= bigRun {
		debug.FreeOSMemory()
	}
}

// signInError names every account that needs signing in again, so the rider
// fixes them all at once rather than one per run.
func (s *Service) signInError(accounts []string) error {
	var uniq, names []string
	for _, a := range accounts {
		if slices.Contains(uniq, a) {
			continue
		}
		uniq = append(uniq, a)
		name := a
		if a == intervalsAccount {
			name = "Intervals.icu"
		} else if d, ok := source.Lookup(a); ok {
			name = d.DisplayName
		}
		names = append(names, name)
	}
	if len(names) == 1 {
		return &SignInError{Account: uniq[0], Msg: reason.SignInAgainKept.Text(names[0])}
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	return &SignInError{Account: uniq[0], Others: uniq[1:], Msg: reason.SignInAgainKeptMany.Text(list)}
}

// StartBackfill starts a backfill in the background (the window's way).
func (s *Service) StartBackfill(req BackfillRequest) (Progress, error) {
	o, err := toOptions(req)
	if err != nil {
		return Progress{}, err
	}
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.Lock()
	if s.run != nil {
		select {
		case <-s.run.done:
		default:
			s.mu.Unlock()
			return s.Progress(), errors.New("a backfill is already running")
		}
	}
	s.mu.Unlock()
	e, signIn, err := s.Engine(o, nil)
	if err != nil {
		return Progress{}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runState{engine: e, cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	s.run = rs
	s.mu.Unlock()
	go func() {
		defer close(rs.done)
		defer cancel()
		res, err := s.runEngine(ctx, e, o, signIn)
		s.mu.Lock()
		rs.result, rs.err = res, err
		s.mu.Unlock()
		if err != nil && !errors.Is(err, context.Canceled) {
			s.Log.Warn("backfill ended", "err", err)
		}
		p := s.Progress()
		s.Events.Emit(events.Progress, p)
	}()
	return Progress{Running: true, Phase: "listing"}, nil
}

func toOptions(req BackfillRequest) (BackfillOptions, error) {
	since, err := ParseDate(req.Since)
	if err != nil {
		return BackfillOptions{}, err
	}
	until, err := ParseDate(req.Until)
	if err != nil {
		return BackfillOptions{}, err
	}
	switch req.StravaCopies {
	case "", backfill.StravaKeep, backfill.StravaUpload:
	default:
		return BackfillOptions{}, fmt.Errorf("strava copies: %q is neither keep nor upload", req.StravaCopies)
	}
	return BackfillOptions{Sources: req.Sources, Since: since, Until: until, IDs: req.IDs, DryRun: req.DryRun, StravaCopies: req.StravaCopies}, nil
}

// Progress is the current (or last) window backfill.
func (s *Service) Progress() Progress {
	s.mu.Lock()
	rs := s.run
	s.mu.Unlock()
	if rs == nil {
		return Progress{Phase: "idle", Counts: map[store.State]int{}, Failures: []backfill.Failure{}}
	}
	p := rs.engine.LastProgress()
	select {
	case <-rs.done:
		p.Running = false
		s.mu.Lock()
		err := rs.err
		res := rs.result
		s.mu.Unlock()
		p.Failures = res.Failures
		if err != nil {
			var sie *SignInError
			switch {
			case errors.As(err, &sie):
				p.Phase = "needs_sign_in"
				p.Message = sie.Msg
			case errors.Is(err, context.Canceled):
				p.Phase = "cancelled"
				p.Message = "Stopped. Nothing was lost: start again to carry on."
			default:
				p.Message = err.Error()
			}
		}
	default:
		if p.Phase == "" {
			// Started, and the engine has not reported yet.
			p.Running, p.Phase = true, "listing"
		}
	}
	if p.Failures == nil {
		p.Failures = []backfill.Failure{}
	}
	return p
}

// PauseBackfill holds the running backfill after the activities in flight.
func (s *Service) PauseBackfill() {
	if e := s.runningEngine(); e != nil {
		e.Pause()
		s.Events.Emit(events.Progress, s.Progress())
	}
}

// ResumeBackfill lets a paused backfill go on.
func (s *Service) ResumeBackfill() {
	if e := s.runningEngine(); e != nil {
		e.Resume()
		s.Events.Emit(events.Progress, s.Progress())
	}
}

// CancelBackfill stops the running backfill; every finished step stays recorded.
func (s *Service) CancelBackfill() {
	s.mu.Lock()
	rs := s.run
	s.mu.Unlock()
	if rs != nil {
		rs.engine.Resume()
		rs.cancel()
	}
}

func (s *Service) runningEngine() *backfill.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return nil
	}
	select {
	case <-s.run.done:
		return nil
	default:
		return s.run.engine
	}
}

func (s *Service) waitRun(d time.Duration) {
	s.mu.Lock()
	rs := s.run
	s.mu.Unlock()
	if rs == nil {
		return
	}
	select {
	case <-rs.done:
	case <-time.After(d):
	}
}

// RetryFailed puts failed activities back in line and starts a backfill of them.
func (s *Service) RetryFailed(ids []uint) (Progress, error) {
	if len(ids) == 0 {
		rows, err := s.Store.List(store.Filter{States: []store.State{store.StateFailed}})
		if err != nil {
			return Progress{}, err
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return s.Progress(), nil
	}
	for _, id := range ids {
		row, err := s.Store.Get(id)
		if err != nil {
			return Progress{}, err
		}
		next := store.StateReady
		if row.Hash == "" {
			next = store.StateDiscovered
		}
		if err := s.Store.SetState(id, store.Transition{State: next, Reason: reason.RetryAsked.Text()}); err != nil {
			return Progress{}, err
		}
	}
	return s.StartBackfill(BackfillRequest{IDs: ids})
}

// PreviewBackfill lists each chosen source (without downloading) and tells,
// for the chosen dates, what a run would do with what it holds. A source
// that needs sign-in says so instead of counting.
func (s *Service) PreviewBackfill(ctx context.Context, req BackfillRequest) (Preview, error) {
	o, err := toOptions(req)
	if err != nil {
		return Preview{}, err
	}
	e, signIn, err := s.Engine(BackfillOptions{Sources: o.Sources, StravaCopies: o.StravaCopies}, events.Discard{})
	if err != nil {
		return Preview{}, err
	}
	s.previewMu.Lock()
	defer s.previewMu.Unlock()
	out := Preview{Sources: []PreviewSource{}, StravaCopies: e.Options.StravaCopies}
	for _, name := range signIn {
		out.Sources = append(out.Sources, s.needsSignInRow(name, nil))
	}
	q := source.Query{Since: o.Since, Until: o.Until}
	for _, c := range e.Sources {
		est, err := e.Preview(ctx, c, q, func(src string, found, page int) {
			s.Events.Emit(events.Counting, Counting{Source: src, Found: found, Page: page})
		})
		if errors.Is(err, source.ErrNeedsSignIn) {
			out.Sources = append(out.Sources, s.needsSignInRow(c.Desc.Name, err))
			continue
		}
		ps := PreviewSource{Name: c.Desc.Name, DisplayName: c.Desc.DisplayName,
			Activities: est.Found, AlreadyInIntervals: est.Already, ToUpload: est.ToUpload, Skipped: est.Skipped,
			NoFile: est.NoFile, ManualEntry: est.Manual, NeedsReview: est.NeedsReview, KeptOut: est.KeptOut, Unusable: est.Unusable,
			StravaCopies: est.StravaCopies}
		if err != nil {
			ps.Error = err.Error()
		}
		out.Sources = append(out.Sources, ps)
	}
	return out, nil
}

func (s *Service) needsSignInRow(name string, err error) PreviewSource {
	display := name
	if d, ok := source.Lookup(name); ok {
		display = d.DisplayName
	}
	msg := reason.SignInAgainBeforeCount.Text(display)
	if err != nil {
		s.Log.Info("preview needs sign-in", "source", name, "err", err)
	}
	return PreviewSource{Name: name, DisplayName: display, NeedsSignIn: true, Error: msg}
}

// Package backfill is the backfill engine: discover → download → match → upload,
// each step recorded per activity in the store, so a killed run picks up
// where it stopped and never uploads a ride twice.
package backfill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fitbridge/backend/events"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// Connected is a signed-in source the engine may read from.
type Connected struct {
	Desc   source.Descriptor
	Source source.Source
}

// Options tune a run.
type Options struct {
	// StravaAsDuplicate treats a Strava stub starting within minutes as the
	// same ride (dedup.md rule 5, on by default in the window).
	StravaAsDuplicate bool
	// UploadWorkers bounds uploads in flight; the Intervals.icu client's rate
	// limiter is shared by all of them.
	UploadWorkers int
	// RespectNextTry leaves failed activities alone until their next try
	// (continuous sync); a backfill the rider starts retries them at once.
	RespectNextTry bool
	// Incremental lists only the weeks since each source's last sync
	// (continuous sync); a backfill lists everything.
	Incremental bool
	// NewOnly leaves history alone: continuous sync uploads only what
	// appeared on a source after its first listing.
	NewOnly bool
	// StravaCopies says what to do with rides Intervals.icu holds only as
	// Strava copies: StravaKeep (default) or StravaUpload the originals.
	StravaCopies string
	// Now is the clock (tests).
	Now func() time.Time
}

// What a run does with rides Intervals.icu holds only as Strava copies.
const (
	StravaKeep   = "keep"   // leave the copy; counted as strava_copies
	StravaUpload = "upload" // upload the original next to it
)

// Engine runs backfills. Create one per run configuration; Run may be called again.
type Engine struct {
	Store     *store.Store
	Cache     *store.Cache
	Intervals intervals.Service
	Location  *time.Location // the athlete's time zone
	Sources   []Connected
	Emit      events.Emitter
	Log       *slog.Logger
	Options   Options

	gate   gate
	lastMu sync.Mutex
	last   Progress
}

// Request says what a run covers.
type Request struct {
	Sources []string // source names; empty means every connected source and imported files
	Query   source.Query
	IDs     []uint // only these library rows ("Upload selected"); probable duplicates are then uploaded too
	// FetchOnly stops after download (the `fetch` command).
	FetchOnly bool
	// DryRun decides everything but uploads nothing and changes no state past download.
	DryRun bool
}

// Failure is one activity that could not be synced.
type Failure struct {
	ID        uint   `json:"id"`
	Source    string `json:"source"`
	RemoteID  string `json:"remote_id"`
	Name      string `json:"name"`
	Reason    string `json:"reason"`
	Permanent bool   `json:"permanent"`
}

// Result sums up a run. Uploaded and Downloaded count this run's work; the
// other counts are the states of every activity in scope when it ended.
type Result struct {
	Discovered  int       `json:"discovered"`
	Downloaded  int       `json:"downloaded"`
	Uploaded    int       `json:"uploaded"`
	Already     int       `json:"already_in_intervals"`
	Skipped     int       `json:"skipped"`
	Failed      int       `json:"failed"`
	Failures    []Failure `json:"failures"`
	WouldUpload int       `json:"would_upload,omitempty"`
	// StravaCopies counts rides Intervals.icu holds only as Strava copies
	// (no streams, no power through its API), left as they are.
	StravaCopies int `json:"strava_copies"`
	// NeedsReview counts probable duplicates waiting for the rider (in Skipped too).
	NeedsReview int `json:"needs_review"`
	// RunID is this run's record, for `fitbridge undo` (0: nothing recorded).
	RunID uint `json:"run_id,omitempty"`
	// NeedsSignIn names the accounts that refused their session ("intervals" or a platform's Name).
	NeedsSignIn []string `json:"needs_sign_in,omitempty"`
	// SourceErrors are listings that failed for another reason.
	SourceErrors map[string]string `json:"source_errors,omitempty"`
}

// NeedsSignInError is returned when an account must be connected again.
type NeedsSignInError struct{ Accounts []string }

func (e *NeedsSignInError) Error() string {
	return fmt.Sprintf("%v needs you to sign in again", e.Accounts)
}

// Pause holds workers before their next activity; Resume lets them go on.
func (e *Engine) Pause()  { e.gate.set(true) }
func (e *Engine) Resume() { e.gate.set(false) }

// Paused reports whether the run is held.
func (e *Engine) Paused() bool { return e.gate.isSet() }

func (e *Engine) now() time.Time {
	if e.Options.Now != nil {
		return e.Options.Now()
	}
	return time.Now().UTC()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Engine) emitter() events.Emitter {
	if e.Emit != nil {
		return e.Emit
	}
	return events.Discard{}
}

// scope is the library filter a request covers.
func (e *Engine) scope(req Request) store.Filter {
	// Continuous sync answers for what is new, not for history left out.
	f := store.Filter{Since: req.Query.Since, Until: req.Query.Until, IDs: req.IDs, NewOnly: e.Options.NewOnly}
	if len(req.IDs) == 0 {
		f.Sources = req.Sources
		if len(f.Sources) == 0 {
			for _, c := range e.Sources {
				// Files the rider added by hand (an export archive...) are history
				// too: a backfill or a selection sends them, continuous sync does not.
				if e.Options.NewOnly && c.Desc.Kind == source.KindFiles {
					continue
				}
				f.Sources = append(f.Sources, c.Desc.Name)
			}
		}
	}
	return f
}

// Run performs one backfill. It returns the result and, when an account
// refused its session, a *NeedsSignInError (the result is still filled in).
func (e *Engine) Run(ctx context.Context, req Request) (Result, error) {
	res := Result{SourceErrors: map[string]string{}}
	prog := newTracker(e, req)
	defer prog.finish()

	var signIn []string
	if len(req.IDs) == 0 {
		prog.phase("listing")
		for _, c := range e.Sources {
			if len(req.Sources) > 0 && !contains(req.Sources, c.Desc.Name) {
				continue
			}
			if err := e.discover(ctx, c, req.Query, prog); err != nil {
				if ctx.Err() != nil {
					return e.summarize(req, res), ctx.Err()
				}
				if errors.Is(err, source.ErrNeedsSignIn) {
					signIn = append(signIn, c.Desc.Name)
					e.markSignIn(c.Desc.Name, err)
					continue
				}
				res.SourceErrors[c.Desc.Name] = err.Error()
				e.log().Warn("listing failed", "source", c.Desc.Name, "err", err)
			}
		}
	}

	p := &pipeline{e: e, req: req, prog: prog, res: &res, blocked: map[string]bool{}}
	for _, s := range signIn {
		p.blocked[s] = true
	}
	if !req.DryRun && !req.FetchOnly {
		rec, rerr := e.Store.StartRun(e.runKind(req))
		if rerr != nil {
			return e.summarize(req, res), rerr
		}
		p.record = rec
	}
	err := p.run(ctx)
	signIn = append(signIn, p.signIn...)
	out := e.summarize(req, res)
	e.finishRecord(p, &out)
	if len(signIn) > 0 {
		out.NeedsSignIn = signIn
		prog.needsSignIn(signIn)
		if err == nil || errors.Is(err, source.ErrNeedsSignIn) {
			err = &NeedsSignInError{Accounts: signIn}
		}
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return out, err
}

func (e *Engine) markSignIn(account string, err error) {
	if serr := e.Store.SetAccountState(account, store.AccountNeedsSignIn, err.Error()); serr != nil {
		e.log().Error("record sign-in state", "account", account, "err", serr)
	}
}

// discover lists one source and records every activity in the store.
func (e *Engine) discover(ctx context.Context, c Connected, q source.Query, prog *tracker) error {
	n := 0
	known, err := e.Store.Known(c.Desc.Name)
	if err != nil {
		return err
	}
	// What a source held when the rider connected it is history: every
	// activity of its first listing, and on a platform later whatever
	// started before that listing (a first listing limited to a date range
	// does not make older rides new). A folder's first listing is complete,
	// and a file that arrives later is new whatever its start.
	//
	// An account an older FitBridge listed before history was recorded
	// (LastSync set, HistoryAt not) is not new: what it left unfinished is
	// history, but a ride that started after its last listing is new.
	var historyAt *time.Time
	firstListing, upgraded := false, false
	acc, aerr := e.Store.Account(c.Desc.Name)
	if aerr == nil {
		firstListing = acc.HistoryAt == nil
		upgraded = firstListing && acc.LastSync != nil
		if c.Desc.Kind == source.KindCloud {
			historyAt = acc.HistoryAt
			if upgraded {
				historyAt = acc.LastSync
			}
		}
	}
	if firstListing {
		// Rows an older FitBridge listed and never finished are history,
		// marked before this listing adds what is new.
		if err := e.Store.MarkHistory(c.Desc.Name); err != nil {
			return err
		}
	}
	// Continuous sync asks only for what is recent: a platform's whole
	// history on every poll would cost it (and the rider) for nothing.
	// Folders are cheap to read and a head unit may bring weeks of rides.
	if e.Options.Incremental && c.Desc.Kind == source.KindCloud && q.Since.IsZero() && aerr == nil && acc.LastSync != nil {
		q.Since = acc.LastSync.AddDate(0, 0, -14)
	}
	// The listing tells each page it starts; n is read from the goroutine
	// that yields (source.ListingPage), so no lock is needed.
	pages := source.WithPages(ctx, func(page int) { prog.paged(c.Desc.Name, c.Desc.DisplayName, page, n) })
	err = c.Source.List(pages, q, func(a source.Activity) error {
		if st, ok := known[a.RemoteID]; ok && st != store.StateDiscovered {
			n++
			if n%10 == 0 {
				prog.listed(c.Desc.Name, c.Desc.DisplayName, n)
			}
			return nil // already in the library and past listing: nothing to write
		}
		row := &store.Activity{
			Source:     c.Desc.Name,
			RemoteID:   a.RemoteID,
			ExternalID: c.Desc.ExternalIDFor(a.RemoteID),
			Name:       a.Name,
			Sport:      a.Sport,
			Device:     a.Device,
			Extra:      encodeExtra(a.Extra),
		}
		if !a.StartHint.IsZero() {
			h := a.StartHint.UTC()
			row.StartHint = &h
			row.StartHintDateOnly = a.StartHintDateOnly
		}
		row.History = (firstListing && !upgraded) || isHistory(a, historyAt)
		if a.SkipReason != "" {
			row.State = store.StateSkipped
			row.Reason = a.SkipReason
			row.Permanent = true
		}
		if _, _, err := e.Store.Discover(row); err != nil {
			return err
		}
		n++
		if n%10 == 0 {
			prog.listed(c.Desc.Name, c.Desc.DisplayName, n)
		}
		return nil
	})
	prog.listed(c.Desc.Name, c.Desc.DisplayName, n)
	if err != nil {
		return fmt.Errorf("list %s: %w", c.Desc.DisplayName, err)
	}
	now := e.now()
	// Read again: the listing may have learnt settings into the account.
	if acc, aerr := e.Store.Account(c.Desc.Name); aerr == nil {
		if acc.HistoryAt == nil {
			acc.HistoryAt = &now
		}
		// A listing limited to past dates did not look up to now.
		if q.Until.IsZero() || !q.Until.AddDate(0, 0, 1).Before(now) {
			acc.LastSync = &now
		}
		if acc.State == store.AccountNeedsSignIn {
			acc.State, acc.StateReason = store.AccountConnected, ""
		}
		_ = e.Store.SaveAccount(acc)
	}
	e.emitter().Emit(events.Library, nil)
	return nil
}

// runKind says who asked for a run.
func (e *Engine) runKind(req Request) string {
	switch {
	case len(req.IDs) > 0:
		return store.RunSelection
	case e.Options.NewOnly:
		return store.RunContinuous
	}
	return store.RunManual
}

// finishRecord writes what the run decided into its record. A continuous
// pass that neither uploaded nor failed anything is forgotten: a pass every
// few minutes would bury the runs that matter.
func (e *Engine) finishRecord(p *pipeline, out *Result) {
	rec := p.record
	if rec == nil {
		return
	}
	p.mu.Lock()
	d := p.decided
	p.mu.Unlock()
	rec.Uploaded = out.Uploaded
	if rec.Kind == store.RunContinuous {
		// A pass answers for what it decided, not for the whole library.
		rec.Already = d[store.StateAlready]
		rec.Skipped = d[store.StateSkipped] + d[store.StateNeedsReview] + d[store.StateUnreadable] + d[store.StateNotAnActivity]
		rec.Failed = d[store.StateFailed]
	} else {
		// The rider's run keeps the totals they saw: the same categories as its preview.
		rec.Already, rec.Skipped, rec.Failed = out.Already, out.Skipped, out.Failed
	}
	if rec.Kind == store.RunContinuous && rec.Uploaded == 0 && rec.Failed == 0 {
		if err := e.Store.DeleteRun(rec.ID); err != nil {
			e.log().Error("forget empty run", "run", rec.ID, "err", err)
		}
		return
	}
	fin := e.now()
	rec.Finished = &fin
	if err := e.Store.SaveRun(rec); err != nil {
		e.log().Error("record run", "run", rec.ID, "err", err)
		return
	}
	out.RunID = rec.ID
}

// historyGrace: a ride that started this shortly before a platform's first
// listing may reach the platform only after it (a head unit synced late, a
// ride still going on): it is new, not history.
const historyGrace = 48 * time.Hour

// isHistory: a listed activity that started well before the source's first
// listing. A date-only start counts from the end of its day.
func isHistory(a source.Activity, historyAt *time.Time) bool {
	if historyAt == nil || a.StartHint.IsZero() {
		return false
	}
	start := a.StartHint
	if a.StartHintDateOnly {
		start = start.Add(24 * time.Hour)
	}
	return start.Before(historyAt.Add(-historyGrace))
}

// summarize fills the end-of-run counts from the store.
func (e *Engine) summarize(req Request, res Result) Result {
	counts, err := e.Store.Counts(e.scope(req))
	if err != nil {
		e.log().Error("count activities", "err", err)
		return res
	}
	res.Discovered, res.Already, res.Skipped, res.Failed = 0, 0, 0, 0
	for _, byState := range counts {
		for state, n := range byState {
			res.Discovered += n
			switch state {
			case store.StateAlready:
				res.Already += n
			case store.StateSkipped:
				res.Skipped += n
			case store.StateNeedsReview:
				res.Skipped += n
				res.NeedsReview += n
			case store.StateFailed:
				res.Failed += n
			}
		}
	}
	f := e.scope(req)
	f.States, f.MatchedVia = []store.State{store.StateAlready}, StravaVia
	if n, err := e.Store.Count(f); err == nil {
		res.StravaCopies = n
	}
	f.States, f.MatchedVia = []store.State{store.StateFailed}, ""
	rows, err := e.Store.List(f)
	if err == nil {
		res.Failures = res.Failures[:0]
		for _, r := range rows {
			res.Failures = append(res.Failures, Failure{ID: r.ID, Source: r.Source, RemoteID: r.RemoteID, Name: r.Name, Reason: r.Reason, Permanent: r.Permanent})
		}
	}
	if res.Failures == nil {
		res.Failures = []Failure{}
	}
	return res
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// gate holds workers while a run is paused.
type gate struct {
	mu     sync.Mutex
	paused bool
	wake   chan struct{}
}

func (g *gate) set(p bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.wake == nil {
		g.wake = make(chan struct{})
	}
	if g.paused && !p {
		close(g.wake)
		g.wake = make(chan struct{})
	}
	g.paused = p
}

func (g *gate) isSet() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

// wait blocks while paused.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		if !g.paused {
			g.mu.Unlock()
			return ctx.Err()
		}
		if g.wake == nil {
			g.wake = make(chan struct{})
		}
		w := g.wake
		g.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// LastProgress is the most recent progress of this engine's runs.
func (e *Engine) LastProgress() Progress {
	e.lastMu.Lock()
	defer e.lastMu.Unlock()
	return e.last
}

func (e *Engine) setLast(p Progress) {
	e.lastMu.Lock()
	e.last = p
	e.lastMu.Unlock()
}

func displayOf(name string) string {
	if d, ok := source.Lookup(name); ok {
		return d.DisplayName
	}
	return name
}

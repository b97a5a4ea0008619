package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// pipeline moves the activities in scope through download and upload, with
// bounded workers per source host and for Intervals.icu.
type pipeline struct {
	e    *Engine
	req  Request
	prog *tracker
	res  *Result

	mu      sync.Mutex
	blocked map[string]bool // sources whose session was refused
	signIn  []string
	stopAll error // Intervals.icu refused the key: nothing more can be uploaded

	index *windowIndex
	// run is this run's record (nil for dry runs and fetches); decided
	// counts what this run decided, by state.
	record  *store.Run
	decided map[store.State]int
}

// work selects rows that still need something done.
func (p *pipeline) work() ([]store.Activity, error) {
	f := p.e.scope(p.req)
	f.NewOnly = p.e.Options.NewOnly
	selected := len(p.req.IDs) > 0
	states := []store.State{store.StateDiscovered, store.StateReady, store.StateFailed}
	if selected {
		// An explicit selection also uploads what was held for review or
		// kept out before: the rider chose it.
		states = append(states, store.StateSkipped, store.StateNeedsReview)
	}
	if selected || p.e.Options.StravaCopies == StravaUpload {
		states = append(states, store.StateAlready) // Strava copies only, below
	}
	f.States = states
	rows, err := p.e.Store.ListOldestFirst(f)
	if err != nil {
		return nil, err
	}
	now := p.e.now()
	out := rows[:0]
	for _, r := range rows {
		switch r.State {
		case store.StateFailed:
			if r.Permanent && !selected {
				continue
			}
			if p.e.Options.RespectNextTry && r.NextTry != nil && r.NextTry.After(now) {
				continue
			}
		case store.StateSkipped:
			// Only what the rider kept out may go up when selected; permanent
			// skips (no file on the platform) stay skipped.
			if r.Permanent && !strings.HasPrefix(r.Reason, store.KeptOutReason) {
				continue
			}
		case store.StateAlready:
			// Its original goes up next to a Strava copy when asked.
			if r.MatchedVia != StravaVia || r.Hash == "" {
				continue
			}
		}
		if p.req.FetchOnly && r.Hash != "" {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *pipeline) run(ctx context.Context) error {
	rows, err := p.work()
	if err != nil {
		return err
	}
	p.prog.start(len(rows))
	if len(rows) == 0 {
		return nil
	}
	if !p.req.FetchOnly {
		p.index = newWindowIndex(p.e.Intervals, p.e.Location, p.e.log())
		if err := p.index.prefetch(ctx, rows); err != nil {
			if p.checkIntervalsAuth(err) {
				return p.stopAll
			}
			return fmt.Errorf("list Intervals.icu activities: %w", err)
		}
	}

	sources := map[string]Connected{}
	for _, c := range p.e.Sources {
		sources[c.Desc.Name] = c
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	upCh := make(chan store.Activity)
	dlChs := map[string]chan store.Activity{}
	var dlWG, upWG sync.WaitGroup

	workers := p.e.Options.UploadWorkers
	if workers <= 0 {
		workers = 3
	}
	if !p.req.FetchOnly {
		for i := 0; i < workers; i++ {
			upWG.Add(1)
			go func() {
				defer upWG.Done()
				for row := range upCh {
					p.upload(ctx, row)
				}
			}()
		}
	}

	// A source's downloads take turns on its declared concurrency; storing
	// and summarising a file happens beside them (keepers), so the next
	// download never waits for the last one to be written and read.
	var keepWG sync.WaitGroup
	startDownloads := func(name string) chan store.Activity {
		ch := make(chan store.Activity)
		c, ok := sources[name]
		n := 4
		if ok && c.Desc.Limits.Concurrency > 0 {
			n = c.Desc.Limits.Concurrency
		}
		keep := make(chan downloaded)
		for i := 0; i < keepers; i++ {
			keepWG.Add(1)
			go func() {
				defer keepWG.Done()
				for d := range keep {
					if next, ok := p.keep(d.row, d.data); ok && !p.req.FetchOnly {
						select {
						case upCh <- next:
						case <-ctx.Done():
						}
					}
				}
			}()
		}
		var mine sync.WaitGroup
		for i := 0; i < n; i++ {
			dlWG.Add(1)
			mine.Add(1)
			go func() {
				defer dlWG.Done()
				defer mine.Done()
				for row := range ch {
					if data, ok := p.fetch(ctx, c, row); ok {
						select {
						case keep <- downloaded{row, data}:
						case <-ctx.Done():
						}
					}
				}
			}()
		}
		go func() { mine.Wait(); close(keep) }()
		return ch
	}

	var feedErr error
feed:
	for _, row := range rows {
		if err := p.e.gate.wait(ctx); err != nil {
			feedErr = err
			break
		}
		if p.stopped() {
			break
		}
		if row.Hash == "" || row.State == store.StateDiscovered {
			if _, ok := sources[row.Source]; !ok {
				continue // source not connected in this run
			}
			if p.isBlocked(row.Source) {
				continue
			}
			ch, ok := dlChs[row.Source]
			if !ok {
				ch = startDownloads(row.Source)
				dlChs[row.Source] = ch
			}
			select {
			case ch <- row:
			case <-ctx.Done():
				feedErr = ctx.Err()
				break feed
			}
			continue
		}
		if p.req.FetchOnly {
			continue
		}
		select {
		case upCh <- row:
		case <-ctx.Done():
			feedErr = ctx.Err()
			break feed
		}
	}
	for _, ch := range dlChs {
		close(ch)
	}
	dlWG.Wait()
	keepWG.Wait()
	close(upCh)
	upWG.Wait()
	if p.stopAll != nil {
		return p.stopAll
	}
	return feedErr
}

func (p *pipeline) stopped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopAll != nil
}

func (p *pipeline) isBlocked(src string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.blocked[src]
}

func (p *pipeline) block(src string, err error) {
	p.mu.Lock()
	first := !p.blocked[src]
	p.blocked[src] = true
	if first {
		p.signIn = append(p.signIn, src)
	}
	p.mu.Unlock()
	if first {
		p.e.markSignIn(src, err)
	}
}

// keepers store and summarise a source's downloaded files while its
// downloads go on: two, so one slow disk write does not hold the next file.
const keepers = 2

// downloaded is a file on its way from a download to the cache.
type downloaded struct {
	row  store.Activity
	data []byte
}

// fetch downloads one activity's file; what cannot be downloaded is
// recorded here with its reason.
func (p *pipeline) fetch(ctx context.Context, c Connected, row store.Activity) ([]byte, bool) {
	if err := p.e.gate.wait(ctx); err != nil || p.isBlocked(row.Source) || p.stopped() {
		return nil, false
	}
	p.prog.current(describe(c.Desc.DisplayName, row))
	act := source.Activity{RemoteID: row.RemoteID, Name: row.Name, Sport: row.Sport, Device: row.Device, Extra: decodeExtra(row.Extra)}
	if row.StartHint != nil {
		act.StartHint, act.StartHintDateOnly = *row.StartHint, row.StartHintDateOnly
	}
	data, err := c.Source.Download(ctx, act)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false
		}
		var skip *source.SkipError
		switch {
		case errors.Is(err, source.ErrNeedsSignIn):
			p.block(row.Source, err)
		case errors.As(err, &skip):
			p.setState(row, store.Transition{State: store.StateSkipped, Reason: skip.Reason, Permanent: skip.Permanent})
		default:
			p.fail(row, fmt.Sprintf("download from %s failed: %v", c.Desc.DisplayName, err), false)
		}
		return nil, false
	}
	return data, true
}

// keep puts a downloaded file into the cache and summarises it.
func (p *pipeline) keep(row store.Activity, data []byte) (store.Activity, bool) {
	hash, err := p.e.Cache.Put(data)
	if err != nil {
		p.fail(row, err.Error(), false)
		return row, false
	}
	p.prog.downloaded()
	p.mu.Lock()
	p.res.Downloaded++
	p.mu.Unlock()
	row.Hash = hash
	return p.prepare(row, data)
}

// prepare summarises a cached file and moves the row to ready, unreadable or
// not an activity. data may be nil (read from the cache).
func (p *pipeline) prepare(row store.Activity, data []byte) (store.Activity, bool) {
	if data == nil {
		var err error
		if data, err = p.e.Cache.Get(row.Hash); err != nil {
			// The cached file is gone: download it again next time.
			p.setState(row, store.Transition{State: store.StateDiscovered, Reason: reason.CachedFileMissing.Text(), Set: store.Changes{Hash: new("")}})
			return row, false
		}
	}
	t, ok := Classify(data)
	t.Set.Hash = new(row.Hash)
	if ok {
		if s := sportOf(row.Sport, deref(t.Set.FileSport)); s != "" {
			t.Set.Sport = new(s)
		}
	}
	if row.Device != "" {
		t.Set.Device = nil // the platform's name for the device wins over the file's
	}
	p.setState(row, t)
	if !ok {
		return row, false
	}
	t.Set.Apply(&row)
	row.State = store.StateReady
	return row, true
}

// Classify summarises file bytes into the transition a new file gets:
// ready with its summary, unreadable with the precise reason, or not an activity.
func Classify(data []byte) (store.Transition, bool) {
	sum, err := fitfile.Summarize(data)
	set := store.Changes{Format: new(string(sum.Format)), Wrapping: new(sum.Wrapping)}
	if err != nil {
		var bad *fitfile.UnreadableError
		switch {
		case errors.Is(err, fitfile.ErrNotActivity):
			kind := sum.FileType
			if kind == "" {
				kind = "non-activity"
			}
			return store.Transition{State: store.StateNotAnActivity, Reason: reason.NotAnActivity.Text(kind), Permanent: true, Set: set}, false
		case errors.As(err, &bad):
			return store.Transition{State: store.StateUnreadable, Reason: bad.Reason, Permanent: true, Set: set}, false
		default:
			return store.Transition{State: store.StateUnreadable, Reason: err.Error(), Permanent: true, Set: set}, false
		}
	}
	start := sum.Start.UTC()
	sessions, _ := json.Marshal(sum.Sessions)
	set.Start = &start
	set.ElapsedS = new(sum.ElapsedS)
	set.TimerS = new(sum.TimerS)
	set.DistanceM = new(sum.DistanceM)
	set.AvgPowerW = new(sum.AvgPowerW)
	set.AvgHR = new(sum.AvgHR)
	set.Sessions = new(string(sessions))
	set.Repaired = new(sum.Repaired)
	if typ := sum.IntervalsType(); typ != "" {
		set.Sport = new(typ)
		set.FileSport = new(typ)
	}
	if sum.Device != "" {
		set.Device = new(sum.Device)
	}
	return store.Transition{State: store.StateReady, Set: set}, true
}

// sportOf is the type an activity goes to Intervals.icu with: the file's own,
// unless the platform's hint says more about the same sport (a trainer app's rides
// are indoor while their files say only cycling). A listing's plain "Ride"
// never undoes a GravelRide or VirtualRide the file states.
func sportOf(hint, file string) string {
	if file == "" || fitfile.Refines(hint, file) {
		return hint
	}
	return file
}

func (p *pipeline) setState(row store.Activity, t store.Transition) {
	if err := p.e.Store.SetState(row.ID, t); err != nil {
		p.e.log().Error("record state", "activity", row.ID, "err", err)
	}
	p.mu.Lock()
	if p.decided == nil {
		p.decided = map[store.State]int{}
	}
	p.decided[t.State]++
	p.mu.Unlock()
	p.prog.moved(row.Source, t.State)
}

// fail records a failure; a retryable one gets a next try with backoff.
func (p *pipeline) fail(row store.Activity, reason string, permanent bool) {
	p.failAfter(row, reason, permanent, 0)
}

// failRetry records a retryable failure caused by err: when Intervals.icu
// asked for a longer wait than the backoff (Retry-After), the next try
// honours it.
func (p *pipeline) failRetry(row store.Activity, reason string, err error) {
	wait, _ := intervals.RetryAfter(err)
	p.failAfter(row, reason, false, wait)
}

func (p *pipeline) failAfter(row store.Activity, reason string, permanent bool, atLeast time.Duration) {
	t := store.Transition{State: store.StateFailed, Reason: reason, Permanent: permanent, Set: store.Changes{Attempts: new(row.Attempts + 1)}}
	if !permanent {
		// Capped like the backoff: an absurd Retry-After must not park a ride for good.
		d := max(retryDelay(row.Attempts+1), min(atLeast, maxRetryDelay))
		next := p.e.now().Add(d)
		t.NextTry = &next
	}
	p.setState(row, t)
}

const maxRetryDelay = 24 * time.Hour

// retryDelay grows with each failed attempt: 5 min, 10, 20... capped at a day.
func retryDelay(attempt int) time.Duration {
	d := 5 * time.Minute
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	if d > maxRetryDelay {
		d = maxRetryDelay
	}
	return d
}

func describe(sourceName string, row store.Activity) string {
	name := row.Name
	if name == "" {
		name = row.RemoteID
	}
	if row.Start != nil {
		return fmt.Sprintf("%s · %s · %s", sourceName, row.Start.Format("2006-01-02"), name)
	}
	if row.StartHint != nil {
		return fmt.Sprintf("%s · %s · %s", sourceName, row.StartHint.Format("2006-01-02"), name)
	}
	return fmt.Sprintf("%s · %s", sourceName, name)
}

func encodeExtra(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeExtra(s string) map[string]string {
	m := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

// checkIntervalsAuth stops the run when Intervals.icu refuses the key.
func (p *pipeline) checkIntervalsAuth(err error) bool {
	var api *intervals.APIError
	if errors.As(err, &api) && api.Auth() {
		p.mu.Lock()
		first := p.stopAll == nil
		if first {
			p.stopAll = source.ErrNeedsSignIn
			p.signIn = append(p.signIn, "intervals")
		}
		p.mu.Unlock()
		if first {
			p.e.markSignIn("intervals", err)
		}
		return true
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package backfill

import (
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"fitbridge/backend/events"
	"fitbridge/backend/store"
)

// Progress is what a running backfill reports to the window and terminal.
type Progress struct {
	Running     bool                           `json:"running"`
	Paused      bool                           `json:"paused"`
	Phase       string                         `json:"phase"` // idle, listing, syncing, done, cancelled, needs_sign_in
	Total       int                            `json:"total"`
	Done        int                            `json:"done"`
	Counts      map[store.State]int            `json:"counts"`
	BySource    map[string]map[store.State]int `json:"by_source"`
	Current     string                         `json:"current"`
	RatePerMin  float64                        `json:"rate_per_min"`
	SecondsLeft float64                        `json:"seconds_left"`
	Failures    []Failure                      `json:"failures"`
	// Listed counts, per source, what its listing found so far: from the
	// first second of a run, before anything is downloaded.
	Listed map[string]int `json:"listed"`
	// ListedPages is, per source that lists in pages, the page its listing
	// is reading (1-based) or last read; a folder has none.
	ListedPages map[string]int `json:"listed_pages"`
	Message     string         `json:"message"`
	StartedAt   string         `json:"started_at"`
	FinishedAt  string         `json:"finished_at"`
}

// tracker counts a run's progress and emits it, at most a few times a second.
type tracker struct {
	e   *Engine
	req Request

	mu       sync.Mutex
	p        Progress
	started  time.Time
	lastEmit time.Time
	// listing, when set, hears each listing step (previews); page is 0
	// while the source has told no page.
	listing func(source string, found, page int)
}

// listed records how many activities a source's listing has found so far.
func (t *tracker) listed(name, display string, n int) { t.listStep(name, display, 0, n) }

// paged records that a source's listing started reading page page, having
// found n so far. Each page is shown (one a request at most, paced by the
// platform): a history read through many pages that bring nothing new, or
// through empty date windows, is seen moving all the same.
func (t *tracker) paged(name, display string, page, n int) { t.listStep(name, display, page, n) }

// listStep records a listing step; page 0 keeps the page known before.
func (t *tracker) listStep(name, display string, page, n int) {
	t.mu.Lock()
	if t.p.Listed == nil {
		t.p.Listed = map[string]int{}
	}
	t.p.Listed[name] = n
	if page > 0 {
		if t.p.ListedPages == nil {
			t.p.ListedPages = map[string]int{}
		}
		t.p.ListedPages[name] = page
	}
	known := t.p.ListedPages[name]
	t.p.Current = listingLine(display, n, known)
	f := t.listing
	t.mu.Unlock()
	if f != nil {
		f(name, n, known)
	}
	t.emit(page > 0)
}

// listingLine is the terminal's and the log's line for a listing step.
func listingLine(display string, n, page int) string {
	if page > 0 {
		return fmt.Sprintf("listing %s: page %d, %d found", display, page, n)
	}
	return fmt.Sprintf("listing %s: %d found", display, n)
}

func newTracker(e *Engine, req Request) *tracker {
	t := &tracker{e: e, req: req, started: time.Now()}
	t.p = Progress{Running: true, Phase: "listing", StartedAt: t.started.UTC().Format(time.RFC3339)}
	t.emit(true)
	return t
}

func (t *tracker) phase(ph string) {
	t.mu.Lock()
	t.p.Phase = ph
	t.mu.Unlock()
	t.emit(true)
}

func (t *tracker) start(total int) {
	t.mu.Lock()
	t.p.Total = total
	t.p.Phase = "syncing"
	t.started = time.Now()
	t.mu.Unlock()
	t.emit(true)
}

func (t *tracker) current(s string) {
	t.mu.Lock()
	t.p.Current = s
	t.mu.Unlock()
	t.emit(false)
}

func (t *tracker) downloaded() { t.emit(false) }

// moved counts an activity reaching a state. Only states that end the run's
// work on it count towards Done.
func (t *tracker) moved(src string, state store.State) {
	t.mu.Lock()
	switch state {
	case store.StateReady, store.StateDiscovered:
		if !t.req.FetchOnly {
			t.mu.Unlock()
			t.emit(false)
			return
		}
	}
	t.p.Done++
	t.mu.Unlock()
	t.emit(false)
}

func (t *tracker) needsSignIn(accounts []string) {
	t.mu.Lock()
	t.p.Phase = "needs_sign_in"
	names := make([]string, 0, len(accounts))
	for _, a := range accounts {
		if a == "intervals" {
			names = append(names, "Intervals.icu")
			continue
		}
		names = append(names, displayOf(a))
	}
	sort.Strings(names)
	msg := ""
	for i, n := range names {
		if i > 0 {
			msg += " and "
		}
		msg += n
	}
	t.p.Message = msg + " needs you to sign in again. Nothing was lost: reconnect and start again to carry on."
	t.mu.Unlock()
	t.emit(true)
}

func (t *tracker) finish() {
	t.mu.Lock()
	t.p.Running = false
	if t.p.Phase != "needs_sign_in" {
		t.p.Phase = "done"
	}
	t.p.Current = ""
	t.p.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	t.mu.Unlock()
	t.emit(true)
}

// Snapshot returns the progress with fresh counts from the store.
func (t *tracker) snapshot() Progress {
	t.mu.Lock()
	p := t.p
	// The listing goes on writing its maps while this copy is sent.
	p.Listed, p.ListedPages = maps.Clone(p.Listed), maps.Clone(p.ListedPages)
	started := t.started
	t.mu.Unlock()
	p.Paused = t.e.Paused()
	by, err := t.e.Store.Counts(t.e.scope(t.req))
	if err == nil {
		p.BySource = by
		p.Counts = map[store.State]int{}
		for _, m := range by {
			for st, n := range m {
				p.Counts[st] += n
			}
		}
	}
	// Ten seconds in, the rate means something; before, a few quick skips
	// would promise a finish far too early.
	if el := time.Since(started).Minutes(); el > 10.0/60 && p.Done > 0 {
		p.RatePerMin = float64(p.Done) / el
		if left := p.Total - p.Done; left > 0 {
			p.SecondsLeft = float64(left) / p.RatePerMin * 60
		}
	}
	return p
}

func (t *tracker) emit(force bool) {
	t.mu.Lock()
	if !force && time.Since(t.lastEmit) < 250*time.Millisecond {
		t.mu.Unlock()
		return
	}
	t.lastEmit = time.Now()
	t.mu.Unlock()
	p := t.snapshot()
	t.e.setLast(p)
	t.e.emitter().Emit(events.Progress, p)
}

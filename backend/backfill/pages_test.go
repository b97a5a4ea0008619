package backfill

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/events"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
)

// pagedWorld is an engine over iGPSport's fake holding 45 rides: three
// list pages of 20.
func pagedWorld(t *testing.T) (*world, Connected) {
	t.Helper()
	f := igpsportfake.New(igpsportfake.Options{})
	u := f.Start()
	t.Cleanup(f.Close)
	start := time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC)
	for i := range 45 {
		f.AddRide(igpsportfake.Ride{RideID: int64(500 + i), Start: start.Add(time.Duration(i)*30*time.Hour + time.Duration(i*97)*time.Second),
			Duration: time.Hour, DistanceM: 30000}, nil)
	}
	cl, err := igpsport.New(source.Config{BaseURL: u, Token: f.Token()}, igpsport.Options{Pace: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := source.Lookup(igpsport.Name)
	w := newWorld(t, nil)
	conn := Connected{Desc: desc, Source: cl}
	w.eng.Sources = []Connected{conn}
	return w, conn
}

// A run's progress tells, from the listing on, which page each source is
// reading: "listing iGPSport: page 3, 40 found" in the terminal's line,
// and the page per source for the window.
func TestRunProgressTellsTheListingPage(t *testing.T) {
	w, _ := pagedWorld(t)
	var mu sync.Mutex
	var seen []Progress
	w.eng.Emit = events.Func(func(name string, payload any) {
		if p, ok := payload.(Progress); ok && name == events.Progress {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		}
	})
	if _, err := w.eng.Run(context.Background(), Request{FetchOnly: true}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var lines []string
	var pages []int
	for _, p := range seen {
		if p.Phase == "listing" && p.Current != "" {
			lines = append(lines, p.Current)
			pages = append(pages, p.ListedPages[igpsport.Name])
		}
	}
	for _, want := range []string{"listing iGPSport: page 1, 0 found", "listing iGPSport: page 2, 20 found", "listing iGPSport: page 3, 40 found"} {
		if !slices.Contains(lines, want) {
			t.Errorf("no progress said %q; the listing said %q", want, lines)
		}
	}
	if !slices.IsSorted(pages) || len(pages) == 0 || pages[0] != 1 || pages[len(pages)-1] != 3 {
		t.Errorf("listed pages went %v, want 1 up to 3 in order", pages)
	}
	last := w.eng.LastProgress()
	if last.ListedPages[igpsport.Name] != 3 || last.Listed[igpsport.Name] != 45 {
		t.Errorf("after the run: pages %v, listed %v; want page 3 and 45 found", last.ListedPages, last.Listed)
	}
}

// A preview counting a source hears the page with each count, so the
// window shows "page 3, 40 found" instead of a bare count.
func TestPreviewCountingCarriesThePage(t *testing.T) {
	w, conn := pagedWorld(t)
	type step struct{ found, page int }
	var steps []step
	est, err := w.eng.Preview(context.Background(), conn, source.Query{}, func(src string, found, page int) {
		if src != igpsport.Name {
			t.Errorf("counting step for %q", src)
		}
		steps = append(steps, step{found, page})
	})
	if err != nil {
		t.Fatal(err)
	}
	if est.Found != 45 {
		t.Fatalf("preview found %d, want 45", est.Found)
	}
	for _, want := range []step{{0, 1}, {20, 2}, {40, 3}} {
		if !slices.Contains(steps, want) {
			t.Errorf("no counting step %+v among %+v", want, steps)
		}
	}
	if len(steps) == 0 || steps[len(steps)-1] != (step{45, 3}) {
		t.Errorf("counting ended at %+v, want 45 found on page 3", steps)
	}
	for i := 1; i < len(steps); i++ {
		if steps[i].page < steps[i-1].page || steps[i].found < steps[i-1].found {
			t.Fatalf("counting went back: %+v", steps)
		}
	}
}

// A listing that tells no page (a folder) keeps the plain line.
func TestListingWithoutPagesSaysOnlyWhatItFound(t *testing.T) {
	w := newWorld(t, newRides(12, time.Date(2025, 3, 1, 7, 0, 0, 0, time.UTC)))
	var pages []int
	if _, err := w.eng.Preview(context.Background(), w.eng.Sources[0], source.Query{}, func(_ string, _, page int) { pages = append(pages, page) }); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if p != 0 {
			t.Fatalf("a listing without pages counted pages %v", pages)
		}
	}
	prog := &tracker{e: w.eng}
	for _, c := range []struct {
		page, found int
		want        string
	}{
		{0, 12, "listing Test App: 12 found"},
		{2, 14, "listing Test App: page 2, 14 found"},
		{0, 16, "listing Test App: page 2, 16 found"}, // a count within the page keeps it
	} {
		if c.page > 0 {
			prog.paged("testapp", "Test App", c.page, c.found)
		} else {
			prog.listed("testapp", "Test App", c.found)
		}
		if prog.p.Current != c.want {
			t.Errorf("after %+v the line is %q, want %q", c, prog.p.Current, c.want)
		}
	}
}

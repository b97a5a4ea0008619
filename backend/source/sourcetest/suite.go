package sourcetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/source"
)

// Kind is a kind of file a platform may serve.
type Kind string

const (
	FIT     Kind = "FIT"
	GzipFIT Kind = "gzipped FIT"
	TCX     Kind = "TCX"
	GPX     Kind = "GPX"
	WebPage Kind = "web page" // a sign-in or error page served where a file should be: always refused
)

// Ride is one ride a case puts on the fake.
type Ride struct {
	Start time.Time
	// File is what the platform serves for it; nil means the platform
	// keeps no file for this ride.
	File []byte
}

// Fake is one running fake service, fresh for each case, with a signed-in
// account on it.
type Fake interface {
	// Config reaches the signed-in account. Its settings may turn pacing
	// off for speed (source.SettingMinInterval); the limits case removes
	// that setting so the declared limits run.
	Config() source.Config
	// AddRide puts r on the platform and returns its remote id.
	AddRide(r Ride) string
}

// Optional abilities of a Fake; the cases that need one run only where the
// fake has it, and say so when they cannot.
type (
	// ZeroID fakes can give a ride the remote id "0", which is a real id.
	ZeroID interface{ AddRideZero(r Ride) string }
	// Expiring fakes can end the account's session on the platform's side.
	Expiring interface{ ExpireSession() }
	// Duplicating fakes can list a ride's row twice, as services do when
	// a page shifts under a listing or repeats past the end.
	Duplicating interface{ DuplicateRow(id string) }
)

// Harness is what a platform's test file gives the suite.
type Harness struct {
	// Name is the platform's name in the registry.
	Name string
	// Start starts a fresh fake for one case; it is closed with t.
	Start func(t *testing.T) Fake
	// Accepts are the kinds the platform hands on to the engine; it must
	// refuse the others with an error. A web page is always refused.
	Accepts []Kind
	// PageSize is how many rows one listing page of the fake holds (0: the
	// listing is not paged); the listing cases put more rides than two pages.
	PageSize int
	// WindowDays is, for a platform that lists by date windows instead of
	// pages, the longest window it reads; each window read counts as a page.
	WindowDays int
	// IsFile tells the file downloads among the requests, for the limits
	// case; nil when the platform makes no HTTP calls.
	IsFile func(*http.Request) bool
	// Day is the span a listing's start hint may be off by (a platform
	// listing only the day in its own zone); zero means exact.
	Day time.Duration
}

// Run runs every case of the suite that applies to the platform.
func Run(t *testing.T, h Harness) {
	d, ok := source.Lookup(h.Name)
	if !ok {
		t.Fatalf("%q is not registered: add its import to the registry", h.Name)
	}
	t.Run("Descriptor", func(t *testing.T) { checkDescriptor(t, d) })
	t.Run("ListsEveryRideOnce", func(t *testing.T) { listsEveryRideOnce(t, h, d) })
	t.Run("ListsOnlyTheRange", func(t *testing.T) { listsOnlyTheRange(t, h, d) })
	t.Run("DuplicateRowsListedOnce", func(t *testing.T) { duplicateRows(t, h, d) })
	t.Run("ReportsPages", func(t *testing.T) { reportsPages(t, h, d) })
	t.Run("StopsWhenYieldFails", func(t *testing.T) { stopsWhenYieldFails(t, h, d) })
	t.Run("RemoteIDZero", func(t *testing.T) { remoteIDZero(t, h, d) })
	t.Run("DownloadSniffing", func(t *testing.T) { downloadSniffing(t, h, d) })
	t.Run("NoFileIsSkipped", func(t *testing.T) { noFileIsSkipped(t, h, d) })
	t.Run("ExpiredSessionNeedsSignIn", func(t *testing.T) { expiredSession(t, h, d) })
	t.Run("DeclaredLimits", func(t *testing.T) { declaredLimits(t, h, d) })
}

// base is the newest ride's day in every case: recent, so no platform's
// history floor hides it, and old enough to be finished.
var base = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3).Add(9 * time.Hour)

func checkDescriptor(t *testing.T, d source.Descriptor) {
	if d.DisplayName == "" || d.New == nil || d.Kind == "" {
		t.Errorf("descriptor %q lacks a display name, a constructor or a kind: %+v", d.Name, d)
	}
	if d.Kind == source.KindCloud {
		if d.Limits.PerSecond <= 0 || d.Limits.Burst < 1 || d.Limits.Concurrency < 1 {
			t.Errorf("cloud platform %q declares no usable limits: %+v", d.Name, d.Limits)
		}
		if d.Validate == nil {
			t.Errorf("cloud platform %q cannot check a session", d.Name)
		}
	}
	if id := d.ExternalIDFor("0"); id == "" || id == d.ExternalIDFor("1") {
		t.Errorf("external ids of %q do not tell rides apart: %q", d.Name, id)
	}
}

func open(t *testing.T, d source.Descriptor, cfg source.Config) source.Source {
	t.Helper()
	src, err := d.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

func list(t *testing.T, src source.Source, q source.Query) []source.Activity {
	t.Helper()
	var out []source.Activity
	err := src.List(context.Background(), q, func(a source.Activity) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%v..%v): %v", q.Since, q.Until, err)
	}
	return out
}

// Sample returns bytes of kind k for a ride starting at start.
func Sample(k Kind, start time.Time) []byte {
	fitData := fitgen.Activity(fitgen.Ride{Start: start, Duration: 20 * time.Minute, DistanceM: 8000, Serial: uint32(start.Unix())})
	stamp := start.UTC().Format(time.RFC3339)
	switch k {
	case GzipFIT:
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(fitData)
		zw.Close()
		return b.Bytes()
	case TCX:
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Biking"><Id>` + stamp +
			`</Id><Lap StartTime="` + stamp + `"><TotalTimeSeconds>1200</TotalTimeSeconds><DistanceMeters>8000</DistanceMeters><Track><Trackpoint><Time>` + stamp +
			`</Time></Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>`)
	case GPX:
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<gpx version="1.1" creator="FitBridge tests" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="47.1" lon="8.5"><time>` + stamp +
			`</time></trkpt></trkseg></trk></gpx>`)
	case WebPage:
		return []byte("<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action=\"/login\"></form></body></html>")
	}
	return fitData
}

// FileName is the name a file of these bytes carries on a device or a
// platform: "activity.fit", ".fit.gz", ".tcx", ".gpx", ".html".
func FileName(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "activity.fit.gz"
	case bytes.Contains(b, []byte("<TrainingCenterDatabase")):
		return "activity.tcx"
	case bytes.Contains(b, []byte("<gpx")):
		return "activity.gpx"
	case bytes.Contains(b, []byte("<html")):
		return "activity.html"
	}
	return "activity.fit"
}

// rides puts n rides a day apart on the fake, newest at base, and returns
// their ids, newest first.
func rides(f Fake, n int) []string {
	ids := make([]string, n)
	for i := range n {
		start := base.AddDate(0, 0, -i)
		ids[i] = f.AddRide(Ride{Start: start, File: Sample(FIT, start)})
	}
	return ids
}

func listsEveryRideOnce(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	n := 2*h.PageSize + 3
	if h.PageSize == 0 {
		n = 7
	}
	want := rides(f, n)
	got := list(t, open(t, d, f.Config()), source.Query{})
	seen := map[string]int{}
	for _, a := range got {
		seen[a.RemoteID]++
		if a.RemoteID == "" {
			t.Errorf("a listed activity has no remote id: %+v", a)
		}
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("ride %s listed %d times", id, k)
		}
	}
	for _, id := range want {
		if seen[id] == 0 {
			t.Errorf("ride %s was not listed (%d of %d listed)", id, len(seen), len(want))
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d rides listed, %d on the platform", len(seen), len(want))
	}
}

// reportsPages checks that a paged listing tells its listener each page it
// starts, 1, 2, 3... in order (what the rider reads as "page 3, 60 found"),
// and that a listing without pages (a folder) reports none.
func reportsPages(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	q, least := source.Query{}, 3
	switch {
	case h.PageSize > 0:
		rides(f, 2*h.PageSize+3)
	case h.WindowDays > 0:
		// A ride in each of three windows, and a range that spans them.
		for i := range 3 {
			start := base.AddDate(0, 0, -i*h.WindowDays-1)
			f.AddRide(Ride{Start: start, File: Sample(FIT, start)})
		}
		q.Since = base.AddDate(0, 0, -3*h.WindowDays+h.WindowDays/2)
	default:
		rides(f, 7)
		least = 0
	}
	var pages []int
	ctx := source.WithPages(context.Background(), func(n int) { pages = append(pages, n) })
	n := 0
	err := open(t, d, f.Config()).List(ctx, q, func(source.Activity) error { n++; return nil })
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if least == 0 {
		if len(pages) > 0 {
			t.Errorf("a listing without pages reported pages %v", pages)
		}
		return
	}
	if len(pages) < least {
		t.Fatalf("a listing over %d pages reported pages %v (%d rides listed)", least, pages, n)
	}
	for i, p := range pages {
		if p != i+1 {
			t.Fatalf("pages reported %v, want 1, 2, 3... in order", pages)
		}
	}
}

func listsOnlyTheRange(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	ids := rides(f, 30)
	// Rides 10..19 days before base are inside.
	q := source.Query{Since: base.AddDate(0, 0, -19).Truncate(24 * time.Hour), Until: base.AddDate(0, 0, -10).Truncate(24 * time.Hour)}
	got := list(t, open(t, d, f.Config()), q)
	listed := map[string]source.Activity{}
	for _, a := range got {
		listed[a.RemoteID] = a
	}
	for i, id := range ids {
		start := base.AddDate(0, 0, -i)
		inside := i >= 10 && i <= 19
		// A ride within the zone slack of an edge may fall either way.
		edge := !q.Contains(start.Add(-h.Day)) || !q.Contains(start.Add(h.Day))
		switch _, ok := listed[id]; {
		case inside && !ok && !edge:
			t.Errorf("ride %s of %s is inside %s..%s but was not listed", id, start.Format(time.DateOnly), q.Since.Format(time.DateOnly), q.Until.Format(time.DateOnly))
		case !inside && ok && !edge:
			t.Errorf("ride %s of %s is outside %s..%s but was listed", id, start.Format(time.DateOnly), q.Since.Format(time.DateOnly), q.Until.Format(time.DateOnly))
		}
	}
}

func duplicateRows(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	dup, ok := f.(Duplicating)
	if !ok {
		t.Skipf("%s's fake cannot list a row twice", h.Name)
	}
	ids := rides(f, 3)
	dup.DuplicateRow(ids[1])
	seen := map[string]int{}
	for _, a := range list(t, open(t, d, f.Config()), source.Query{}) {
		seen[a.RemoteID]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("ride %s listed %d times, want once", id, seen[id])
		}
	}
}

func stopsWhenYieldFails(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	rides(f, max(h.PageSize+2, 4))
	stop := errors.New("enough")
	calls := 0
	err := open(t, d, f.Config()).List(context.Background(), source.Query{}, func(source.Activity) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("List went on after yield failed: %d calls, err %v", calls, err)
	}
}

func remoteIDZero(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	z, ok := f.(ZeroID)
	if !ok {
		t.Skipf("%s's ids are never \"0\"", h.Name)
	}
	file := Sample(FIT, base)
	if id := z.AddRideZero(Ride{Start: base, File: file}); id != "0" {
		t.Fatalf("the fake gave id %q, want \"0\"", id)
	}
	src := open(t, d, f.Config())
	got := list(t, src, source.Query{})
	i := slices.IndexFunc(got, func(a source.Activity) bool { return a.RemoteID == "0" })
	if i < 0 {
		t.Fatalf("ride \"0\" was not listed: %+v", got)
	}
	data, err := src.Download(context.Background(), got[i])
	if err != nil || !bytes.Equal(data, file) {
		t.Fatalf("ride \"0\": %d bytes, %v", len(data), err)
	}
}

func downloadSniffing(t *testing.T, h Harness, d source.Descriptor) {
	for i, k := range []Kind{FIT, GzipFIT, TCX, GPX, WebPage} {
		t.Run(string(k), func(t *testing.T) {
			f := h.Start(t)
			start := base.AddDate(0, 0, -i)
			file := Sample(k, start)
			id := f.AddRide(Ride{Start: start, File: file})
			src := open(t, d, f.Config())
			var act *source.Activity
			for _, a := range list(t, src, source.Query{}) {
				if a.RemoteID == id {
					act = &a
				}
			}
			if act == nil {
				if slices.Contains(h.Accepts, k) && k != WebPage {
					t.Fatalf("a %s (ride %s) was not listed", k, id)
				}
				return // refused at listing
			}
			if act.SkipReason != "" {
				if slices.Contains(h.Accepts, k) {
					t.Fatalf("a %s is listed as skipped: %s", k, act.SkipReason)
				}
				return // refused at listing, with a reason
			}
			data, err := src.Download(context.Background(), *act)
			switch {
			case slices.Contains(h.Accepts, k) && k != WebPage:
				// The file as served, or unpacked: the engine sniffs either.
				if err != nil || !bytes.Equal(data, file) && !bytes.Equal(data, gunzip(file)) {
					t.Fatalf("a %s came back as %d bytes (served %d), %v", k, len(data), len(file), err)
				}
			case err == nil:
				t.Fatalf("a %s was handed on as a file (%d bytes)", k, len(data))
			}
		})
	}
}

// gunzip unpacks b, or returns nil when it is not gzip.
func gunzip(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil
	}
	return out
}

func noFileIsSkipped(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	id := f.AddRide(Ride{Start: base})
	src := open(t, d, f.Config())
	for _, a := range list(t, src, source.Query{}) {
		if a.RemoteID != id {
			continue
		}
		if a.SkipReason != "" {
			return // listed with a reason a rider reads
		}
		data, err := src.Download(context.Background(), a)
		var skip *source.SkipError
		if !errors.As(err, &skip) || skip.Reason == "" {
			t.Fatalf("a ride without a file: %d bytes, %v; want a skip with a reason", len(data), err)
		}
		return
	}
	// Not listing it at all is fine too: there is nothing to sync.
}

func expiredSession(t *testing.T, h Harness, d source.Descriptor) {
	f := h.Start(t)
	e, ok := f.(Expiring)
	if !ok {
		t.Skipf("%s has no session to expire", h.Name)
	}
	rides(f, 2)
	src := open(t, d, f.Config())
	e.ExpireSession()
	err := src.List(context.Background(), source.Query{}, func(source.Activity) error { return nil })
	if !errors.Is(err, source.ErrNeedsSignIn) {
		t.Fatalf("List with an ended session: %v, want needs sign-in", err)
	}
	if d.Validate != nil {
		if err := d.Validate(context.Background(), f.Config()); !errors.Is(err, source.ErrNeedsSignIn) {
			t.Fatalf("Validate with an ended session: %v, want needs sign-in", err)
		}
	}
}

// declaredLimits measures on the wire, with the declared limits running
// (no pacing override), that listing and downloading from several
// goroutines at once never go faster than Limits.PerSecond allows, nor keep
// more than Limits.Concurrency downloads in flight.
func declaredLimits(t *testing.T, h Harness, d source.Descriptor) {
	if h.IsFile == nil {
		t.Skipf("%s makes no HTTP calls", h.Name)
	}
	f := h.Start(t)
	rides(f, 4)
	// Slow downloads: ones the platform lets overlap will.
	meter := &Meter{IsFile: h.IsFile, FileDelay: 600 * time.Millisecond}
	cfg := f.Config()
	cfg.Settings = maps.Clone(cfg.Settings)
	delete(cfg.Settings, source.SettingMinInterval)
	cfg.Transport = meter
	src := open(t, d, cfg)
	// A short range: a platform walking its history in windows would
	// spend minutes at the declared pace on empty ones.
	acts := list(t, src, source.Query{Since: base.AddDate(0, 0, -5)})
	var wg sync.WaitGroup
	errs := make(chan error, len(acts))
	for _, a := range acts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := src.Download(context.Background(), a); err != nil {
				errs <- fmt.Errorf("download %s: %w", a.RemoteID, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if meter.Files() < 2 || meter.Calls() < max(d.Limits.Burst, 1)+2 {
		t.Fatalf("only %d calls and %d downloads: too few to measure", meter.Calls(), meter.Files())
	}
	if err := meter.Check(d.Limits); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls, %d downloads, %.2f calls a second (declared %.2f), at most %d downloads at once (declared %d)",
		meter.Calls(), meter.Files(), meter.Rate(), d.Limits.PerSecond, meter.FilesPeak(), d.Limits.Concurrency)
}

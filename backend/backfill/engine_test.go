package backfill

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// rideSource is a platform held in memory: enough to drive the engine
// through every path without a network fake of its own.
type rideSource struct {
	mu        sync.Mutex
	rides     []source.Activity
	files     map[string][]byte
	expireAt  int // after this many downloads, answer ErrNeedsSignIn (0: never)
	downloads int
	gate      chan struct{} // when set, each download waits for a token
}

func (s *rideSource) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	for _, r := range s.rides {
		if !q.Contains(r.StartHint) {
			continue
		}
		if err := yield(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *rideSource) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expireAt > 0 && s.downloads >= s.expireAt {
		return nil, fmt.Errorf("download: %w", source.ErrNeedsSignIn)
	}
	s.downloads++
	data, ok := s.files[a.RemoteID]
	if !ok {
		return nil, source.Skip("no FIT file for this ride")
	}
	return data, nil
}

func newRides(n int, start time.Time) *rideSource {
	s := &rideSource{files: map[string][]byte{}}
	for i := 0; i < n; i++ {
		t := start.Add(time.Duration(i)*26*time.Hour + time.Duration(i*97)*time.Second) // real rides never share mm:ss
		id := fmt.Sprintf("r%03d", i)
		s.rides = append(s.rides, source.Activity{RemoteID: id, Name: "Ride " + id, Sport: "VirtualRide", StartHint: t, Device: "TestApp"})
		s.files[id] = fitgen.Activity(fitgen.Ride{Start: t, Duration: 50 * time.Minute, DistanceM: 25000, SubSport: fit.SubSportVirtualActivity, Serial: uint32(i + 1), AvgPower: 200, AvgHR: 140})
	}
	return s
}

type world struct {
	t     *testing.T
	store *store.Store
	fake  *intervalsfake.Server
	eng   *Engine
	src   *rideSource
}

func newWorld(t *testing.T, src *rideSource) *world {
	t.Helper()
	return newWorldWith(t, src, intervalsfake.Options{RatePerSec: -1})
}

func newWorldWith(t *testing.T, src *rideSource, opts intervalsfake.Options) *world {
	t.Helper()
	home := t.TempDir()
	st, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fake := intervalsfake.New(opts)
	url := fake.Start()
	t.Cleanup(fake.Close)
	client := intervals.New(url, fake.AthleteID(), fake.APIKey(),
		intervals.WithRetry(intervals.RetryPolicy{MaxAttempts: 6, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	desc := source.Descriptor{Name: "testapp", DisplayName: "Test App", Limits: source.Limits{Concurrency: 3}}
	eng := &Engine{Store: st, Cache: store.NewCache(home), Intervals: client, Location: fake.Location(),
		Sources: []Connected{{Desc: desc, Source: src}}, Options: Options{StravaAsDuplicate: true}}
	return &world{t: t, store: st, fake: fake, eng: eng, src: src}
}

func TestBackfillUploadsOnceAndSkipsWhatIsThere(t *testing.T) {
	start := time.Date(2025, 1, 5, 7, 0, 0, 0, time.UTC)
	src := newRides(20, start)
	delete(src.files, "r019") // the platform has no file for this one
	w := newWorld(t, src)
	// Two rides reached Intervals.icu another way: Garmin with re-encoded
	// bytes, and a Strava stub with only a local start.
	w.fake.AddActivity(intervalsfake.Activity{StartDate: start.Add(40 * time.Second), ElapsedTime: 3000 + 60, Distance: 24800, Type: "VirtualRide", Source: "GARMIN_CONNECT", ExternalID: "123456"})
	w.fake.AddActivity(intervalsfake.Activity{StartDateLocal: start.Add(26*time.Hour + 97*time.Second + 2*time.Minute).In(w.fake.Location()), Source: "STRAVA"})

	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if res.Uploaded != 17 || res.Already != 2 || res.Skipped != 1 || res.Failed != 0 || res.Discovered != 20 {
		t.Fatalf("first run = %+v", res)
	}
	if got := w.fake.UploadCount(); got != 17 {
		t.Fatalf("fake created %d activities, want 17", got)
	}
	garmin, _ := w.store.FindBySource("testapp", "r000")
	if garmin.State != store.StateAlready || garmin.MatchedVia != "Garmin Connect" {
		t.Fatalf("r000 = %s via %q (%s)", garmin.State, garmin.MatchedVia, garmin.Reason)
	}
	strava, _ := w.store.FindBySource("testapp", "r001")
	if strava.State != store.StateAlready || strava.MatchedVia != "Strava" {
		t.Fatalf("r001 = %s via %q (%s)", strava.State, strava.MatchedVia, strava.Reason)
	}

	res, err = w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if res.Uploaded != 0 || w.fake.UploadCount() != 17 {
		t.Fatalf("second run uploaded %d (fake %d)", res.Uploaded, w.fake.UploadCount())
	}
	// Our uploads carry the external id and the source's sport.
	for _, a := range w.fake.Activities() {
		if a.Source == "OAUTH_CLIENT" && (a.ExternalID == "" || a.Type != "VirtualRide") {
			t.Fatalf("uploaded activity %s has external_id %q type %q", a.ID, a.ExternalID, a.Type)
		}
	}
}

func TestUploadCutOffHalfWayIsNotDuplicated(t *testing.T) {
	w := newWorld(t, newRides(3, time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)))
	w.fake.DropConnectionAfterStore(2) // the second upload lands, its answer never arrives
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 3 || w.fake.UploadCount() != 3 {
		t.Fatalf("uploaded %d, fake holds %d, want 3 and 3", res.Uploaded, w.fake.UploadCount())
	}
}

func TestNeedsSignInKeepsProgress(t *testing.T) {
	src := newRides(10, time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC))
	src.expireAt = 4
	w := newWorld(t, src)
	_ = w.store.SaveAccount(&store.Account{Name: "testapp", State: store.AccountConnected})
	res, err := w.eng.Run(context.Background(), Request{})
	var nsi *NeedsSignInError
	if !errors.As(err, &nsi) || nsi.Accounts[0] != "testapp" {
		t.Fatalf("err = %v, want needs sign-in for testapp", err)
	}
	if res.Uploaded != 4 {
		t.Fatalf("uploaded %d before the session expired, want 4", res.Uploaded)
	}
	acc, _ := w.store.Account("testapp")
	if acc.State != store.AccountNeedsSignIn {
		t.Fatalf("account state %q", acc.State)
	}
	// After signing in again the run carries on with the rest.
	src.mu.Lock()
	src.expireAt = 0
	src.mu.Unlock()
	res, err = w.eng.Run(context.Background(), Request{})
	if err != nil || res.Uploaded != 6 || w.fake.UploadCount() != 10 {
		t.Fatalf("after reconnect: %+v err=%v fake=%d", res, err, w.fake.UploadCount())
	}
}

func TestPauseHoldsWorkAndResumeFinishes(t *testing.T) {
	src := newRides(6, time.Date(2024, 8, 1, 6, 0, 0, 0, time.UTC))
	src.gate = make(chan struct{}, 100)
	w := newWorld(t, src)
	done := make(chan Result)
	go func() {
		res, _ := w.eng.Run(context.Background(), Request{})
		done <- res
	}()
	src.gate <- struct{}{}
	src.gate <- struct{}{}
	// Wait for the two released rides, then pause before releasing more.
	deadline := time.Now().Add(5 * time.Second)
	for w.fake.UploadCount() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	w.eng.Pause()
	for i := 0; i < 10; i++ {
		src.gate <- struct{}{}
	}
	time.Sleep(300 * time.Millisecond)
	held := w.fake.UploadCount()
	if held >= 6 {
		t.Fatalf("paused run uploaded everything (%d)", held)
	}
	w.eng.Resume()
	select {
	case res := <-done:
		if res.Uploaded != 6 {
			t.Fatalf("uploaded %d, want 6", res.Uploaded)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not finish after resume")
	}
}

func TestCancelLeavesConsistentState(t *testing.T) {
	src := newRides(8, time.Date(2024, 9, 1, 6, 0, 0, 0, time.UTC))
	src.gate = make(chan struct{}, 100)
	w := newWorld(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		src.gate <- struct{}{}
		src.gate <- struct{}{}
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	_, err := w.eng.Run(ctx, Request{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	for i := 0; i < 20; i++ {
		src.gate <- struct{}{}
	}
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil || w.fake.UploadCount() != 8 {
		t.Fatalf("after cancel and rerun: %+v err=%v fake=%d", res, err, w.fake.UploadCount())
	}
}

// A run killed after Intervals.icu stored an upload but before the library
// recorded it: the next run finds our own external id there and counts the
// ride as uploaded by us, not as someone else's.
func TestCutOffUploadFoundByExternalIDIsOurs(t *testing.T) {
	w := newWorld(t, newRides(2, time.Date(2025, 5, 1, 6, 0, 0, 0, time.UTC)))
	if _, err := w.eng.Run(context.Background(), Request{}); err != nil {
		t.Fatal(err)
	}
	// Forget the outcome of r000 as a killed process would have, keeping
	// the mark that its upload had been sent.
	row, _ := w.store.FindBySource("testapp", "r000")
	if err := w.store.SetState(row.ID, store.Transition{State: store.StateReady, Set: store.Changes{IntervalsID: new("")}}); err != nil {
		t.Fatal(err)
	}
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	row, _ = w.store.FindBySource("testapp", "r000")
	if row.State != store.StateUploaded || row.IntervalsID == "" || res.Uploaded != 1 || w.fake.UploadCount() != 2 {
		t.Fatalf("after the cut-off: %s %q, run uploaded %d, fake holds %d", row.State, row.IntervalsID, res.Uploaded, w.fake.UploadCount())
	}
}

// Intervals.icu asks for an hour's pause, longer than the client waits
// within a call: the ride's next try comes after that hour, not after the
// usual five minutes.
func TestLongRetryAfterPostponesTheNextTry(t *testing.T) {
	faults := fakes.NewFaults(1)
	faults.FailNext(fakes.Next{Method: http.MethodPost, PathPrefix: "/api/v1/athlete/0/activities", Count: 1, Status: http.StatusTooManyRequests, RetryAfter: 3600})
	w := newWorldWith(t, newRides(1, time.Date(2025, 7, 1, 6, 0, 0, 0, time.UTC)), intervalsfake.Options{RatePerSec: -1, Faults: faults})
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	w.eng.Options.Now = func() time.Time { return now }
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil || res.Failed != 1 || w.fake.UploadCount() != 0 {
		t.Fatalf("run = %+v, %v; fake holds %d", res, err, w.fake.UploadCount())
	}
	row, _ := w.store.FindBySource("testapp", "r000")
	if row.State != store.StateFailed || row.Permanent || row.NextTry == nil || row.NextTry.Before(now.Add(time.Hour)) || row.NextTry.After(now.Add(time.Hour+time.Minute)) {
		t.Fatalf("row %s (permanent %v), next try %v; want failed, retried after %v", row.State, row.Permanent, row.NextTry, now.Add(time.Hour))
	}
}

// gravelRides are rides the platform calls GravelRide while their files say
// only cycling: Intervals.icu takes Ride from the file and FitBridge must
// correct it.
func gravelRides(n int, start time.Time) *rideSource {
	src := newRides(n, start)
	for i := range src.rides {
		r := &src.rides[i]
		r.Sport = "GravelRide"
		src.files[r.RemoteID] = fitgen.Activity(fitgen.Ride{Start: r.StartHint, Duration: 50 * time.Minute, DistanceM: 25000,
			SubSport: fit.SubSportGeneric, Serial: uint32(i + 1), AvgPower: 200, AvgHR: 140})
	}
	return src
}

func icuType(t *testing.T, w *world, remoteID string) string {
	t.Helper()
	row, _ := w.store.FindBySource("testapp", remoteID)
	a, ok := w.fake.Activity(row.IntervalsID)
	if row.State != store.StateUploaded || !ok {
		t.Fatalf("%s: %s %q (%s); want uploaded and in Intervals.icu", remoteID, row.State, row.IntervalsID, row.Reason)
	}
	return a.Type
}

// Our upload landed but its answer was lost; the resend answers 200. The
// ride is ours, and its sport is corrected as after a 201.
func TestOwnUploadAnswered200GetsItsSport(t *testing.T) {
	w := newWorld(t, gravelRides(1, time.Date(2025, 8, 1, 6, 0, 0, 0, time.UTC)))
	w.fake.DropConnectionAfterStore(1)
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil || res.Uploaded != 1 || w.fake.UploadCount() != 1 {
		t.Fatalf("run = %+v, %v; fake holds %d", res, err, w.fake.UploadCount())
	}
	if typ := icuType(t, w, "r000"); typ != "GravelRide" {
		t.Fatalf("type %q, want GravelRide", typ)
	}
}

// A run gave up after its upload landed unseen; the next run finds our
// external id and counts the ride as ours: the sport is corrected then.
func TestOwnUploadFoundLaterGetsItsSport(t *testing.T) {
	w := newWorld(t, gravelRides(1, time.Date(2025, 8, 5, 6, 0, 0, 0, time.UTC)))
	w.fake.DropConnectionAfterStore(1)
	for i := 2; i <= 6; i++ { // every resend of this run fails
		w.fake.FailNthUpload(i, http.StatusServiceUnavailable)
	}
	if res, _ := w.eng.Run(context.Background(), Request{}); res.Failed != 1 || w.fake.UploadCount() != 1 {
		t.Fatalf("first run = %+v, fake holds %d; want a failure after the file landed", res, w.fake.UploadCount())
	}
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil || res.Uploaded != 1 || w.fake.UploadCount() != 1 {
		t.Fatalf("second run = %+v, %v; fake holds %d", res, err, w.fake.UploadCount())
	}
	if typ := icuType(t, w, "r000"); typ != "GravelRide" {
		t.Fatalf("type %q, want GravelRide", typ)
	}
}

// The exact file is in Intervals.icu but the activity cannot be read back.
// The ride had been sent before, so it is most likely our own upload, not
// someone else's.
func TestUnreadableDuplicateOfARideSentBeforeIsOurs(t *testing.T) {
	start := time.Date(2025, 8, 9, 6, 0, 0, 0, time.UTC)
	faults := fakes.NewFaults(1)
	// Intervals.icu files it days away from our start, so the listing
	// around our start does not show it and only the upload's 200 does.
	elsewhere := func([]byte) (time.Time, float64, float64, string, error) {
		return start.AddDate(0, 0, 5), 3000, 25000, "VirtualRide", nil
	}
	w := newWorldWith(t, newRides(1, start), intervalsfake.Options{RatePerSec: -1, Faults: faults, Summarize: elsewhere})
	if res, err := w.eng.Run(context.Background(), Request{}); err != nil || res.Uploaded != 1 {
		t.Fatalf("first run = %+v, %v", res, err)
	}
	// Forget the outcome as a killed process would, keeping the mark that
	// the upload had been sent.
	row, _ := w.store.FindBySource("testapp", "r000")
	if err := w.store.SetState(row.ID, store.Transition{State: store.StateReady, Set: store.Changes{IntervalsID: new("")}}); err != nil {
		t.Fatal(err)
	}
	faults.FailNext(fakes.Next{Method: http.MethodGet, PathPrefix: "/api/v1/activity/", Count: 100, Status: http.StatusServiceUnavailable})
	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	row, _ = w.store.FindBySource("testapp", "r000")
	if row.State != store.StateUploaded || row.IntervalsID == "" || res.Uploaded != 1 || res.Already != 0 || w.fake.UploadCount() != 1 {
		t.Fatalf("second run: %s %q (%s), uploaded %d, already %d, fake holds %d", row.State, row.IntervalsID, row.Reason, res.Uploaded, res.Already, w.fake.UploadCount())
	}
	if faults.Injected() == 0 {
		t.Fatal("the activity was never looked up")
	}
}

// The preview for a date range counts what the run then does, category by
// category; a Strava copy counts apart, and goes to "to upload" when the
// originals are asked for.
func TestPreviewEqualsTheRunForADateRange(t *testing.T) {
	start := time.Date(2025, 3, 1, 7, 0, 0, 0, time.UTC)
	src := newRides(20, start)
	src.rides[2].SkipReason = "no file on the platform"
	delete(src.files, src.rides[2].RemoteID)
	w := newWorld(t, src)
	w.store.SaveAccount(&store.Account{Name: "testapp", State: store.AccountConnected})
	w.fake.AddActivity(intervalsfake.Activity{StartDate: start.Add(40 * time.Second), ElapsedTime: 3000, Distance: 25000, Type: "VirtualRide", Source: "GARMIN_CONNECT", ExternalID: "123456"})
	w.fake.AddActivity(intervalsfake.Activity{StartDateLocal: intervals.WallClock(src.rides[1].StartHint.Add(time.Minute).In(w.fake.Location())), Source: "STRAVA"})
	q := source.Query{Since: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Until: src.rides[14].StartHint.Truncate(24 * time.Hour)}
	conn := w.eng.Sources[0]

	w.eng.Options.StravaCopies = StravaUpload
	up, err := w.eng.Preview(context.Background(), conn, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.eng.Options.StravaCopies = StravaKeep
	var listed []int
	est, err := w.eng.Preview(context.Background(), conn, q, func(_ string, n, _ int) { listed = append(listed, n) })
	if err != nil {
		t.Fatal(err)
	}
	want := Estimate{Found: 15, Already: 2, ToUpload: 12, Skipped: 1, NoFile: 1, StravaCopies: 1}
	if est != want {
		t.Fatalf("preview %+v, want %+v", est, want)
	}
	if len(listed) == 0 || listed[len(listed)-1] != 15 {
		t.Errorf("listing progress %v, want counts ending at the 15 found", listed)
	}
	if up.ToUpload != 13 || up.Already != 1 || up.Found != 15 {
		t.Errorf("preview with originals of Strava copies: %+v, want 13 to upload and 1 already", up)
	}

	res, err := w.eng.Run(context.Background(), Request{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if res.Discovered != est.Found || res.Uploaded != est.ToUpload || res.Already != est.Already || res.Skipped != est.Skipped || res.StravaCopies != est.StravaCopies {
		t.Fatalf("run %+v differs from its preview %+v", res, est)
	}
	if n := w.fake.UploadCount(); n != 12 {
		t.Fatalf("the run uploaded %d, want the 12 the preview promised", n)
	}
}

// A probable duplicate is the rider's decision: it waits in needs_review,
// no run uploads it on its own, and selecting it ("Upload anyway") does.
func TestProbableDuplicateWaitsForTheRider(t *testing.T) {
	start := time.Date(2025, 4, 1, 7, 0, 0, 0, time.UTC)
	src := newRides(3, start)
	w := newWorld(t, src)
	// Same start, but a third of the time and distance: maybe the same ride, maybe not.
	w.fake.AddActivity(intervalsfake.Activity{StartDate: src.rides[1].StartHint, ElapsedTime: 1000, Distance: 8000, Type: "Ride", Source: "GARMIN_CONNECT", ExternalID: "99"})

	for i := 0; i < 2; i++ {
		res, err := w.eng.Run(context.Background(), Request{})
		if err != nil {
			t.Fatal(err)
		}
		if res.NeedsReview != 1 || w.fake.UploadCount() != 2 {
			t.Fatalf("run %d: %+v with %d uploads; want 1 needing review and the 2 others uploaded", i+1, res, w.fake.UploadCount())
		}
	}
	row, err := w.store.FindBySource("testapp", src.rides[1].RemoteID)
	if err != nil || row.State != store.StateNeedsReview || row.Reason == "" {
		t.Fatalf("the probable duplicate: %+v, %v; want needs_review with its reason", row, err)
	}
	res, err := w.eng.Run(context.Background(), Request{IDs: []uint{row.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 1 || w.fake.UploadCount() != 3 || res.RunID == 0 {
		t.Fatalf("Upload anyway: %+v, %d uploads; want it uploaded in a recorded run", res, w.fake.UploadCount())
	}
	if got, _ := w.store.Get(row.ID); got.State != store.StateUploaded || got.RunID != res.RunID {
		t.Fatalf("after Upload anyway: %s in run %d, want uploaded in run %d", got.State, got.RunID, res.RunID)
	}
}

// A ride Intervals.icu holds only as a Strava copy stays as it is (counted
// as a Strava copy) unless the run is asked to upload the originals.
func TestStravaCopiesKeptOrUploadedAsOriginals(t *testing.T) {
	start := time.Date(2025, 5, 1, 7, 0, 0, 0, time.UTC)
	src := newRides(3, start)
	w := newWorld(t, src)
	w.fake.AddActivity(intervalsfake.Activity{StartDateLocal: intervals.WallClock(src.rides[1].StartHint.Add(time.Minute).In(w.fake.Location())), Source: "STRAVA"})

	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.StravaCopies != 1 || res.Uploaded != 2 || w.fake.UploadCount() != 2 {
		t.Fatalf("keep: %+v with %d uploads; want 1 Strava copy left and 2 uploaded", res, w.fake.UploadCount())
	}
	w.eng.Options.StravaCopies = StravaUpload
	res, err = w.eng.Run(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 1 || res.StravaCopies != 0 || w.fake.UploadCount() != 3 {
		t.Fatalf("upload: %+v with %d uploads; want the original uploaded next to its copy", res, w.fake.UploadCount())
	}
	row, _ := w.store.FindBySource("testapp", src.rides[1].RemoteID)
	if row.State != store.StateUploaded || row.RunID != res.RunID {
		t.Fatalf("the original: %s in run %d, want uploaded in run %d (undoable)", row.State, row.RunID, res.RunID)
	}
}

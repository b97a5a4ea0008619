package httpcall_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fitbridge/backend/doctor"
	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// Calls from many goroutines leave at the declared pace, measured on the wire.
func TestDoKeepsTheDeclaredPace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	for _, limits := range []source.Limits{{PerSecond: 20, Burst: 1}, {PerSecond: 10, Burst: 3}} {
		t.Run(fmt.Sprintf("%v/s burst %d", limits.PerSecond, limits.Burst), func(t *testing.T) {
			meter := &sourcetest.Meter{}
			c := httpcall.New(httpcall.Options{Limits: limits, Transport: meter})
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.Do(context.Background(), httpcall.Request{Op: fmt.Sprint("call ", i), URL: srv.URL}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if err := meter.Check(limits); err != nil {
				t.Fatal(err)
			}
			// Not slower than declared either: the pacing is the bucket, no more.
			if r := meter.Rate(); r < limits.PerSecond*0.7 {
				t.Errorf("%.1f calls a second, declared %v", r, limits.PerSecond)
			}
		})
	}
}

// Without the pacing the same calls break the declaration: the meter can fail.
func TestMeterCatchesAnUnpacedCaller(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	meter := &sourcetest.Meter{}
	c := httpcall.New(httpcall.Options{Transport: meter})
	for range 5 {
		if _, err := c.Do(context.Background(), httpcall.Request{Op: "call", URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	if err := meter.Check(source.Limits{PerSecond: 2, Burst: 1}); err == nil {
		t.Fatal("5 unpaced calls passed as 2 a second")
	}
}

// Files never exceed the declared concurrency; other calls are not held back by it.
func TestDoBoundsFilesInFlight(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/file") {
			time.Sleep(30 * time.Millisecond)
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprint(n, " at once"), func(t *testing.T) {
			meter := &sourcetest.Meter{IsFile: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/file") }}
			limits := source.Limits{Concurrency: n}
			c := httpcall.New(httpcall.Options{Limits: limits, Transport: meter})
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, err := c.Do(context.Background(), httpcall.Request{Op: "file", URL: fmt.Sprintf("%s/file/%d", srv.URL, i), File: true}); err != nil {
						t.Error(err)
					}
				}()
				go func() {
					defer wg.Done()
					if _, err := c.Do(context.Background(), httpcall.Request{Op: "list", URL: srv.URL + "/list"}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if err := meter.Check(limits); err != nil {
				t.Fatal(err)
			}
			if meter.FilesPeak() != n {
				t.Errorf("peak %d files in flight, want the declared %d used", meter.FilesPeak(), n)
			}
		})
	}
}

// script answers with the given statuses in turn (Retry-After after a colon), then 200.
func script(t *testing.T, answers ...string) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(answers) {
			w.Write([]byte("done"))
			return
		}
		status, ra, _ := strings.Cut(answers[i], ":")
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		var code int
		fmt.Sscan(status, &code)
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d", i)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestDoRetries(t *testing.T) {
	signIn := func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
		if err == nil && r.Status == 401 {
			return httpcall.NeedsSignIn, errors.New("the session was refused")
		}
		if err == nil && r.Status == 404 {
			return httpcall.Skip, errors.New("the file is gone")
		}
		return httpcall.Standard(r, err)
	}
	for _, tc := range []struct {
		name      string
		answers   []string
		waits     []time.Duration // exact waits; nil checks only their count
		nWaits    int
		calls     int32
		wantErr   string
		wantAfter time.Duration
		is        error
		skip      bool
	}{
		{name: "429 then ok", answers: []string{"429"}, nWaits: 1, calls: 2},
		{name: "Retry-After waited out", answers: []string{"503:7", "429:9"}, waits: []time.Duration{7 * time.Second, 9 * time.Second}, calls: 3},
		{name: "Retry-After over the cap ends the call", answers: []string{"429:3600"}, calls: 1, wantErr: "asked to wait 1h0m0s", wantAfter: time.Hour},
		{name: "tries run out", answers: []string{"500", "500", "500", "500"}, nWaits: 2, calls: 3, wantErr: "gave up after 3 attempts"},
		{name: "tries run out while asked to wait", answers: []string{"500", "500", "429:2"}, nWaits: 2, calls: 3, wantErr: "gave up after 3 attempts", wantAfter: 2 * time.Second},
		{name: "refused session", answers: []string{"401"}, calls: 1, wantErr: "the session was refused", is: source.ErrNeedsSignIn},
		{name: "skip", answers: []string{"404"}, calls: 1, wantErr: "the file is gone", skip: true},
		{name: "4xx is the caller's", answers: []string{"400"}, calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := script(t, tc.answers...)
			var waits []time.Duration
			c := httpcall.New(httpcall.Options{
				Policy:   httpcall.Policy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxRetryAfter: time.Minute},
				Classify: signIn,
				Sleep:    func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil },
			})
			resp, err := c.Do(context.Background(), httpcall.Request{Op: "get it", URL: srv.URL})
			if calls.Load() != tc.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.calls)
			}
			if tc.waits != nil && fmt.Sprint(waits) != fmt.Sprint(tc.waits) || tc.waits == nil && len(waits) != tc.nWaits {
				t.Errorf("waits %v, want %v / %d", waits, tc.waits, tc.nWaits)
			}
			if tc.wantErr == "" {
				if err != nil || resp == nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			var ra *httpcall.RetryAfterError
			if got := errors.As(err, &ra); got != (tc.wantAfter > 0) || got && ra.After != tc.wantAfter {
				t.Errorf("err %v: Retry-After %v, want %v", err, ra, tc.wantAfter)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v is not %v", err, tc.is)
			}
			var skip *source.SkipError
			if errors.As(err, &skip) != tc.skip {
				t.Errorf("err %v: skip %v, want %v", err, skip, tc.skip)
			}
		})
	}
}

// A rider who stops during a wait is not kept waiting, and the last failure is kept.
func TestDoStopsWithTheContext(t *testing.T) {
	srv, calls := script(t, "503", "503", "503")
	ctx, cancel := context.WithCancel(context.Background())
	c := httpcall.New(httpcall.Options{Policy: httpcall.Policy{MaxAttempts: 10, BaseDelay: time.Hour}})
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Do(ctx, httpcall.Request{Op: "get it", URL: srv.URL})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second || calls.Load() != 1 {
		t.Fatalf("err %v after %v and %d calls", err, time.Since(start), calls.Load())
	}
	if !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("the last answer is lost: %v", err)
	}
}

// The request log shows what was asked, never the secret, the session or a private query value.
func TestDoLogsWithoutSecrets(t *testing.T) {
	srv, _ := script(t, "500")
	var logs bytes.Buffer
	const secret = "s3cr3t-session-value"
	c := httpcall.New(httpcall.Options{
		Name:    "example",
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Secrets: []string{secret},
		Policy:  httpcall.Policy{BaseDelay: time.Millisecond},
	})
	_, err := c.Do(context.Background(), httpcall.Request{
		Op: "list rides", URL: srv.URL + "/rides/" + secret + "?pageNo=2&athlete=someone&token=" + secret,
		Header: http.Header{"Authorization": {"Bearer " + secret}, "Cookie": {"session=" + secret}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"example request", "pageNo=2", "athlete&", "status=500", "status=200", "attempt=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) || strings.Contains(out, "someone") {
		t.Errorf("log shows a secret or rider data:\n%s", out)
	}
}

// The doctor's recorder, given as the transport, sees every try the layer
// sends, retries included, and the layer still reads the whole answer.
func TestDoctorRecorderSeesEveryTry(t *testing.T) {
	srv, _ := script(t, "503")
	rec := doctor.NewRecorder(nil)
	c := httpcall.New(httpcall.Options{Transport: rec, Policy: httpcall.Policy{BaseDelay: time.Millisecond}})
	resp, err := c.Do(context.Background(), httpcall.Request{
		Op: "list rides", URL: srv.URL + "/rides?page=1", Header: http.Header{"Authorization": {"Bearer abcdef123456"}},
	})
	if err != nil || string(resp.Body) != "done" {
		t.Fatalf("%v, %+v", err, resp)
	}
	ex := rec.Exchanges()
	if len(ex) != 2 || ex[0].Status != 503 || ex[1].Status != 200 || ex[1].Path != "/rides" || ex[1].Auth != "Bearer" {
		t.Fatalf("recorded %+v", ex)
	}
}

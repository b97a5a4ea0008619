// Package httpcall is the one way FitBridge calls a web service: every
// platform and the Intervals.icu client send their requests through a
// Caller. The Caller paces calls per host at the rate the platform declares,
// keeps at most the declared number of file downloads in flight, retries
// passing failures with backoff (honouring a Retry-After up to a cap), waits
// only as long as the context allows and logs each attempt without secrets.
// A platform supplies only a Classifier saying what an answer means, as
// rclone's backends supply shouldRetry.
package httpcall

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"fitbridge/backend/secrets"
	"fitbridge/backend/source"
)

// Request is one logical call; every retry sends the same bytes.
type Request struct {
	// Op says what is being done ("list rides, page 3"); it starts every
	// error and log line.
	Op     string
	Method string // default GET
	URL    string
	Header http.Header
	Body   []byte
	// Client replaces the Caller's client for this request (a storage
	// client that never carries the session).
	Client *http.Client
	// File marks a file download: it takes one of the declared
	// Limits.Concurrency slots for as long as it runs.
	File bool
	// MaxBody bounds the answer (default 64 MB); a longer one is an error.
	MaxBody int64
	// Classify replaces the Caller's classifier for this request.
	Classify Classifier
}

// Options configure a Caller. Name and Limits come from the platform's
// Descriptor, so what it declares is what runs.
type Options struct {
	// Name is the platform's name, used in log lines ("igpsport").
	Name string
	// Limits are the platform's declared limits: PerSecond and Burst pace
	// each host, Concurrency bounds file downloads in flight. PerSecond 0
	// means no pacing, Concurrency 0 no bound.
	Limits source.Limits
	// Limiter, when set, paces every host of this Caller and is shared
	// with others (Intervals.icu allows so many calls per second to the
	// whole app). It replaces the pacing of Limits.
	Limiter *rate.Limiter
	Policy  Policy
	// Client sends the requests; nil builds one with Transport and a
	// 2 minute timeout.
	Client *http.Client
	// Transport carries the requests when Client is nil (the doctor's recorder).
	Transport http.RoundTripper
	// Classify reads answers; nil is Standard.
	Classify Classifier
	Logger   *slog.Logger
	// Secrets are removed from every logged text, besides the credential
	// shapes the redactor knows.
	Secrets []string
	// Describe adds attributes about an answer to its log line (an API's
	// page counters); it must not return secrets.
	Describe func(resp *Response) []any
	// LogPath turns a request path into what the log shows (storage
	// object names work as download links and are hidden).
	LogPath func(path string) string
	// Sleep waits between tries (tests record the waits); default Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Retry-After dates (default time.Now).
	Now func() time.Time
}

// Caller sends one platform's requests. Safe for concurrent use.
type Caller struct {
	o       Options
	files   chan struct{} // nil: no bound
	secrets *secrets.Redactor

	mu    sync.Mutex
	hosts map[string]*rate.Limiter
}

// New returns a Caller for o.
func New(o Options) *Caller {
	o.Policy = o.Policy.withDefaults()
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 2 * time.Minute, Transport: o.Transport}
	}
	if o.Classify == nil {
		o.Classify = Standard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sleep == nil {
		o.Sleep = Sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LogPath == nil {
		o.LogPath = func(p string) string { return p }
	}
	c := &Caller{o: o, hosts: map[string]*rate.Limiter{}, secrets: secrets.NewRedactor()}
	c.secrets.Add(o.Secrets...)
	if o.Limits.Concurrency > 0 {
		c.files = make(chan struct{}, o.Limits.Concurrency)
	}
	return c
}

// Limits are the limits this Caller enforces.
func (c *Caller) Limits() source.Limits { return c.o.Limits }

// Policy is the retry policy this Caller follows.
func (c *Caller) Policy() Policy { return c.o.Policy }

// Client is the HTTP client requests go through unless they bring their own.
func (c *Caller) Client() *http.Client { return c.o.Client }

// Sleep waits d or until ctx ends, with the Caller's clock (tests replace it).
func (c *Caller) Sleep(ctx context.Context, d time.Duration) error { return c.o.Sleep(ctx, d) }

// limiter is the pace of one host: the shared limiter, or a bucket of its own.
func (c *Caller) limiter(host string) *rate.Limiter {
	if c.o.Limiter != nil {
		return c.o.Limiter
	}
	if c.o.Limits.PerSecond <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.hosts[host]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(c.o.Limits.PerSecond), max(c.o.Limits.Burst, 1))
		c.hosts[host] = l
	}
	return l
}

// Pace waits for a turn to call the host of rawURL, for calls made outside
// the Caller (a browser page reading the service for FitBridge), so they
// count against the same declared pace.
func (c *Caller) Pace(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("pace %q: %w", rawURL, err)
	}
	if l := c.limiter(u.Host); l != nil {
		return l.Wait(ctx)
	}
	return ctx.Err()
}

// Do sends r, pacing every try, and returns the answer the classifier
// accepted. Otherwise it returns the classifier's error: wrapped in
// source.ErrNeedsSignIn for NeedsSignIn, as a *source.SkipError for Skip,
// with the try count once Retry ran out of tries, and as a
// *RetryAfterError when the server asked for a longer wait than the policy
// allows. The last answer, if any, comes back with the error.
func (c *Caller) Do(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s: the address is not a URL", r.Op)
	}
	if r.File && c.files != nil {
		select {
		case c.files <- struct{}{}:
			defer func() { <-c.files }()
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w", r.Op, ctx.Err())
		}
	}
	classify := r.Classify
	if classify == nil {
		classify = c.o.Classify
	}
	p := c.o.Policy
	var lastErr error
	for attempt := 1; ; attempt++ {
		if l := c.limiter(u.Host); l != nil {
			if err := l.Wait(ctx); err != nil {
				return nil, stopped(ctx, r.Op, lastErr, err)
			}
		}
		resp, err := c.once(ctx, r, attempt)
		if ctx.Err() != nil {
			return nil, stopped(ctx, r.Op, lastErr, ctx.Err())
		}
		verdict, why := classify(resp, err)
		if why == nil && verdict != Accept {
			why = describe(r.Op, resp, err)
		}
		switch verdict {
		case Accept:
			return resp, nil
		case NeedsSignIn:
			if !errors.Is(why, source.ErrNeedsSignIn) {
				why = fmt.Errorf("%w: %w", why, source.ErrNeedsSignIn)
			}
			return resp, why
		case Skip:
			var skip *source.SkipError
			if !errors.As(why, &skip) {
				why = &source.SkipError{Reason: why.Error(), Permanent: true}
			}
			return resp, why
		case Permanent:
			return resp, why
		}
		lastErr = why
		ra, hasRA := time.Duration(0), false
		if resp != nil {
			ra, hasRA = RetryAfter(resp.Header.Get("Retry-After"), c.o.Now())
		}
		if attempt >= p.MaxAttempts {
			err := gaveUp(why, attempt)
			if hasRA {
				// The caller's next try should honour the wait too.
				err = &RetryAfterError{Err: err, After: ra}
			}
			return resp, err
		}
		wait := p.Backoff(attempt)
		if hasRA {
			if ra > p.MaxRetryAfter {
				return resp, &RetryAfterError{Err: fmt.Errorf("%w (asked to wait %s; try again later)", why, ra.Round(time.Second)), After: ra}
			}
			wait = max(wait, ra)
		}
		c.o.Logger.DebugContext(ctx, c.o.Name+" retry", "op", r.Op, "attempt", attempt, "wait_ms", wait.Milliseconds(), "err", c.redact(why.Error()))
		if err := c.o.Sleep(ctx, wait); err != nil {
			return nil, stopped(ctx, r.Op, lastErr, err)
		}
	}
}

// once sends one try and reads the whole answer.
func (c *Caller) once(ctx context.Context, r Request, attempt int) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, err
	}
	if r.Body != nil {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(r.Body)), nil }
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	hc := r.Client
	if hc == nil {
		hc = c.o.Client
	}
	limit := r.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		c.log(ctx, r, req, attempt, start, nil, err)
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, URL: req.URL}
	if resp.Request != nil && resp.Request.URL != nil {
		out.URL = resp.Request.URL
	}
	switch {
	case err != nil:
		// An answer cut off mid-way is as good as no answer.
		c.log(ctx, r, req, attempt, start, out, err)
		return nil, err
	case int64(len(data)) > limit:
		err := &TooLargeError{Limit: limit}
		c.log(ctx, r, req, attempt, start, out, err)
		return nil, err
	}
	c.log(ctx, r, req, attempt, start, out, nil)
	return out, nil
}

// TooLargeError is an answer longer than the request allows.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer is larger than %d MB", e.Limit>>20)
}

// stopped reports a call the context ended, with the last failure if any.
func stopped(ctx context.Context, op string, last, cause error) error {
	if ctx.Err() != nil {
		cause = ctx.Err()
	}
	if last != nil {
		return fmt.Errorf("%w (then stopped: %w)", last, cause)
	}
	return fmt.Errorf("%s: %w", op, cause)
}

func gaveUp(err error, attempts int) error {
	if attempts <= 1 {
		return err
	}
	return fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
}

// unwrapURLError drops *url.Error's `Get "<url>"` prefix: the op says what
// was being done, and a URL can hold a signed storage link or rider data.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

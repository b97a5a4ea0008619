package intervals

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// Rate limit of the real service: about 10 requests/s per IP with a short
// burst (developer's forum post). All calls of one app share it.
const (
	DefaultRate  = 10
	DefaultBurst = 10
)

// NewLimiter returns a token bucket at the service's published rate. Pass one
// limiter to every Client of the app so that together they stay under it.
func NewLimiter() *rate.Limiter { return rate.NewLimiter(DefaultRate, DefaultBurst) }

// RetryPolicy bounds the retries of 429, 5xx and network failures:
// MaxAttempts (default 6) tries in all, a backoff from BaseDelay (1 s)
// doubling up to MaxDelay (60 s), and Retry-After waited out up to
// MaxRetryAfter (5 min); a longer one ends the call with the 429 so the
// caller can schedule a later try.
type RetryPolicy = httpcall.Policy

// DefaultRetry is used when no policy is given.
var DefaultRetry = RetryPolicy{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: time.Minute, MaxRetryAfter: 5 * time.Minute}

// withDefaults fills the zero fields of p from DefaultRetry.
func withDefaults(p RetryPolicy) RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetry.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetry.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetry.MaxDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultRetry.MaxRetryAfter
	}
	return p
}

// DefaultPageLimit is the row limit of one listing request. A window that
// comes back full is split, so the value only trades request count for size.
const DefaultPageLimit = 1000

// Client talks to one Intervals.icu account. Safe for concurrent use.
type Client struct {
	base      *url.URL
	baseErr   error
	athleteID string
	apiKey    string
	auth      string // the Authorization header value
	hc        *http.Client
	ua        string
	log       *slog.Logger
	lim       *rate.Limiter
	retry     RetryPolicy
	sleep     func(ctx context.Context, d time.Duration) error
	pageLimit int
	calls     *httpcall.Caller
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (timeouts, proxies, test transports).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent replaces the default "FitBridge/<version>".
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithLogger sets where request lines go (debug level).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithLimiter shares one token bucket between clients; nil disables limiting.
func WithLimiter(l *rate.Limiter) Option { return func(c *Client) { c.lim = l } }

// WithRetry sets the retry policy; zero fields take the defaults.
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = withDefaults(p) } }

// WithSleep replaces the wait between attempts (tests record the delays).
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = f }
}

// WithPageLimit sets the row limit of one listing request.
func WithPageLimit(n int) Option { return func(c *Client) { c.pageLimit = n } }

// New returns a client for the athlete owning apiKey. baseURL "" means the
// real service; athleteID is informative only, because requests use the
// documented alias "0" (the key's owner).
func New(baseURL, athleteID, apiKey string, opts ...Option) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	var baseErr error
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		// Reported by every call rather than a panic in the constructor.
		baseErr = fmt.Errorf("the Intervals.icu address %q is not an http(s) URL", baseURL)
		base = &url.URL{}
	}
	c := &Client{
		base:      base,
		baseErr:   baseErr,
		athleteID: athleteID,
		apiKey:    apiKey,
		auth:      "Basic " + base64.StdEncoding.EncodeToString([]byte("API_KEY:"+apiKey)),
		hc:        &http.Client{Timeout: 2 * time.Minute},
		ua:        "FitBridge/" + version(),
		log:       slog.New(slog.DiscardHandler),
		lim:       NewLimiter(),
		retry:     DefaultRetry,
		sleep:     httpcall.Sleep,
		pageLimit: DefaultPageLimit,
	}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.hc == nil {
		c.hc = http.DefaultClient
	}
	if c.pageLimit <= 0 {
		c.pageLimit = DefaultPageLimit
	}
	// A nil limiter means no pacing: Limits without PerSecond.
	limits := source.Limits{}
	if c.lim != nil {
		limits = source.Limits{PerSecond: float64(c.lim.Limit()), Burst: c.lim.Burst()}
	}
	c.calls = httpcall.New(httpcall.Options{
		Name:     "intervals",
		Limits:   limits,
		Limiter:  c.lim,
		Policy:   c.retry,
		Client:   c.hc,
		Logger:   c.log,
		Secrets:  []string{apiKey},
		Describe: errorBody,
		Sleep:    c.sleep,
	})
	return c
}

// AthleteID is the id given to New (requests use "0").
func (c *Client) AthleteID() string { return c.athleteID }

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return strings.TrimPrefix(v, "v")
		}
	}
	return "dev"
}

// call is one API request; the body is kept so every retry sends the same bytes.
type call struct {
	op          string // "upload ride.fit": prefixes every error
	method      string
	path        string // already escaped
	query       url.Values
	body        []byte
	contentType string
	ok          func(status int) bool // statuses that end the call successfully
}

// response is a successful answer.
type response struct {
	status int
	body   []byte
}

const maxBody = 32 << 20

// do sends cl through the call layer. Any non-ok answer becomes an
// *APIError; transport failures are wrapped with the op.
func (c *Client) do(ctx context.Context, cl call) (response, error) {
	if c.baseErr != nil {
		return response{}, fmt.Errorf("%s: %w", cl.op, c.baseErr)
	}
	u, err := url.Parse(strings.TrimRight(c.base.String(), "/") + cl.path)
	if err != nil {
		return response{}, fmt.Errorf("%s: %w", cl.op, err)
	}
	u.RawQuery = cl.query.Encode()
	hdr := http.Header{
		"Authorization": {c.auth},
		"User-Agent":    {c.ua},
		"Accept":        {"application/json"},
	}
	if cl.body != nil {
		hdr.Set("Content-Type", cl.contentType)
	}
	ok := cl.ok
	if ok == nil {
		ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	resp, err := c.calls.Do(ctx, httpcall.Request{
		Op: cl.op, Method: cl.method, URL: u.String(), Header: hdr, Body: cl.body, MaxBody: maxBody,
		Classify: func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
			if err == nil && ok(r.Status) {
				return httpcall.Accept, nil
			}
			return c.classify(cl, r, err)
		},
	})
	if err != nil {
		return response{}, err
	}
	return response{status: resp.Status, body: resp.Body}, nil
}

// classify is what an Intervals.icu answer means: 429, 5xx and transport
// failures that may heal are retried; any other failed answer is an
// *APIError, and a refused key means connecting Intervals.icu again.
func (c *Client) classify(cl call, r *httpcall.Response, err error) (httpcall.Verdict, error) {
	if err != nil {
		why := fmt.Errorf("%s: %s %s: %w", cl.op, cl.method, cl.path, err)
		if httpcall.Transient(err) {
			return httpcall.Retry, why
		}
		return httpcall.Permanent, why
	}
	apiErr := newAPIError(cl.op, r.Status, r.Body, c.apiKey)
	if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		return httpcall.Retry, apiErr
	}
	return httpcall.Permanent, apiErr
}

// errorBody logs the start of an error answer: the shape of a 429 body or
// of a corrupt-file 422 is an open question.
func errorBody(r *httpcall.Response) []any {
	if r.Status < 400 {
		return nil
	}
	return []any{"body", snippet(r.Body, 300)}
}

// redact removes the key from text that came from elsewhere (the service
// never echoes it, but an error text should not be the first place it shows).
func redact(s, key string) string {
	if key == "" {
		return s
	}
	s = strings.ReplaceAll(s, key, "[redacted]")
	return strings.ReplaceAll(s, base64.StdEncoding.EncodeToString([]byte("API_KEY:"+key)), "[redacted]")
}

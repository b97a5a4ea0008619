package intervals

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/time/rate"
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

// RetryPolicy bounds the retries of 429, 5xx and network failures.
type RetryPolicy struct {
	MaxAttempts int           // including the first; default 6
	BaseDelay   time.Duration // first backoff ceiling; default 1 s
	MaxDelay    time.Duration // backoff ceiling; default 60 s
	// MaxRetryAfter is the longest Retry-After the client waits out; a longer
	// one ends the call with the 429 so the caller can schedule a later try.
	// Default 5 min.
	MaxRetryAfter time.Duration
}

// DefaultRetry is used when no policy is given.
var DefaultRetry = RetryPolicy{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: time.Minute, MaxRetryAfter: 5 * time.Minute}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetry.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetry.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetry.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultRetry.MaxRetryAfter
	}
	return p
}

// backoff is the delay before attempt+1 with equal jitter: uniform in
// [ceiling/2, ceiling]. Full jitter could retry a 429 at once; half the
// ceiling keeps the first wait near the reference's 1 s while clients still
// spread out.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	ceil := p.BaseDelay
	for i := 1; i < attempt && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxDelay)
	half := ceil / 2
	return half + time.Duration(rand.Int64N(int64(ceil-half)+1))
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
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p.withDefaults() } }

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
		sleep:     sleepCtx,
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

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

// do sends c with rate limiting and retries. Any non-ok answer becomes an
// *APIError; transport failures are wrapped with the op.
func (c *Client) do(ctx context.Context, cl call) (response, error) {
	if cl.ok == nil {
		cl.ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	if c.baseErr != nil {
		return response{}, fmt.Errorf("%s: %w", cl.op, c.baseErr)
	}
	u, err := url.Parse(strings.TrimRight(c.base.String(), "/") + cl.path)
	if err != nil {
		return response{}, fmt.Errorf("%s: %w", cl.op, err)
	}
	u.RawQuery = cl.query.Encode()

	var lastErr error
	for attempt := 1; ; attempt++ {
		if c.lim != nil {
			if err := c.lim.Wait(ctx); err != nil {
				return response{}, opErr(cl.op, lastErr, err)
			}
		}
		status, body, hdr, elapsed, err := c.once(ctx, cl, u)
		retryAfter, hasRetryAfter := parseRetryAfter(hdr.Get("Retry-After"), time.Now())
		c.logRequest(cl, u, attempt, status, elapsed, hdr, body, err)

		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return response{}, opErr(cl.op, lastErr, ctx.Err())
			}
			lastErr = fmt.Errorf("%s: %s %s: %w", cl.op, cl.method, cl.path, unwrapURLError(err))
			if !retryableNetErr(err) || attempt >= c.retry.MaxAttempts {
				return response{}, gaveUp(lastErr, attempt)
			}
			wait = c.retry.backoff(attempt)
		case cl.ok(status):
			return response{status: status, body: body}, nil
		default:
			apiErr := newAPIError(cl.op, status, body, c.apiKey)
			lastErr = apiErr
			retryable := status == http.StatusTooManyRequests || status >= 500
			if !retryable || attempt >= c.retry.MaxAttempts {
				err := gaveUp(apiErr, attempt)
				if retryable && hasRetryAfter {
					// The caller's next try should honour the wait too.
					err = &RetryAfterError{Err: err, After: retryAfter}
				}
				return response{}, err
			}
			wait = c.retry.backoff(attempt)
			if hasRetryAfter {
				if retryAfter > c.retry.MaxRetryAfter {
					return response{}, &RetryAfterError{
						Err:   fmt.Errorf("%w (asked to wait %s)", apiErr, retryAfter.Round(time.Second)),
						After: retryAfter,
					}
				}
				wait = retryAfter
			}
		}
		c.log.DebugContext(ctx, "intervals retry", "op", cl.op, "attempt", attempt, "wait_ms", wait.Milliseconds(), "err", lastErr.Error())
		if err := c.sleep(ctx, wait); err != nil {
			return response{}, opErr(cl.op, lastErr, err)
		}
	}
}

// once sends one attempt and reads the whole answer.
func (c *Client) once(ctx context.Context, cl call, u *url.URL) (int, []byte, http.Header, time.Duration, error) {
	var rd io.Reader
	if cl.body != nil {
		rd = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), rd)
	if err != nil {
		return 0, nil, http.Header{}, 0, err
	}
	if cl.body != nil {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(cl.body)), nil }
		req.Header.Set("Content-Type", cl.contentType)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, http.Header{}, time.Since(start), err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	elapsed := time.Since(start)
	if err != nil {
		// A body cut off mid-way is as good as no answer.
		return 0, nil, resp.Header, elapsed, err
	}
	return resp.StatusCode, body, resp.Header, elapsed, nil
}

// opErr reports a stop caused by the context, with the last failure if any.
func opErr(op string, last, cause error) error {
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

// unwrapURLError drops *url.Error's "Post \"<url>\"" prefix: the op and path
// already say what was being done, and the query holds rider data.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryableNetErr tells transport failures worth another try (resets,
// timeouts, a server gone mid-answer) from ones that will not heal
// (bad certificates, malformed URLs).
func retryableNetErr(err error) bool {
	var (
		certErr    *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded)
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case math.IsNaN(n):
			return 0, false
		case n < 0:
			n = 0
		case n >= math.MaxInt64/float64(time.Second):
			// Converting a larger value would overflow into a negative wait,
			// and a retry at once; the longest wait keeps it above MaxRetryAfter.
			return math.MaxInt64, true
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Query parameters whose values are safe and useful in logs; the others
// (name, description, external_id) are rider data and are logged by key only.
var loggedQueryValues = map[string]bool{"oldest": true, "newest": true, "limit": true}

func (c *Client) logRequest(cl call, u *url.URL, attempt, status int, elapsed time.Duration, hdr http.Header, body []byte, err error) {
	if !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	keys := make([]string, 0, len(cl.query))
	for k := range cl.query {
		if loggedQueryValues[k] {
			keys = append(keys, k+"="+cl.query.Get(k))
		} else {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	attrs := []any{
		"method", cl.method, "host", u.Host, "path", cl.path, "query", strings.Join(keys, "&"),
		"attempt", attempt, "ms", elapsed.Milliseconds(),
	}
	if err != nil {
		attrs = append(attrs, "err", redact(unwrapURLError(err).Error(), c.apiKey))
	} else {
		attrs = append(attrs, "status", status, "bytes", len(body))
	}
	if ra := hdr.Get("Retry-After"); ra != "" {
		attrs = append(attrs, "retry_after", ra)
	}
	if err == nil && (status == http.StatusTooManyRequests || status >= 400) {
		// The shape of error answers is an open question (429 body, corrupt-file 422).
		attrs = append(attrs, "body", snippet([]byte(redact(string(body), c.apiKey)), 300))
	}
	c.log.Debug("intervals request", attrs...)
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

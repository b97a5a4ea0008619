package mywhoosh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fitbridge/backend/source"
)

const userAgent = "FitBridge (+https://intervals.icu)"

// HTTPError is an answer MyWhoosh gave with an unexpected status.
type HTTPError struct {
	Status int
	URL    string // without the query
	Body   string // the start of the body
	raw    []byte // the whole body: a login refusal can come with a 4xx
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("MyWhoosh answered HTTP %d for %s: %s", e.Status, e.URL, e.Body)
}

// call is one HTTP request to MyWhoosh.
type call struct {
	method string
	url    string
	body   []byte // JSON, or nil
	bearer bool   // send the session
	header map[string]string
	client *http.Client
	// unpaced skips the per-host pacing: bucket fetches are only kept to
	// one at a time, the pacing is for MyWhoosh's API.
	unpaced bool
}

// do sends c with pacing and retries: 429, 5xx and network errors are
// retried with backoff and jitter, honouring Retry-After. 401/403 on a call
// carrying the session mean the session is gone. Other statuses come back as
// *HTTPError; the body of a 2xx answer is returned with its headers.
func (cl *Client) do(ctx context.Context, c call) ([]byte, http.Header, error) {
	u, err := url.Parse(c.url)
	if err != nil {
		return nil, nil, fmt.Errorf("mywhoosh: bad URL: %w", err)
	}
	where := u.Scheme + "://" + u.Host + u.Path
	qkeys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		qkeys = append(qkeys, k)
	}
	sort.Strings(qkeys)
	if c.client == nil {
		c.client = cl.api
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if !c.unpaced {
			if err := cl.limit.wait(ctx, u.Host); err != nil {
				return nil, nil, err
			}
		}
		var rd io.Reader
		if c.body != nil {
			rd = bytes.NewReader(c.body)
		}
		req, err := http.NewRequestWithContext(ctx, c.method, c.url, rd)
		if err != nil {
			return nil, nil, fmt.Errorf("mywhoosh: %w", err)
		}
		req.Header.Set("User-Agent", userAgent)
		if c.body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		if c.bearer {
			req.Header.Set("Authorization", "Bearer "+cl.token)
		}
		start := time.Now()
		resp, err := c.client.Do(req)
		var retryAfter time.Duration
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			cl.log.Debug("request failed", "method", c.method, "url", where, "attempt", attempt+1, "error", err)
			lastErr = fmt.Errorf("MyWhoosh could not be reached (%s): %w", u.Host, err)
		} else {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
			resp.Body.Close()
			ra := resp.Header.Get("Retry-After")
			cl.log.Debug("request", "method", c.method, "url", where, "query_keys", strings.Join(qkeys, ","), "status", resp.StatusCode,
				"elapsed_ms", time.Since(start).Milliseconds(), "retry_after", ra, "attempt", attempt+1,
				"content_type", resp.Header.Get("Content-Type"), "bytes", len(body))
			switch {
			case rerr != nil:
				lastErr = fmt.Errorf("MyWhoosh answer from %s was cut off: %w", u.Host, rerr)
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				return body, resp.Header, nil
			case c.bearer && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
				return nil, resp.Header, fmt.Errorf("MyWhoosh refused the session (HTTP %d): %w", resp.StatusCode, source.ErrNeedsSignIn)
			case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
				retryAfter = parseRetryAfter(ra)
				lastErr = &HTTPError{Status: resp.StatusCode, URL: where, Body: snippet(body)}
			default:
				return nil, resp.Header, &HTTPError{Status: resp.StatusCode, URL: where, Body: snippet(body), raw: body}
			}
		}
		if attempt >= cl.opts.MaxRetries {
			return nil, nil, fmt.Errorf("gave up after %d tries: %w", attempt+1, lastErr)
		}
		if err := cl.opts.sleep(ctx, cl.backoff(attempt, retryAfter)); err != nil {
			return nil, nil, err
		}
	}
}

// backoff is RetryBase doubled per try with up to 50 % jitter, or the
// server's Retry-After when it asks for longer (capped).
func (cl *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := cl.opts.RetryBase << min(attempt, 6)
	d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	if retryAfter > d {
		d = min(retryAfter, cl.opts.MaxRetryAfter)
	}
	return d
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		if time.Duration(n) > math.MaxInt64/time.Second {
			return math.MaxInt64 // multiplying would wrap into a short wait
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character
		}
		s = s[:cut] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}

// expiryMargin: a token this close to its exp is treated as expired, so it
// does not run out halfway through a backfill (reference 2.3).
const expiryMargin = 5 * time.Minute

// envelope is service14's answer: {"error":false,"code":200,"message":"","data":...}.
type envelope map[string]json.RawMessage

// authWords mark a business error that really means the session is gone.
var authWords = []string{"unauthorized", "forbidden", "invalid token", "token expired", "jwt", "not logged in"}

// profile posts payload to a rider-profile path and returns the envelope.
// Plain JSON goes first; when service14 refuses it (a 4xx other than
// 401/403, or an answer that is not a JSON envelope) the CryptoJS form is
// tried once and, if it works, kept for the rest of the session.
func (cl *Client) profile(ctx context.Context, path string, payload any) (envelope, error) {
	if exp := cl.expires; !exp.IsZero() && !time.Now().Add(expiryMargin).Before(exp) {
		return nil, fmt.Errorf("the MyWhoosh session has expired or is about to (exp %s): %w", exp.Format(time.RFC3339), source.ErrNeedsSignIn)
	}
	plain, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	u := cl.hosts.API + path
	send := func(encrypted bool) (envelope, error) {
		body := plain
		if encrypted {
			body, _ = json.Marshal(encryptBody(plain))
		}
		raw, _, err := cl.do(ctx, call{method: http.MethodPost, url: u, body: body, bearer: true})
		if err != nil {
			return nil, err
		}
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil || env == nil {
			return nil, &notEnvelopeError{snippet(raw)}
		}
		return env, nil
	}
	enc := cl.encrypted.Load()
	env, err := send(enc)
	if err != nil && !enc && refusedPlain(err) {
		cl.log.Warn("service14 refused a plain JSON body; trying the encrypted form", "path", path, "error", err)
		env2, err2 := send(true)
		if err2 == nil {
			cl.encrypted.Store(true)
			cl.log.Info("service14 takes encrypted bodies; using them from now on")
			env, err = env2, nil
		} else {
			cl.log.Debug("the encrypted form failed too", "error", err2)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := env.businessError(); err != nil {
		return nil, err
	}
	return env, nil
}

type notEnvelopeError struct{ body string }

func (e *notEnvelopeError) Error() string {
	return "MyWhoosh answered something that is not JSON: " + e.body
}

// refusedPlain reports an error worth retrying with the encrypted body.
func refusedPlain(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 400 && he.Status < 500 && he.Status != 401 && he.Status != 403 && he.Status != 429
	}
	var ne *notEnvelopeError
	return errors.As(err, &ne)
}

// businessError turns {"error":true,"message":...} into an error.
func (e envelope) businessError() error {
	var isErr bool
	if raw, ok := e["error"]; ok {
		_ = json.Unmarshal(raw, &isErr)
	}
	if !isErr {
		return nil
	}
	msg := e.str("message")
	if msg == "" {
		msg = "unknown error"
	}
	low := strings.ToLower(msg)
	for _, w := range authWords {
		if strings.Contains(low, w) {
			return fmt.Errorf("MyWhoosh: %s: %w", msg, source.ErrNeedsSignIn)
		}
	}
	return &APIError{Message: msg, Code: e.str("code")}
}

// APIError is a business error MyWhoosh reported inside a 200 answer.
type APIError struct {
	Message string
	Code    string
}

func (e *APIError) Error() string { return "MyWhoosh: " + e.Message }

func (e envelope) str(key string) string {
	raw, ok := e[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.Trim(string(raw), `"`)
}

func (e envelope) keys() string {
	ks := make([]string, 0, len(e))
	for k := range e {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// hostLimiter paces calls per host with a token bucket.
type hostLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newHostLimiter(perSecond float64, burst int) *hostLimiter {
	return &hostLimiter{rate: perSecond, burst: float64(max(burst, 1)), buckets: map[string]*tokenBucket{}}
}

func (l *hostLimiter) wait(ctx context.Context, host string) error {
	for {
		l.mu.Lock()
		now := time.Now()
		b := l.buckets[host]
		if b == nil {
			b = &tokenBucket{tokens: l.burst, last: now}
			l.buckets[host] = b
		}
		b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
		if b.tokens >= 1 {
			b.tokens--
			l.mu.Unlock()
			return nil
		}
		need := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
		l.mu.Unlock()
		if err := sleepCtx(ctx, need); err != nil {
			return err
		}
	}
}

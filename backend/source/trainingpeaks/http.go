package trainingpeaks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fitbridge/backend/source"
)

const (
	maxJSONBody = 64 << 20
	maxFileBody = 512 << 20
)

// response is a fully read answer.
type response struct {
	status int
	header http.Header
	body   []byte
	// path is where the answer came from after redirects (no query: it may
	// hold a return URL or a token).
	path string
}

// statusError is an unexpected answer. It never holds the request's headers.
type statusError struct {
	what   string
	status int
	body   string
}

func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("%s: TrainingPeaks answered HTTP %d", e.what, e.status)
	}
	return fmt.Sprintf("%s: TrainingPeaks answered HTTP %d: %s", e.what, e.status, e.body)
}

func unexpected(what string, r *response) error {
	return &statusError{what: what, status: r.status, body: snippet(r.body)}
}

// snippet is a short, single-line excerpt of a response body for errors and logs.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character
		}
		s = s[:cut] + "…"
	}
	return s
}

func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// send makes one logical GET, retrying 408/429/5xx and network failures with
// backoff and Retry-After. Headers come from hdr (the secret ones are never
// logged). It returns the first non-retryable answer, whatever its status.
func (c *Client) send(ctx context.Context, hc *http.Client, what, rawURL string, hdr http.Header, limit int64) (*response, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for k, vs := range hdr {
			req.Header[k] = vs
		}
		started := time.Now()
		resp, err := hc.Do(req)
		var r *response
		if err == nil {
			var body []byte
			body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
			resp.Body.Close()
			if err == nil && int64(len(body)) > limit {
				return nil, fmt.Errorf("%s: TrainingPeaks sent more than %d MB", what, limit>>20)
			}
			r = &response{status: resp.StatusCode, header: resp.Header, body: body, path: req.URL.Path}
			if resp.Request != nil && resp.Request.URL != nil {
				r.path = resp.Request.URL.Path
			}
		}
		c.logRequest(req, r, err, attempt, time.Since(started))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil && !retryable(r.status) {
			return r, nil
		}
		if err != nil {
			lastErr = fmt.Errorf("%s: %w", what, redactURLError(err))
		} else {
			lastErr = unexpected(what, r)
		}
		if attempt >= c.attempts {
			return nil, fmt.Errorf("gave up after %d attempts: %w", attempt, lastErr)
		}
		wait := c.backoff(attempt)
		if r != nil {
			if ra, ok := retryAfter(r.header.Get("Retry-After"), c.now()); ok {
				if ra > maxRetryAfter {
					return nil, fmt.Errorf("%w (TrainingPeaks asks to wait %s; try again later)", lastErr, ra.Round(time.Second))
				}
				wait = max(wait, ra)
			}
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// redactURLError keeps the operation and cause of a transport error; the URL
// holds no secret, but the error text must stay short and stable.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// retryAfter reads seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		if time.Duration(n) > math.MaxInt64/time.Second {
			return math.MaxInt64, true // multiplying would wrap into a short wait
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// logRequest records what the open questions need: method, host, path,
// status, time, Retry-After. Never headers: they carry the cookie or bearer.
func (c *Client) logRequest(req *http.Request, r *response, err error, attempt int, took time.Duration) {
	attrs := []any{"method", req.Method, "host", req.URL.Host, "path", req.URL.Path, "attempt", attempt, "ms", took.Milliseconds()}
	if err != nil {
		c.log.Debug("trainingpeaks request failed", append(attrs, "error", redactURLError(err).Error())...)
		return
	}
	attrs = append(attrs, "status", r.status, "bytes", len(r.body))
	if ra := r.header.Get("Retry-After"); ra != "" {
		attrs = append(attrs, "retry_after", ra)
	}
	c.log.Debug("trainingpeaks request", attrs...)
}

// callKind says how a 403 is treated.
type callKind int

const (
	callData callKind = iota // list, user, details: a 403 may be an expired session
	callFile                 // rawfiledata: a 403 may be the account type
)

// get makes an authenticated API call. A 401 (or 403, which some report for
// expired sessions) drops the bearer, exchanges the cookie again and retries
// the call once. A 401 that survives a fresh bearer means "sign in again".
func (c *Client) get(ctx context.Context, what, path string, kind callKind) (*response, error) {
	limit := int64(maxJSONBody)
	accept := "application/json"
	if kind == callFile {
		limit, accept = maxFileBody, "*/*"
	}
	var r *response
	for try := 0; try < 2; try++ {
		tok, err := c.bearer(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		hdr := http.Header{
			"Authorization": {"Bearer " + tok},
			"Accept":        {accept},
		}
		r, err = c.send(ctx, c.hc, what, c.api+path, hdr, limit)
		if err != nil {
			return nil, err
		}
		refused := r.status == http.StatusUnauthorized ||
			r.status == http.StatusForbidden && !(kind == callFile && c.filesRefused.Load())
		if !refused || try == 1 {
			break
		}
		c.log.Debug("trainingpeaks bearer refused; exchanging the cookie again", "status", r.status, "path", path)
		c.dropBearer(tok)
	}
	if r.status == http.StatusUnauthorized {
		return nil, fmt.Errorf("%s: TrainingPeaks refused a freshly issued session (HTTP 401); sign in to TrainingPeaks again: %w", what, source.ErrNeedsSignIn)
	}
	return r, nil
}

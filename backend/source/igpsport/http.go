package igpsport

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
	"time"
	"unicode/utf8"

	"fitbridge/backend/source"
)

// Gateway paths, the same for both regions.
const (
	pathLogin    = "/service/auth/account/login"
	pathActivity = "/service/web-gateway/web-analyze/activity/"
	pathList     = pathActivity + "queryMyActivity"
	pathDetail   = pathActivity + "queryActivityDetail/"
	pathDownload = pathActivity + "getDownloadUrl/"
)

const userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36"

// ErrChinaSigning means the China gateway wants request signatures that
// only iGPSport's own web code can make, and the browser fallback did not help.
var ErrChinaSigning = errors.New("iGPSport China now requires signed requests that FitBridge cannot make yet; international accounts work")

// APIError is an answer from iGPSport that carries no data: a failed HTTP
// status, or HTTP 200 with a non-zero business code.
type APIError struct {
	Op      string // what was being done: "list rides, page 3"
	Status  int    // HTTP status
	Code    int    // business code; 0 when the HTTP status failed
	Message string // iGPSport's message, shown to the rider

	signIn    bool // the token was refused
	signature bool // the China gateway wants signed requests
}

func (e *APIError) Error() string {
	var what string
	switch {
	case e.Code != 0 && e.Message != "":
		what = fmt.Sprintf("iGPSport answered code %d: %s", e.Code, e.Message)
	case e.Code != 0:
		what = fmt.Sprintf("iGPSport answered code %d", e.Code)
	case e.Message != "":
		what = fmt.Sprintf("iGPSport answered HTTP %d: %s", e.Status, e.Message)
	default:
		what = fmt.Sprintf("iGPSport answered HTTP %d", e.Status)
	}
	if e.signIn {
		what += " (the saved sign-in is no longer accepted: connect iGPSport again)"
	}
	return e.Op + ": " + what
}

// Unwrap lets callers test errors.Is(err, source.ErrNeedsSignIn) and ErrChinaSigning.
func (e *APIError) Unwrap() error {
	switch {
	case e.signIn:
		return source.ErrNeedsSignIn
	case e.signature:
		return ErrChinaSigning
	}
	return nil
}

// envelope is every gateway answer: code 0 means success, whatever the HTTP status.
type envelope struct {
	Code    *int            `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// call makes one gateway call and decodes the envelope's data into out.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body any, out any) error {
	u := c.hosts.gateway + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := c.pace.Wait(ctx); err != nil {
		return err
	}
	status, _, raw, err := c.do(ctx, c.api, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		c.gatewayHeaders(req, path == pathLogin)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	})
	if err != nil {
		return err
	}
	return c.unsignedRefusal(c.decode(op, status, raw, out))
}

// unsignedRefusal reads any refused or unexplained answer to an unsigned
// China call (a 4xx, 401 included, a non-zero code, a page that is not
// JSON) as the gateway wanting what only the signed-in web app sends: one
// public client signs every China call, the others call unsigned, and no
// one has shown what an unsigned call gets where signing is enforced. So
// neither the wording nor the status decides; the web app then judges the
// session. Server trouble (429, 5xx) stays what it is.
func (c *Client) unsignedRefusal(err error) error {
	var e *APIError
	if c.region != RegionChina || !errors.As(err, &e) || e.signature || e.Status == http.StatusTooManyRequests || e.Status >= 500 {
		return err
	}
	e.signature, e.signIn = true, false
	return err
}

// gatewayHeaders are what the web app sends; one client found the
// browser-like ones essential in Europe.
func (c *Client) gatewayHeaders(req *http.Request, login bool) {
	h := req.Header
	h.Set("Accept", "application/json, text/plain, */*")
	h.Set("User-Agent", userAgent)
	h.Set("qiwu-app-version", appVersion[c.region])
	h.Set("timezone", "Asia/Shanghai")
	origin := c.hosts.app
	if login {
		origin = c.hosts.passport
	}
	h.Set("Origin", origin)
	h.Set("Referer", origin+"/")
	// No x-platform or x-access-key: the web app sends them only with its
	// signature, and the unsigned clients that worked sent neither.
	if !login && c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	}
}

// decode turns a gateway answer into data or an APIError. It serves the
// API and the web app's answers read through the browser alike.
func (c *Client) decode(op string, status int, raw []byte, out any) error {
	var env envelope
	jsonErr := json.Unmarshal(raw, &env)
	if status != http.StatusOK {
		e := &APIError{Op: op, Status: status, Message: env.Message}
		if jsonErr != nil || env.Message == "" {
			e.Message = snippet(raw)
		}
		if env.Code != nil {
			e.Code = *env.Code
		}
		switch {
		case status == http.StatusUnauthorized:
			e.signIn = true
		case status == http.StatusForbidden && c.region == RegionChina:
			// The reference saw 403 for unsigned China calls (and from a WAF):
			// either way only the web app itself gets through.
			e.signature = true
		case signatureMessage(e.Message):
			e.signature = true
		}
		return e
	}
	if jsonErr != nil || env.Code == nil {
		return &APIError{Op: op, Status: status, Message: "unexpected answer: " + snippet(raw)}
	}
	if *env.Code != 0 {
		e := &APIError{Op: op, Status: status, Code: *env.Code, Message: env.Message}
		msg := strings.ToLower(env.Message)
		switch {
		case signatureMessage(env.Message):
			e.signature = true
		case *env.Code == 401 || strings.Contains(msg, "token") || strings.Contains(msg, "登录") || strings.Contains(msg, "unauthori"):
			e.signIn = true
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%s: iGPSport's answer has an unexpected shape: %w", op, err)
	}
	return nil
}

// signatureMessage recognises the gateway asking for request signatures.
func signatureMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "signature") || strings.Contains(m, "签名")
}

// do sends a request, retrying network errors, 429 and 5xx with backoff
// and jitter (Retry-After honoured). It returns the last answer's status,
// headers and body; only giving up on the network is an error.
func (c *Client) do(ctx context.Context, hc *http.Client, op string, build func(context.Context) (*http.Request, error)) (int, http.Header, []byte, error) {
	const maxBody = 64 << 20
	for attempt := 1; ; attempt++ {
		req, err := build(ctx)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("%s: %w", op, err)
		}
		start := c.opts.Now()
		resp, err := hc.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
			resp.Body.Close()
			if err == nil && len(body) > maxBody {
				return 0, nil, nil, fmt.Errorf("%s: iGPSport sent more than %d MB", op, maxBody>>20)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, nil, ctx.Err()
			}
			// The URL inside a transport error can be a storage link: keep it out.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			c.log.Info("igpsport request failed", "op", op, "host", req.URL.Host, "path", logPath(req.URL.Path), "attempt", attempt, "err", err)
			if attempt >= c.opts.MaxAttempts {
				return 0, nil, nil, fmt.Errorf("%s: iGPSport could not be reached after %d tries: %w", op, attempt, err)
			}
			if err := c.opts.Sleep(ctx, c.backoff(attempt)); err != nil {
				return 0, nil, nil, err
			}
			continue
		}
		c.logRequest(op, req, resp, body, start)
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return resp.StatusCode, resp.Header, body, nil
		}
		if attempt >= c.opts.MaxAttempts {
			return resp.StatusCode, resp.Header, body, nil
		}
		wait := c.backoff(attempt)
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), c.opts.Now()); ok {
			if ra > c.opts.MaxRetryAfter {
				return 0, nil, nil, fmt.Errorf("%s: iGPSport asked to wait %s before trying again; try later", op, ra.Round(time.Second))
			}
			wait = max(wait, ra)
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return 0, nil, nil, err
		}
	}
}

// backoff is the wait before attempt+1: doubling from RetryBase, capped,
// with half of it random so parallel clients spread out.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.RetryBase << min(attempt-1, 20)
	if d > c.opts.RetryMax || d <= 0 {
		d = c.opts.RetryMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
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
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// loggedParams are the query parameters whose values may be logged; of the
// others only the names are.
var loggedParams = map[string]bool{"pageNo": true, "pageSize": true, "reqType": true, "sort": true, "sortType": true, "beginTime": true, "endTime": true}

// logRequest writes the request line and the answer's shape, never a secret.
func (c *Client) logRequest(op string, req *http.Request, resp *http.Response, body []byte, start time.Time) {
	attrs := []any{
		"op", op, "method", req.Method, "host", req.URL.Host, "path", logPath(req.URL.Path),
		"status", resp.StatusCode, "ms", c.opts.Now().Sub(start).Milliseconds(), "bytes", len(body),
	}
	if q := req.URL.Query(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			if loggedParams[k] {
				keys = append(keys, k+"="+q.Get(k))
			} else {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		attrs = append(attrs, "query", strings.Join(keys, "&"))
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		attrs = append(attrs, "retry_after", ra)
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		attrs = append(attrs, jsonShape(body)...)
	}
	c.log.Debug("igpsport request", attrs...)
}

// logPath keeps the gateway paths and hides storage object names, which
// work as download links on their own.
func logPath(p string) string {
	if strings.HasPrefix(p, "/service/") {
		return p
	}
	return fmt.Sprintf("(object, %d chars)", len(p))
}

// jsonShape summarises a gateway answer for the log: its keys, code,
// message and page counters.
func jsonShape(body []byte) []any {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []any{"keys", strings.Join(keys, ",")}
	if v, ok := top["code"]; ok {
		out = append(out, "code", string(v))
	}
	var msg string
	if json.Unmarshal(top["message"], &msg) == nil && msg != "" {
		out = append(out, "message", msg)
	}
	var page struct {
		PageNo, PageSize, TotalPage, TotalRows *int
		Rows                                   []json.RawMessage
	}
	if json.Unmarshal(top["data"], &page) == nil && page.TotalPage != nil {
		out = append(out, "pageNo", deref(page.PageNo), "pageSize", deref(page.PageSize),
			"totalPage", deref(page.TotalPage), "totalRows", deref(page.TotalRows), "rows", len(page.Rows))
	}
	return out
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// snippet is a short, printable head of an answer for an error message.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		cut := 160
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character: messages are often Chinese
		}
		s = s[:cut] + "…"
	}
	return s
}

package igpsport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"fitbridge/backend/httpcall"
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
	hdr := http.Header{}
	c.gatewayHeaders(hdr, path == pathLogin)
	if body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	resp, err := c.calls.Do(ctx, httpcall.Request{
		Op: op, Method: method, URL: u, Header: hdr, Body: payload,
		Classify: func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
			if err == nil && !httpcall.Retryable(r.Status) {
				return httpcall.Accept, nil
			}
			return c.retry(op, r, err)
		},
	})
	if err != nil {
		return err
	}
	return c.unsignedRefusal(c.decode(op, resp.Status, resp.Body, out))
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

// retry describes a failed try the call layer tries again: the network,
// a 429 or a 5xx.
func (c *Client) retry(op string, r *httpcall.Response, err error) (httpcall.Verdict, error) {
	if err != nil {
		why := fmt.Errorf("%s: iGPSport could not be reached: %w", op, err)
		if !httpcall.Transient(err) {
			return httpcall.Permanent, why
		}
		return httpcall.Retry, why
	}
	return httpcall.Retry, c.decode(op, r.Status, r.Body, nil)
}

// gatewayHeaders are what the web app sends; one client found the
// browser-like ones essential in Europe.
func (c *Client) gatewayHeaders(h http.Header, login bool) {
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
func jsonShape(r *httpcall.Response) []any {
	if !strings.Contains(r.Header.Get("Content-Type"), "json") {
		return nil
	}
	body := r.Body
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	keys := httpcall.JSONKeys(body)
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
func snippet(b []byte) string { return httpcall.Snippet(b, 160) }

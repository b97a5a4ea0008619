package mywhoosh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"fitbridge/backend/httpcall"
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
	// file marks a bucket fetch: it takes one of the declared download slots.
	file bool
}

// do sends c through the call layer. 401/403 on a call carrying the session
// mean the session is gone; 429, 5xx and network errors are retried. Other
// statuses come back as *HTTPError; the body of a 2xx answer is returned
// with its headers.
func (cl *Client) do(ctx context.Context, c call) ([]byte, http.Header, error) {
	u, err := url.Parse(c.url)
	if err != nil {
		return nil, nil, fmt.Errorf("mywhoosh: bad URL: %w", err)
	}
	where := u.Scheme + "://" + u.Host + u.Path
	hdr := http.Header{"User-Agent": {userAgent}}
	if c.body != nil {
		hdr.Set("Content-Type", "application/json")
		hdr.Set("Accept", "application/json")
	}
	for k, v := range c.header {
		hdr.Set(k, v)
	}
	if c.bearer {
		hdr.Set("Authorization", "Bearer "+cl.token)
	}
	resp, err := cl.calls.Do(ctx, httpcall.Request{
		Op: c.method + " " + where, Method: c.method, URL: c.url, Header: hdr, Body: c.body, Client: c.client, File: c.file,
		Classify: func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
			return classify(c.bearer, where, u.Host, r, err)
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return resp.Body, resp.Header, nil
}

// classify is what a MyWhoosh answer means.
func classify(bearer bool, where, host string, r *httpcall.Response, err error) (httpcall.Verdict, error) {
	switch {
	case err != nil:
		return httpcall.Retry, fmt.Errorf("MyWhoosh could not be reached (%s): %w", host, err)
	case r.Status >= 200 && r.Status < 300:
		return httpcall.Accept, nil
	case bearer && (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden):
		return httpcall.NeedsSignIn, fmt.Errorf("MyWhoosh refused the session (HTTP %d): %w", r.Status, source.ErrNeedsSignIn)
	case r.Status == http.StatusTooManyRequests || r.Status >= 500:
		return httpcall.Retry, &HTTPError{Status: r.Status, URL: where, Body: snippet(r.Body)}
	}
	return httpcall.Permanent, &HTTPError{Status: r.Status, URL: where, Body: snippet(r.Body), raw: r.Body}
}

func snippet(b []byte) string {
	if s := httpcall.Snippet(b, 200); s != "" {
		return s
	}
	return "(empty body)"
}

// expiryMargin: a token this close to its exp is treated as expired, so it
// does not run out halfway through a backfill (reference 2.3).
const expiryMargin = 5 * time.Minute

// envelope is service14's answer: {"error":false,"code":200,"message":"","data":...}.
type envelope map[string]json.RawMessage

// authWords mark a business error that really means the session is gone.
var authWords = []string{"unauthorized", "forbidden", "invalid token", "token expired", "jwt", "not logged in"}

// profile posts payload to a rider-profile path and returns the envelope.
// Public clients disagree on the body: most send plain JSON, the one that
// uses the portal's web session sends the CryptoJS form. Until a form has
// worked in this session, any refusal (a 4xx, 401 and 403 included, a 200
// with error:true, an answer that is not an envelope) is tried once more in
// the other form before it counts: a good session refused for its body's
// form must not look refused. The form that worked is kept for the session
// and, through OnSetting, for the account.
func (cl *Client) profile(ctx context.Context, path string, payload any) (envelope, error) {
	if exp := cl.expires; !exp.IsZero() && !time.Now().Add(expiryMargin).Before(exp) {
		return nil, fmt.Errorf("the MyWhoosh session has expired or is about to (exp %s): %w", exp.Format(time.RFC3339), source.ErrNeedsSignIn)
	}
	plain, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	enc := cl.encrypted.Load()
	env, err := cl.post(ctx, path, plain, enc)
	if err == nil {
		cl.formWorked(enc)
		return env, nil
	}
	if cl.formSettled.Load() || !refusedForm(err) {
		return nil, err
	}
	cl.log.Info("MyWhoosh refused the body; trying the other form", "path", path, "form", formName(enc), "error", err)
	env, err2 := cl.post(ctx, path, plain, !enc)
	if err2 == nil {
		cl.encrypted.Store(!enc)
		cl.formWorked(!enc)
		cl.log.Info("MyWhoosh took the other body form", "path", path, "form", formName(!enc))
		return env, nil
	}
	cl.log.Info("both body forms were refused", "path", path, formName(enc), err.Error(), formName(!enc), err2.Error())
	return nil, weightier(err, err2)
}

// post sends one body in one form and reads the envelope and its verdict.
func (cl *Client) post(ctx context.Context, path string, plain []byte, encrypted bool) (envelope, error) {
	body := plain
	if encrypted {
		body, _ = json.Marshal(encryptBody(plain))
	}
	raw, _, err := cl.do(ctx, call{method: http.MethodPost, url: cl.hosts.API + path, body: body, bearer: true, header: cl.apiHeader()})
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || env == nil {
		return nil, &notEnvelopeError{snippet(raw)}
	}
	if err := env.businessError(); err != nil {
		return nil, err
	}
	return env, nil
}

// apiHeader is sent with every rider-profile call: the alternative login's
// "Source: connect" once that login is what made the session.
func (cl *Client) apiHeader() map[string]string {
	if cl.loginSource == "" {
		return nil
	}
	return map[string]string{"Source": cl.loginSource}
}

// formWorked settles the body form for the session, and tells the account
// when it differs from what was stored.
func (cl *Client) formWorked(encrypted bool) {
	if !cl.formSettled.CompareAndSwap(false, true) {
		return
	}
	if f := formName(encrypted); f != cl.storedForm && cl.onSetting != nil {
		cl.onSetting(SettingBodyForm, f)
	}
}

func formName(encrypted bool) string {
	if encrypted {
		return FormEncrypted
	}
	return FormPlain
}

type notEnvelopeError struct{ body string }

func (e *notEnvelopeError) Error() string {
	return "MyWhoosh answered something that is not JSON: " + e.body
}

// refusedForm reports an answer that may mean "not this body form": any
// 4xx but 429 (401 and 403 included), a business error, a refused session
// or an answer that is not an envelope. Network errors and 5xx were retried
// already; another form cannot help with them.
func refusedForm(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 400 && he.Status < 500 && he.Status != http.StatusTooManyRequests
	}
	var ae *APIError
	var ne *notEnvelopeError
	return errors.Is(err, source.ErrNeedsSignIn) || errors.As(err, &ae) || errors.As(err, &ne)
}

// weightier picks which of two refusals to report: a business answer shows
// the service read the body, so it says most; a refused session next; a
// refusal of the body's shape least.
func weightier(a, b error) error {
	rank := func(err error) int {
		var ae *APIError
		switch {
		case errors.As(err, &ae):
			return 2
		case errors.Is(err, source.ErrNeedsSignIn):
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
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

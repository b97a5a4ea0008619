package doctor

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBody is how much of a reply the recorder reads to describe it.
// The caller still gets the whole body.
const DefaultMaxBody = 8 << 20

// Exchange is one request and its answer, as far as it is safe to keep: no
// header that can carry a secret, no query value, no body value.
type Exchange struct {
	Method    string   `json:"method"`
	Host      string   `json:"host"`
	Path      string   `json:"path"`
	QueryKeys []string `json:"query_keys,omitempty"`
	// Auth is the kind of credentials sent ("Bearer", "Basic", "cookie"), never their value.
	Auth    string            `json:"auth,omitempty"`
	Status  int               `json:"status"` // 0 when no answer came
	Millis  int64             `json:"ms"`
	Headers map[string]string `json:"headers,omitempty"` // the allowed response headers only
	Bytes   int64             `json:"bytes"`
	Shape   any               `json:"shape,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// Recorder is an http.RoundTripper that keeps an Exchange for every request
// it carries. Safe for concurrent use.
type Recorder struct {
	next    http.RoundTripper
	maxBody int

	mu        sync.Mutex
	exchanges []Exchange
}

// NewRecorder records the requests next carries (nil: http.DefaultTransport).
func NewRecorder(next http.RoundTripper) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Recorder{next: next, maxBody: DefaultMaxBody}
}

// Client is an HTTP client whose requests go through the recorder.
func (r *Recorder) Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: r, Timeout: timeout}
}

// Exchanges returns what was recorded so far, oldest first.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// Take returns what was recorded so far and forgets it, so one recorder can
// serve several checks in turn.
func (r *Recorder) Take() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.exchanges
	r.exchanges = nil
	return out
}

func (r *Recorder) add(ex Exchange) {
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
}

// RoundTrip implements http.RoundTripper. The answer's body is read (up to
// the recorder's limit) to describe it and handed on unchanged.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := Exchange{
		Method:    req.Method,
		Host:      req.URL.Host,
		Path:      req.URL.Path,
		QueryKeys: sortedKeys(req.URL.Query()),
		Auth:      authKind(req.Header),
	}
	start := time.Now()
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		ex.Millis = time.Since(start).Milliseconds()
		ex.Error = err.Error()
		r.add(ex)
		return resp, err
	}
	buf, rerr := io.ReadAll(io.LimitReader(resp.Body, int64(r.maxBody)+1))
	ex.Millis = time.Since(start).Milliseconds()
	ex.Status = resp.StatusCode
	ex.Headers = keptHeaders(resp.Header, req.URL)
	truncated := len(buf) > r.maxBody
	ex.Bytes = int64(len(buf))
	if truncated && resp.ContentLength > 0 {
		ex.Bytes = resp.ContentLength
	}
	switch {
	case rerr != nil:
		ex.Error = "reading the answer: " + rerr.Error()
		ex.Shape = describeBody(resp.Header.Get("Content-Type"), buf, true)
	default:
		ex.Shape = Shape(resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"), buf[:min(len(buf), r.maxBody)], truncated)
	}
	r.add(ex)
	// The caller reads what was already read, then the rest (or the same read error).
	var rest io.Reader = resp.Body
	if rerr != nil {
		rest = errReader{rerr}
	}
	resp.Body = body{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: resp.Body}
	return resp, nil
}

type body struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// authKind names the credentials a request carries without their value.
func authKind(h http.Header) string {
	var kinds []string
	if v := strings.TrimSpace(h.Get("Authorization")); v != "" {
		scheme, _, found := strings.Cut(v, " ")
		switch s := strings.ToLower(scheme); {
		case found && (s == "bearer" || s == "basic" || s == "token" || s == "digest"):
			kinds = append(kinds, strings.ToUpper(s[:1])+s[1:])
		default:
			kinds = append(kinds, "Authorization header")
		}
	}
	if h.Get("Cookie") != "" {
		kinds = append(kinds, "cookie")
	}
	for _, k := range []string{"X-Api-Key", "Api-Key", "X-Auth-Token", "Token"} {
		if h.Get(k) != "" {
			kinds = append(kinds, k+" header")
		}
	}
	return strings.Join(kinds, ", ")
}

// shownHeaders are response headers whose values say how a service answers
// and never who asked: Authorization, Cookie and Set-Cookie are never among them.
var shownHeaders = []string{
	"Content-Type", "Content-Encoding", "Content-Length", "Retry-After",
	"X-Amz-Expires", "Expires", "Server", "Www-Authenticate",
}

func keptHeaders(h http.Header, reqURL *url.URL) map[string]string {
	out := map[string]string{}
	for _, k := range shownHeaders {
		if v := h.Get(k); v != "" {
			out[k] = v
		}
	}
	for k, vs := range h {
		lk := strings.ToLower(k)
		if (strings.HasPrefix(lk, "x-ratelimit") || strings.HasPrefix(lk, "ratelimit")) && len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	if v := h.Get("Content-Disposition"); v != "" {
		out["Content-Disposition"] = describeDisposition(v)
	}
	if v := h.Get("Location"); v != "" {
		out["Location"] = withoutQuery(v, reqURL)
	}
	if n := len(h.Values("Set-Cookie")); n > 0 {
		out["Set-Cookie"] = fmt.Sprintf("%d cookie(s), not recorded", n)
	}
	// A presigned download's lifetime, in seconds: a number, never a secret.
	if v := amzExpires(reqURL.Query()); v != "" {
		out["X-Amz-Expires (request)"] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// describeDisposition keeps the disposition type and what kind of file
// name is given (its length and extension), not the name itself.
func describeDisposition(v string) string {
	typ, params, err := mime.ParseMediaType(v)
	if err != nil {
		return fmt.Sprintf("unparsable (len %d)", len(v))
	}
	out := typ
	for _, k := range sortedKeys(params) {
		p := params[k]
		if k == "filename" || k == "filename*" {
			out += fmt.Sprintf("; %s=<len %d, extension %q>", k, len(p), fullExt(p))
		} else {
			out += "; " + k + "=<len " + fmt.Sprint(len(p)) + ">"
		}
	}
	return out
}

// fullExt is ".fit.gz" for "ride.fit.gz".
func fullExt(name string) string {
	ext := ""
	for range 2 {
		e := path.Ext(name)
		if e == "" || len(e) > 6 {
			break
		}
		ext = e + ext
		name = strings.TrimSuffix(name, e)
	}
	return ext
}

// withoutQuery keeps where a redirect goes (scheme, host, path), never its
// query or fragment, where sign-in flows put tokens.
func withoutQuery(loc string, base *url.URL) string {
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Sprintf("unparsable (len %d)", len(loc))
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	out := u.Scheme + "://" + u.Host + u.Path
	if u.RawQuery != "" {
		out += "?" + strings.Join(sortedKeys(u.Query()), "&")
	}
	return out
}

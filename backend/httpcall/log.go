package httpcall

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// loggedValues are the query keys whose values say what was fetched without
// saying who asked; of the others only the names are logged.
var loggedValues = map[string]bool{
	"page": true, "pageNo": true, "pageSize": true, "limit": true, "oldest": true, "newest": true,
	"startDate": true, "endDate": true, "beginTime": true, "endTime": true, "reqType": true, "sort": true, "sortType": true,
}

// log writes one line per try: the request line, the answer's size,
// status, time and Retry-After, never a header or a secret.
func (c *Caller) log(ctx context.Context, r Request, req *http.Request, attempt int, start time.Time, resp *Response, err error) {
	if !c.o.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{
		"op", r.Op, "method", req.Method, "host", req.URL.Host, "path", c.redact(c.o.LogPath(req.URL.Path)),
		"attempt", attempt, "ms", time.Since(start).Milliseconds(),
	}
	if q := req.URL.Query(); len(q) > 0 {
		attrs = append(attrs, "query", c.redact(LogQuery(q)))
	}
	if resp != nil {
		attrs = append(attrs, "status", resp.Status, "bytes", len(resp.Body), "content_type", resp.Header.Get("Content-Type"))
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			attrs = append(attrs, "retry_after", ra)
		}
		if err == nil && c.o.Describe != nil {
			attrs = append(attrs, c.o.Describe(resp)...)
		}
	}
	if err != nil {
		attrs = append(attrs, "err", c.redact(err.Error()))
	}
	c.o.Logger.DebugContext(ctx, c.o.Name+" request", attrs...)
}

// LogQuery is a query fit for a log: the values of paging and date keys,
// the names only of the others (they can hold rider data or a secret).
func LogQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if loggedValues[k] {
			keys = append(keys, k+"="+q.Get(k))
		} else {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, "&")
}

// redact removes the Caller's secrets and every credential shape.
func (c *Caller) redact(s string) string { return c.secrets.String(s) }

// AddSecret makes secrets learnt later (an exchanged bearer) known to the log.
func (c *Caller) AddSecret(s ...string) { c.secrets.Add(s...) }

// JSONKeys lists a JSON object's top-level keys, sorted: an answer's shape
// for logs and errors, never its values. Nil when b is no object.
func JSONKeys(b []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Snippet is a short, single-line head of an answer for an error message,
// never splitting a character (messages are often Chinese).
func Snippet(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

package doctor

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fitbridge/backend/claims"
)

// maxDepth bounds how deep a skeleton goes: a reply nested deeper than this
// is unusual enough that its top levels already tell the story.
const maxDepth = 16

// keptValues are keys whose number or boolean values are envelope status
// fields and paging counters (the reference's suggested logging): they say
// how an answer is built, never who asked. Strings are never kept.
var keptValues = []string{
	"code", "status", "statuscode", "error", "success", "issuccess",
	"total", "totalpages", "totalpage", "totalrows", "totalcount", "count",
	"page", "pageno", "pageindex", "pagesize", "limit",
	"expires_in", "expiresin",
}

func keepValue(key string) bool { return slices.Contains(keptValues, strings.ToLower(key)) }

// Shape describes a reply body without any of its values. JSON becomes a
// skeleton with the same keys, in which strings are "string(len N)", JWTs
// name their claims and times, numbers are "number" and arrays give their
// length and the shape of their first element. Anything else is described
// by kind, size and, for binary data, its first 12 bytes in hex (enough to
// tell gzip, zip and FIT apart). truncated says the body was cut short.
func Shape(contentType, contentEncoding string, body []byte, truncated bool) any {
	if len(body) == 0 {
		return "empty"
	}
	if strings.EqualFold(strings.TrimSpace(contentEncoding), "gzip") && isGzip(body) && !truncated {
		// Asked-for compression (Go's transport undoes its own): describe the content.
		if inner, ok := gunzip(body); ok {
			body = inner
		}
	}
	if !truncated {
		if v, ok := parseJSON(body); ok {
			return shapeJSON(v, "", 0)
		}
	}
	return describeBody(contentType, body, truncated)
}

func gunzip(b []byte) ([]byte, bool) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, 16<<20))
	if err != nil || len(out) == 0 {
		return nil, false
	}
	return out, true
}

// parseJSON reads one whole JSON value, keeping numbers as written.
func parseJSON(b []byte) (any, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[' && t[0] != '"') {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

func shapeJSON(v any, key string, depth int) any {
	if depth >= maxDepth {
		return "..."
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = shapeJSON(x, k, depth+1)
		}
		return out
	case []any:
		if len(t) == 0 {
			return []any{"array(len 0)"}
		}
		head := fmt.Sprintf("array(len %d)", len(t))
		// Rows that differ from the first (Strava stubs among full
		// activities) are counted, not shown.
		if first, ok := t[0].(map[string]any); ok {
			other := 0
			for _, e := range t[1:] {
				if m, ok := e.(map[string]any); !ok || !sameKeys(first, m) {
					other++
				}
			}
			if other > 0 {
				head = fmt.Sprintf("array(len %d, %d with other keys than the first)", len(t), other)
			}
		}
		return []any{head, shapeJSON(t[0], "", depth+1)}
	case string:
		return DescribeString(t)
	case json.Number:
		if keepValue(key) {
			return "number " + t.String()
		}
		return "number"
	case bool:
		if keepValue(key) {
			return "bool " + strconv.FormatBool(t)
		}
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func sameKeys(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// DescribeString says what a string is without saying what it holds: its
// length; for a JWT its claim names, iat, exp and lifetime; for a URL its
// host and query keys (and X-Amz-Expires, a lifetime in seconds).
func DescribeString(s string) string {
	if d, ok := describeJWT(s); ok {
		return d
	}
	if d, ok := describeURL(s); ok {
		return d
	}
	return fmt.Sprintf("string(len %d)", len(s))
}

// describeJWT summarises a JWT (only the claim names and times are ever
// shown); a three-part string that does not start like one is not taken
// for one.
func describeJWT(s string) (string, bool) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "Bearer ")
	if !strings.HasPrefix(t, "eyJ") {
		return "", false
	}
	return claims.Summary(s)
}

func describeURL(s string) (string, bool) {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	parts := []string{fmt.Sprintf("len %d", len(s)), "host " + u.Hostname()}
	q := u.Query()
	if keys := sortedKeys(q); len(keys) > 0 {
		parts = append(parts, "query keys "+strings.Join(keys, ","))
	}
	if v := amzExpires(q); v != "" {
		parts = append(parts, "X-Amz-Expires "+v)
	}
	return "url(" + strings.Join(parts, ", ") + ")", true
}

// amzExpires is a signed URL's lifetime in seconds, when it is only digits.
func amzExpires(q url.Values) string {
	for k, vs := range q {
		if strings.EqualFold(k, "X-Amz-Expires") && len(vs) > 0 && isDigits(vs[0]) {
			return vs[0]
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describeBody names a body that is not JSON by kind and size.
func describeBody(contentType string, body []byte, truncated bool) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" {
		mt = "no content type"
	}
	size := fmt.Sprintf("%d bytes", len(body))
	if truncated {
		size = fmt.Sprintf("more than %d bytes, not parsed", len(body))
	}
	if isText(body) {
		kind := "text"
		if root := xmlRoot(body); root != "" {
			kind = "xml(root " + root + ")"
		} else if looksHTML(body) {
			kind = "html"
		}
		return fmt.Sprintf("%s, %s, %s", kind, mt, size)
	}
	head := body[:min(12, len(body))]
	out := fmt.Sprintf("binary, %s, %s, head %s", mt, size, hex.EncodeToString(head))
	if k := magic(body); k != "" {
		out += ", looks like " + k
	}
	return out
}

func isText(b []byte) bool {
	sample := b[:min(512, len(b))]
	// A multi-byte rune cut at the sample's end is still text.
	for i := 0; i < 3 && len(sample) < len(b) && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1]
	}
	if !utf8.Valid(sample) {
		return false
	}
	for _, c := range sample {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

func looksHTML(b []byte) bool {
	t := strings.ToLower(string(bytes.TrimSpace(b[:min(256, len(b))])))
	return strings.HasPrefix(t, "<!doctype html") || strings.HasPrefix(t, "<html")
}

// xmlRoot is the name of an XML document's first element ("Error" for an
// S3 refusal); "" when the body is not XML or is HTML.
func xmlRoot(b []byte) string {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '<' || looksHTML(t) {
		return ""
	}
	dec := xml.NewDecoder(bytes.NewReader(t))
	for range 8 {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
	return ""
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// magic names the file kinds FitBridge handles, from their first bytes.
func magic(b []byte) string {
	switch {
	case isGzip(b):
		return "gzip"
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		return "zip"
	case len(b) >= 12 && string(b[8:12]) == ".FIT":
		return "FIT"
	}
	return ""
}

package secrets

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Redacted replaces every secret the redactor finds.
const Redacted = "[redacted]"

// minSecretLen is the shortest value treated as a known secret: shorter ones
// are not credible keys, and replacing them would erase ordinary words and
// numbers from the logs.
const minSecretLen = 4

// Redactor removes secrets from text bound for a log. It knows the secrets
// the app currently holds (Add and Remove them as they are loaded, stored and
// deleted) and also recognises credential shapes it was never told about
// (JWTs, Bearer and Basic values, Authorization and Cookie headers,
// password=/token=/key= values...). Safe for concurrent use; the zero value
// and a nil *Redactor work and apply the patterns only.
type Redactor struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	repl    *strings.Replacer // nil while no secret is known
}

// NewRedactor returns a Redactor that knows no secret yet.
func NewRedactor() *Redactor { return &Redactor{} }

// Add makes the secrets known. Values shorter than four characters are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		if _, ok := r.secrets[s]; ok {
			continue
		}
		if r.secrets == nil {
			r.secrets = make(map[string]struct{})
		}
		r.secrets[s] = struct{}{}
		changed = true
	}
	if changed {
		r.rebuildLocked()
	}
}

// Remove forgets the secrets, once the app no longer holds them.
func (r *Redactor) Remove(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range secrets {
		if _, ok := r.secrets[s]; ok {
			delete(r.secrets, s)
			changed = true
		}
	}
	if changed {
		r.rebuildLocked()
	}
}

func (r *Redactor) rebuildLocked() {
	seen := make(map[string]struct{})
	var needles []string
	for s := range r.secrets {
		for _, n := range forms(s) {
			if _, ok := seen[n]; ok || len(n) < minSecretLen {
				continue
			}
			seen[n] = struct{}{}
			needles = append(needles, n)
		}
	}
	if len(needles) == 0 {
		r.repl = nil
		return
	}
	// strings.Replacer takes the first needle that matches at a position, so
	// longer forms go first: a secret inside its own escaped form must not
	// leave the rest of that form behind.
	slices.SortFunc(needles, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	args := make([]string, 0, 2*len(needles))
	for _, n := range needles {
		args = append(args, n, Redacted)
	}
	r.repl = strings.NewReplacer(args...)
}

// forms are the ways a secret shows up in text: as is, as the base64 of
// Intervals.icu's "API_KEY:<key>" Basic credentials or of itself, URL-encoded
// in a query or a path, and escaped inside JSON or Go-quoted strings.
func forms(s string) []string {
	out := []string{s}
	for _, raw := range []string{s, "API_KEY:" + s} {
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			out = append(out, enc.EncodeToString([]byte(raw)))
		}
	}
	q := url.QueryEscape(s)
	out = append(out, q, strings.ReplaceAll(q, "+", "%20"), url.PathEscape(s))
	if b, err := json.Marshal(s); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := strings.TrimSpace(sb.String())
		out = append(out, j[1:len(j)-1])
	}
	qs := strconv.Quote(s)
	out = append(out, qs[1:len(qs)-1])
	return out
}

// String returns s with every known secret and every credential pattern
// replaced by [redacted].
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		repl := r.repl
		r.mu.RUnlock()
		if repl != nil {
			s = repl.Replace(s)
		}
	}
	return redactPatterns(s)
}

// URL is RedactURL followed by String.
func (r *Redactor) URL(u string) string { return r.String(RedactURL(u)) }

// A pattern is a credential shape. Group 1 (when the expression has one) is
// kept, the rest of the match is the value that is replaced; keep, when set,
// can spare a value that only looks like a credential.
type pattern struct {
	re   *regexp.Regexp
	keep func(value string) bool
}

// queryKeys are query, form and cookie names whose values are credentials.
const queryKeys = `password|passwd|pwd|token|access_token|accesstoken|refresh_token|refreshtoken|id_token|` +
	`key|apikey|api_key|secret|client_secret|cookie|authorization|signature|sessionid|session_id`

var patterns = []pattern{
	// JWTs, wherever they appear: cookies, URLs, JSON bodies.
	{re: regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)},
	// Header values, as sent ("Authorization: Basic x"), in a Go map
	// ("map[Cookie:[a=b]]") or in JSON ("Cookie":["a=b"]): up to the end of
	// the line, quote or bracket.
	{re: regexp.MustCompile(`(?i)(\b(?:proxy-authorization|authorization|set-cookie|cookie|x-api-key|x-auth-token|api-key)"?\s*:\s*[\["]*)[^"\]\r\n]+`)},
	// Short words after "bearer" are prose, not tokens.
	{re: regexp.MustCompile(`(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}`)},
	{re: regexp.MustCompile(`(?i)(\bBasic\s+)[A-Za-z0-9+/_-]{4,}={0,2}`), keep: notBasicCredentials},
	// TrainingPeaks' session cookie.
	{re: regexp.MustCompile(`(\bProduction_tpAuth=)[^;\s"',&]+`)},
	// Query strings, form bodies, cookie strings.
	{re: regexp.MustCompile(`(?i)(\b(?:` + queryKeys + `)=)[^&\s"'<>;,)\]}]+`)},
	// JSON fields.
	{re: regexp.MustCompile(`(?i)("(?:` + queryKeys + `)"\s*:\s*")(?:[^"\\]|\\.)+`)},
}

// notBasicCredentials spares "Basic settings" and other prose: real
// credentials are base64 with digits or symbols, or decode to "user:pass".
func notBasicCredentials(v string) bool {
	if strings.ContainsAny(v, "0123456789+/=_-") {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(v); err == nil && strings.Contains(string(b), ":") {
			return false
		}
	}
	return true
}

// placeholder stands for [redacted] while the patterns run: brackets would
// end a value early or be taken for a Go map's, so a second pass over
// redacted text would redact the marker itself or leave half a value.
const placeholder = "\ue000redacted\ue001"

func redactPatterns(s string) string {
	s = strings.ReplaceAll(s, Redacted, placeholder)
	for _, p := range patterns {
		s = p.apply(s)
	}
	return strings.ReplaceAll(s, placeholder, Redacted)
}

func (p pattern) apply(s string) string {
	idx := p.re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		if len(m) >= 4 && m[2] >= 0 {
			start = m[3] // after the kept prefix
		}
		v := s[start:end]
		// Already redacted (this pass or an earlier one) or spared.
		if v == placeholder || (p.keep != nil && p.keep(v)) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(placeholder)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// pagingKeys are the query keys whose values RedactURL keeps: paging and
// dates say what was fetched without saying who asked.
var pagingKeys = []string{"page", "pageNo", "pageSize", "limit", "oldest", "newest", "startDate", "endDate"}

// RedactURL returns u fit for a log: the values of query keys other than the
// paging and date ones, any password in the user info and the fragment
// (where OAuth puts tokens) are replaced, then the credential patterns are
// applied. Text that does not parse as a URL gets the patterns only.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return redactPatterns(u)
	}
	var user string
	if p.User != nil {
		user = p.User.Username()
		if _, ok := p.User.Password(); ok {
			user += ":" + Redacted
		}
		p.User = nil
	}
	if p.RawQuery != "" {
		parts := strings.Split(p.RawQuery, "&")
		for i, part := range parts {
			k, v, hasValue := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			switch {
			case !hasValue:
				// A bare word in a query is as likely a token as a flag.
				if k != "" {
					parts[i] = Redacted
				}
			case v == "" || slices.ContainsFunc(pagingKeys, func(pk string) bool { return strings.EqualFold(pk, name) }):
			default:
				parts[i] = k + "=" + Redacted
			}
		}
		p.RawQuery = strings.Join(parts, "&")
	}
	frag := p.Fragment != ""
	p.Fragment, p.RawFragment = "", ""
	out := p.String()
	if user != "" {
		if i := strings.Index(out, "//"); i >= 0 {
			out = out[:i+2] + user + "@" + out[i+2:]
		}
	}
	if frag {
		out += "#" + Redacted
	}
	return redactPatterns(out)
}

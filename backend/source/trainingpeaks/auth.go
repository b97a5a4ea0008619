package trainingpeaks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"fitbridge/backend/claims"
	"fitbridge/backend/source"
)

// Bearers without a stated lifetime are kept this long (a cautious tool's
// 50 minutes for TrainingPeaks' usual hour).
const defaultBearerLifetime = 50 * time.Minute

// bearer returns a live bearer, exchanging the cookie when there is none or
// the one held is close to its expiry.
func (c *Client) bearer(ctx context.Context) (string, error) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.bearerTok != "" && c.now().Before(c.refreshAt) {
		return c.bearerTok, nil
	}
	return c.exchangeLocked(ctx)
}

// recheckSession exchanges the cookie now, whatever bearer is held: the
// one sure test of whether the saved sign-in still works.
func (c *Client) recheckSession(ctx context.Context) error {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	_, err := c.exchangeLocked(ctx)
	return err
}

// dropBearer forgets tok unless another call already replaced it.
func (c *Client) dropBearer(tok string) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.bearerTok == tok {
		c.bearerTok = ""
	}
}

type tokenAnswer struct {
	Success *bool `json:"success"`
	Token   *struct {
		AccessToken  string  `json:"access_token"`
		TokenType    string  `json:"token_type"`
		ExpiresIn    flexInt `json:"expires_in"`
		Expires      string  `json:"expires"`
		RefreshToken string  `json:"refresh_token"`
		Scope        string  `json:"scope"`
	} `json:"token"`
}

// exchangeLocked calls /users/v3/token with the cookie and no Authorization.
func (c *Client) exchangeLocked(ctx context.Context) (string, error) {
	const what = "exchange the TrainingPeaks session cookie"
	hdr := http.Header{
		"Cookie": {CookieName + "=" + c.cookie},
		"Accept": {"application/json"},
	}
	r, err := c.send(ctx, c.hcExchange, what, c.api+"/users/v3/token", hdr, maxJSONBody, false)
	if err != nil {
		return "", err
	}
	c.noteCookieRenewal(r.header)
	refused := func(why string) error {
		c.log.Info("trainingpeaks session cookie refused", "status", r.status, "why", why, "cookie_len", len(c.cookie))
		return fmt.Errorf("%s: TrainingPeaks no longer accepts the saved sign-in (%s); sign in to TrainingPeaks again: %w", what, why, source.ErrNeedsSignIn)
	}
	switch {
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
		return "", refused(fmt.Sprintf("HTTP %d", r.status))
	case r.status >= 300 && r.status < 400:
		return "", refused(fmt.Sprintf("redirected to %s", redirectPath(r.header.Get("Location"))))
	case r.status != http.StatusOK:
		// Never quote this body: a success would carry the bearer.
		return "", &statusError{what: what, status: r.status}
	}
	var ans tokenAnswer
	if err := json.Unmarshal(r.body, &ans); err != nil {
		return "", fmt.Errorf("%s: unreadable answer (%d bytes)", what, len(r.body))
	}
	if ans.Success != nil && !*ans.Success {
		return "", refused("success:false")
	}
	if ans.Token == nil || ans.Token.AccessToken == "" {
		return "", refused("no access_token")
	}
	now := c.now()
	lifetime := time.Duration(ans.Token.ExpiresIn) * time.Second
	exp := now.Add(lifetime)
	if lifetime <= 0 {
		if t, ok := parseServerTime(ans.Token.Expires); ok && t.After(now) {
			exp = t
		} else {
			exp = now.Add(defaultBearerLifetime)
		}
		lifetime = exp.Sub(now)
	}
	// Renew a little early so a call never starts with a dying bearer.
	margin := min(time.Minute, lifetime/5)
	c.bearerTok, c.refreshAt = ans.Token.AccessToken, exp.Add(-margin)
	c.calls.AddSecret(ans.Token.AccessToken)

	attrs := []any{
		"bearer_len", len(ans.Token.AccessToken), "token_type", ans.Token.TokenType,
		"expires_in", int64(ans.Token.ExpiresIn), "expires", ans.Token.Expires, "exp", exp.UTC().Format(time.RFC3339),
		"refresh_token", ans.Token.RefreshToken != "", "cookie_len", len(c.cookie),
	}
	if set, ok := claims.Parse(ans.Token.AccessToken); ok {
		jexp, _ := set.Time("exp")
		attrs = append(attrs, "jwt_claims", set.Names(), "jwt_exp", jexp.Unix())
	}
	c.log.Debug("trainingpeaks bearer issued", attrs...)
	return c.bearerTok, nil
}

// noteCookieRenewal keeps a replacement Production_tpAuth if the exchange
// sets one, and logs its expiry: how long the cookie lives is an open question.
func (c *Client) noteCookieRenewal(h http.Header) {
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name != CookieName {
			continue
		}
		c.log.Info("trainingpeaks session cookie set by the exchange",
			"cookie_len", len(ck.Value), "expires", ck.Expires.UTC().Format(time.RFC3339), "max_age", ck.MaxAge,
			"changed", ck.Value != c.cookie)
		// A value CleanToken would not keep could not be loaded again once stored.
		if ck.Value != "" && ck.Value != c.cookie && ck.MaxAge >= 0 && CleanToken(ck.Value) == ck.Value {
			c.cookie = ck.Value
			if c.onToken != nil {
				c.onToken(ck.Value)
			}
		}
	}
}

func redirectPath(loc string) string {
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		loc = loc[:i]
	}
	if loc == "" {
		return "elsewhere"
	}
	return loc
}

// parseServerTime reads "expires", with or without an offset (UTC assumed).
func parseServerTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.RFC1123} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// flexInt accepts a JSON number or a numeric string; anything else reads as 0
// rather than failing the whole answer.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var v flexFloat
	_ = v.UnmarshalJSON(b)
	*f = flexInt(v)
	return nil
}

// CleanToken pulls the Production_tpAuth value out of what a rider pasted:
// the bare value, "Production_tpAuth=VALUE", a whole Cookie: header with
// several cookies, a DevTools cookie-table row (tab-separated name, value,
// domain, path, expiry...), a Set-Cookie line, a copied curl command, with
// quotes and whitespace around. It returns "" when the paste holds other
// cookies but not this one, or several words without it. The stored value
// is cleaned again by New, so cleaning repeats until nothing changes: a
// value that would not survive a second pass ("a=b") is no value at all.
func CleanToken(pasted string) string {
	for {
		s := cleanTokenOnce(pasted)
		if s == pasted {
			return s
		}
		pasted = s // every pass that changes something shortens it
	}
}

func cleanTokenOnce(pasted string) string {
	s := strings.TrimSpace(strings.TrimPrefix(pasted, "\ufeff"))
	if s == "" {
		return ""
	}
	if v, named := namedValue(s); named {
		return v
	}
	s = strings.Trim(s, " \t\r\n\"'`")
	if s == "" || strings.ContainsAny(s, " \t\r\n;,") || strings.Contains(s, "=") && !looksPadded(s) {
		return ""
	}
	return s
}

// looksPadded allows '=' only as base64 padding at the end of a bare value.
func looksPadded(s string) bool {
	t := strings.TrimRight(s, "=")
	return t != "" && !strings.Contains(t, "=")
}

// namedValue finds "Production_tpAuth" followed by '=', ':' or whitespace
// and returns the value after it, up to the next separator. named reports
// that the name was there at all, even with an empty value.
func namedValue(s string) (value string, named bool) {
	// Lower-case ASCII byte for byte, so that positions in lower are
	// positions in s: strings.ToLower changes the length of invalid UTF-8
	// and of some letters (K, İ), and the slicing below would then panic.
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	lower := string(b)
	name := strings.ToLower(CookieName)
	for from := 0; ; {
		i := strings.Index(lower[from:], name)
		if i < 0 {
			return "", named
		}
		i += from
		from = i + len(name)
		if i > 0 && isNameByte(s[i-1]) {
			continue // part of a longer cookie name
		}
		rest := s[i+len(name):]
		if rest != "" && isNameByte(rest[0]) {
			continue
		}
		named = true
		rest = strings.TrimLeft(rest, "\"' \t")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = rest[1:]
		}
		rest = strings.TrimLeft(rest, " \t\"'")
		end := strings.IndexAny(rest, " \t\r\n;,\"'`\\")
		if end < 0 {
			end = len(rest)
		}
		if v := rest[:end]; v != "" {
			return v, true
		}
	}
}

func isNameByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// Package claims reads what a session token says about itself: the claims
// of a JWT's payload (no signature is checked; FitBridge only wants to know
// when a session ends and which rider it belongs to). It is the one place
// tokens are decoded: the sign-in capture, the platforms and the doctor
// all read them here. What may be logged about a token is Describe: its
// length, claim names and times, never a value.
package claims

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Set is a JWT's decoded claims.
type Set map[string]json.RawMessage

// Parse decodes the payload of a three-part token ("Bearer " allowed in
// front). ok is false for anything that is not a JWT with a JSON object
// as its payload.
func Parse(token string) (Set, bool) {
	token = strings.TrimSpace(token)
	if after, found := strings.CutPrefix(token, "Bearer "); found {
		token = strings.TrimSpace(after)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var s Set
	if json.Unmarshal(payload, &s) != nil || s == nil {
		return nil, false
	}
	return s, true
}

// Names are the claim names, sorted.
func (s Set) Names() []string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Time reads a time claim (iat, exp): seconds or milliseconds since 1970,
// as a number or as digits in a string.
func (s Set) Time(name string) (time.Time, bool) {
	raw, ok := s[name]
	if !ok {
		return time.Time{}, false
	}
	var n float64
	if json.Unmarshal(raw, &n) != nil {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return time.Time{}, false
		}
		f, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return time.Time{}, false
		}
		n = f
	}
	if n > 1e11 { // milliseconds
		return time.UnixMilli(int64(n)).UTC(), true
	}
	return time.Unix(int64(n), 0).UTC(), true
}

// Text reads a claim as text: a string trimmed, a number in plain digits
// (kept exact however long). ok is false when it is missing, empty or
// neither.
func (s Set) Text(name string) (string, bool) {
	raw, ok := s[name]
	if !ok {
		return "", false
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		str = strings.TrimSpace(str)
		return str, str != ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// Expiry is a token's exp claim.
func Expiry(token string) (time.Time, bool) {
	s, ok := Parse(token)
	if !ok {
		return time.Time{}, false
	}
	return s.Time("exp")
}

// Claim is one claim of a token as text (see Set.Text).
func Claim(token, name string) (string, bool) {
	s, ok := Parse(token)
	if !ok {
		return "", false
	}
	return s.Text(name)
}

// Describe is what may be logged about a secret: its length and, for a
// JWT, its claim names, iat, exp and lifetime. The token itself never is.
func Describe(token string) slog.Attr {
	attrs := []any{slog.Int("len", len(token))}
	if s, ok := Parse(token); ok {
		attrs = append(attrs, slog.String("jwt_claims", strings.Join(s.Names(), ",")))
		iat, okIat := s.Time("iat")
		exp, okExp := s.Time("exp")
		if okIat {
			attrs = append(attrs, slog.Time("jwt_iat", iat))
		}
		if okExp {
			attrs = append(attrs, slog.Time("jwt_exp", exp))
		}
		if okIat && okExp {
			attrs = append(attrs, slog.Duration("jwt_lifetime", exp.Sub(iat)))
		}
	}
	return slog.Group("token", attrs...)
}

// Summary is Describe as one line for the doctor's report:
// "jwt(len N, claims a,b, iat ..., exp ..., lifetime ...)"; ok is false
// when token is no JWT.
func Summary(token string) (string, bool) {
	s, ok := Parse(token)
	if !ok {
		return "", false
	}
	parts := []string{fmt.Sprintf("len %d", len(token)), "claims " + strings.Join(s.Names(), ",")}
	iat, okIat := s.Time("iat")
	exp, okExp := s.Time("exp")
	if okIat {
		parts = append(parts, "iat "+iat.Format(time.RFC3339))
	}
	if okExp {
		parts = append(parts, "exp "+exp.Format(time.RFC3339))
	}
	if okIat && okExp {
		parts = append(parts, "lifetime "+exp.Sub(iat).String())
	}
	return "jwt(" + strings.Join(parts, ", ") + ")", true
}

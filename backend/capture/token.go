package capture

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
)

// extract walks path into raw and returns the bare token. A step whose value
// is itself a JSON string holding JSON is parsed again (redux-persist stores
// each slice of its state as a JSON string inside a JSON object).
func extract(raw string, path []string, stripPrefix string) (string, bool) {
	var cur any = raw
	for _, step := range path {
		cur = decodeNested(cur)
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[step]
			if !ok {
				return "", false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(v) {
				return "", false
			}
			cur = v[i]
		default:
			return "", false
		}
	}
	var s string
	switch v := cur.(type) {
	case string:
		s = v
		// A value stored as a JSON string literal ("\"eyJ...\"") is unwrapped once.
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			var inner string
			if json.Unmarshal([]byte(s), &inner) == nil {
				s = inner
			}
		}
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return "", false
	default:
		return "", false // an object or a list is never a token
	}
	return clean(s, stripPrefix), true
}

// decodeNested parses v when it is a string holding a JSON object or list.
func decodeNested(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[' && t[0] != '"') {
		return v
	}
	var out any
	if json.Unmarshal([]byte(t), &out) != nil {
		return v
	}
	if inner, ok := out.(string); ok && inner != s {
		return decodeNested(inner)
	}
	return out
}

// clean trims blanks and quotes and removes prefix (case-insensitively).
func clean(s, prefix string) string {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	if prefix != "" && len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		s = s[len(prefix):]
	}
	return strings.Trim(strings.TrimSpace(s), `"'`)
}

// DescribeToken is what may be logged about a secret: its length and, for a
// JWT, the names of its claims and its times. The token itself never is.
func DescribeToken(token string) slog.Attr {
	attrs := []any{slog.Int("len", len(token))}
	if claims, ok := jwtClaims(token); ok {
		names := make([]string, 0, len(claims))
		for k := range claims {
			names = append(names, k)
		}
		sort.Strings(names)
		attrs = append(attrs, slog.String("jwt_claims", strings.Join(names, ",")))
		for _, k := range []string{"iat", "exp"} {
			if t, ok := claimTime(claims[k]); ok {
				attrs = append(attrs, slog.Time("jwt_"+k, t))
			}
		}
		if iat, ok := claimTime(claims["iat"]); ok {
			if exp, ok := claimTime(claims["exp"]); ok {
				attrs = append(attrs, slog.Duration("jwt_lifetime", exp.Sub(iat)))
			}
		}
	}
	return slog.Group("token", attrs...)
}

// JWTExpiry returns the exp claim of a JWT (no signature check).
func JWTExpiry(token string) (time.Time, bool) {
	claims, ok := jwtClaims(token)
	if !ok {
		return time.Time{}, false
	}
	return claimTime(claims["exp"])
}

// JWTClaim returns one claim of a JWT's payload as text (no signature
// check): a string trimmed, a number in plain digits. ok is false when the
// token is no JWT or the claim is missing, empty or neither.
func JWTClaim(token, name string) (string, bool) {
	payload, ok := jwtPayload(token)
	if !ok {
		return "", false
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return "", false
	}
	raw, ok := claims[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.TrimSpace(s)
		return s, s != ""
	}
	// json.Number keeps an id too long for a float64 exact.
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

func jwtClaims(token string) (map[string]any, bool) {
	payload, ok := jwtPayload(token)
	if !ok {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return nil, false
	}
	return claims, true
}

func jwtPayload(token string) ([]byte, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	return payload, true
}

func claimTime(v any) (time.Time, bool) {
	switch n := v.(type) {
	case float64:
		if n > 1e11 { // milliseconds
			return time.UnixMilli(int64(n)).UTC(), true
		}
		return time.Unix(int64(n), 0).UTC(), true
	case string:
		if f, err := strconv.ParseFloat(n, 64); err == nil {
			return claimTime(f)
		}
	}
	return time.Time{}, false
}

// redactedf formats a browser log line without its arguments, which can hold
// request headers and so a token.
func redactedf(log *slog.Logger, level slog.Level) func(string, ...any) {
	return func(format string, args ...any) {
		log.Log(context.Background(), level, "browser: "+strings.TrimSpace(format), "args", fmt.Sprintf("%d hidden", len(args)))
	}
}

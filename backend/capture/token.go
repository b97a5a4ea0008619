package capture

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/claims"
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

// DescribeToken is what may be logged about a secret (claims.Describe).
func DescribeToken(token string) slog.Attr { return claims.Describe(token) }

// JWTExpiry returns the exp claim of a JWT (claims.Expiry).
func JWTExpiry(token string) (time.Time, bool) { return claims.Expiry(token) }

// JWTClaim returns one claim of a JWT's payload as text (claims.Claim).
func JWTClaim(token, name string) (string, bool) { return claims.Claim(token, name) }

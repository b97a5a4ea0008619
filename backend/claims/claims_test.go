package claims

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		names       string
		exp         time.Time
		ok          bool
	}{
		// header {"alg":"none"}, payload {"sub":"123","exp":1791000000}
		{"seconds", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMiLCJleHAiOjE3OTEwMDAwMDB9.sig", "exp,sub", time.Unix(1791000000, 0).UTC(), true},
		{"bearer in front", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMiLCJleHAiOjE3OTEwMDAwMDB9.sig", "exp,sub", time.Unix(1791000000, 0).UTC(), true},
		// payload {"exp":1791000000000} in milliseconds
		{"milliseconds", "eyJhbGciOiJub25lIn0.eyJleHAiOjE3OTEwMDAwMDAwMDB9.", "exp", time.Unix(1791000000, 0).UTC(), true},
		// payload {"exp":"1791000000"}
		{"digits in a string", "x.eyJleHAiOiIxNzkxMDAwMDAwIn0.y", "exp", time.Unix(1791000000, 0).UTC(), true},
		{"opaque", "opaque-bearer", "", time.Time{}, false},
		{"not base64", "a.%%%.c", "", time.Time{}, false},
		{"not an object", "a." + "WzEsMl0" + ".c", "", time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := Parse(tc.token)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			exp, _ := s.Time("exp")
			if got := strings.Join(s.Names(), ","); got != tc.names || !exp.Equal(tc.exp) {
				t.Fatalf("names %q exp %v, want %q %v", got, exp, tc.names, tc.exp)
			}
		})
	}
}

func TestClaimText(t *testing.T) {
	// payload {"userId":12345678901234567890,"name":" rider ","empty":"","obj":{}}
	tok := "x.eyJ1c2VySWQiOjEyMzQ1Njc4OTAxMjM0NTY3ODkwLCJuYW1lIjoiIHJpZGVyICIsImVtcHR5IjoiIiwib2JqIjp7fX0.y"
	for name, want := range map[string]string{"userId": "12345678901234567890", "name": "rider", "empty": "", "obj": "", "missing": ""} {
		if got, ok := Claim(tok, name); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", name, got, ok, want)
		}
	}
}

// What is logged about a token is its shape, never its value.
func TestDescribeShowsNoValue(t *testing.T) {
	// payload {"sub":"rider-secret-id","iat":1791000000,"exp":1791003600}
	tok := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyaWRlci1zZWNyZXQtaWQiLCJpYXQiOjE3OTEwMDAwMDAsImV4cCI6MTc5MTAwMzYwMH0.c2lnbmF0dXJl"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", Describe(tok))
	sum, ok := Summary(tok)
	out := buf.String() + sum
	if !ok || !strings.Contains(out, "jwt_lifetime=1h0m0s") || !strings.Contains(sum, "lifetime 1h0m0s") || !strings.Contains(sum, "claims exp,iat,sub") {
		t.Fatalf("shape missing: %s", out)
	}
	for _, secret := range []string{"rider-secret-id", tok, "c2lnbmF0dXJl"} {
		if strings.Contains(out, secret) {
			t.Fatalf("%q shown: %s", secret, out)
		}
	}
}

package trainingpeaks

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

func TestCleanToken(t *testing.T) {
	const v = "AbC-123_xyz"
	tests := []struct {
		name, pasted, want string
	}{
		{"bare", v, v},
		{"bare with blanks", "  " + v + " \r\n", v},
		{"double quoted", `"` + v + `"`, v},
		{"single quoted", `'` + v + `'`, v},
		{"name=value", "Production_tpAuth=" + v, v},
		{"quoted name=value", `"Production_tpAuth=` + v + `"`, v},
		{"cookie header, several cookies", "Cookie: ajs_anonymous_id=%22abc%22; Production_tpAuth=" + v + "; _ga=GA1.2.3.4", v},
		{"lower-case header, last cookie", "cookie: _ga=GA1.2.3; Production_tpAuth=" + v, v},
		{"devtools table row", "Production_tpAuth\t" + v + "\t.trainingpeaks.com\t/\t2026-11-13T10:00:00.000Z\t312\t✓\t✓\t\t\tMedium", v},
		{"devtools row with spaces", "Production_tpAuth   " + v + "   .trainingpeaks.com   /", v},
		{"set-cookie line", "Set-Cookie: Production_tpAuth=" + v + "; Domain=.trainingpeaks.com; Path=/; Secure; HttpOnly", v},
		{"copied curl", `curl 'https://tpapi.trainingpeaks.com/users/v3/token' -H 'accept: */*' -H 'cookie: a=b; Production_tpAuth=` + v + `' --compressed`, v},
		{"copied fetch json", `"headers": {"cookie": "Production_tpAuth=` + v + `; x=1"}`, v},
		{"json pair", `"Production_tpAuth": "` + v + `"`, v},
		{"request header block", "accept: */*\ncookie: Production_tpAuth=" + v + "; other=1\nreferer: https://app.trainingpeaks.com/", v},
		{"longer name first", "Production_tpAuth_Old=zzz; Production_tpAuth=" + v, v},
		{"byte order mark", "\ufeff" + v, v},
		{"base64 padding kept", "QUJDRA==", "QUJDRA=="},
		{"other cookies only", "_ga=GA1.2.3; ajs=1", ""},
		{"empty value", "Production_tpAuth=", ""},
		{"empty value then others", "Production_tpAuth=; _ga=1", ""},
		{"words", "hello world", ""},
		{"empty", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanToken(tt.pasted); got != tt.want {
				t.Fatalf("CleanToken(%q) = %q, want %q", tt.pasted, got, tt.want)
			}
		})
	}
}

func TestDescriptorRegistered(t *testing.T) {
	d, ok := source.Lookup(Name)
	if !ok {
		t.Fatal("trainingpeaks is not registered")
	}
	if d.DisplayName != "TrainingPeaks" || d.Kind != source.KindCloud || d.EnvURL != "FITBRIDGE_TRAININGPEAKS_URL" {
		t.Fatalf("descriptor = %+v", d)
	}
	if d.Login != nil {
		t.Fatal("TrainingPeaks must have no password login: the cookie is the only way in")
	}
	if d.New == nil || d.Capture == nil || d.CleanToken == nil || d.Validate == nil {
		t.Fatal("descriptor misses New, Capture, CleanToken or Validate")
	}
	if got := d.ExternalIDFor("2400000123"); got != "fitbridge-trainingpeaks-2400000123" {
		t.Fatalf("external id = %q", got)
	}
	if d.Limits.Concurrency != 1 || d.Limits.PerSecond <= 0 {
		t.Fatalf("limits = %+v", d.Limits)
	}

	tests := []struct {
		name, base, start, domain string
	}{
		{"real hosts", "", "https://home.trainingpeaks.com/login", "trainingpeaks.com"},
		{"loopback fake", "http://127.0.0.1:4567/", "http://127.0.0.1:4567/login", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := d.Capture(source.Config{BaseURL: tt.base})
			if spec.StartURL != tt.start || spec.Cookie == nil || spec.Cookie.Name != "Production_tpAuth" || spec.Cookie.Domain != tt.domain {
				t.Fatalf("spec = %+v cookie %+v", spec, spec.Cookie)
			}
			if spec.Validate == nil {
				t.Fatal("capture spec has no Validate")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	revoked := h.fake.IssueCookie()
	h.fake.RevokeCookie()
	good := h.fake.IssueCookie()
	tests := []struct {
		name      string
		token     string
		needsSign bool
	}{
		{"live cookie", good, false},
		{"live cookie pasted as a header", "Cookie: _ga=1; Production_tpAuth=" + good, false},
		{"revoked cookie", revoked, true},
		{"unknown cookie", "not-a-session", true},
		{"nothing pasted", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(context.Background(), source.Config{BaseURL: h.url, Token: tt.token, Settings: map[string]string{SettingMinInterval: "0s"}})
			if got := errors.Is(err, source.ErrNeedsSignIn); got != tt.needsSign || (!tt.needsSign && err != nil) {
				t.Fatalf("Validate = %v, want needs-sign-in %v", err, tt.needsSign)
			}
			if err != nil && strings.Contains(err.Error(), tt.token) && tt.token != "" {
				t.Fatalf("error quotes the cookie: %v", err)
			}
		})
	}
}

// The capture spec's Validate is what the sign-in window calls with each
// cookie it finds: a stale one must be refused so the wait goes on.
func TestCaptureSpecValidate(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	spec := Capture(source.Config{BaseURL: h.url})
	if err := spec.Validate(context.Background(), h.cookie); err != nil {
		t.Fatalf("live cookie refused: %v", err)
	}
	h.fake.RevokeCookie()
	if err := spec.Validate(context.Background(), h.cookie); !errors.Is(err, source.ErrNeedsSignIn) {
		t.Fatalf("revoked cookie: %v", err)
	}
}

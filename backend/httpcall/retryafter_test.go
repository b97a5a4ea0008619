package httpcall

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 5, 3, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	} {
		got, ok := RetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}

func TestBackoffEqualJitterIsBounded(t *testing.T) {
	p := Policy{BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
	for attempt, ceil := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 4: 50 * time.Millisecond, 9: 50 * time.Millisecond} {
		for range 200 {
			if d := p.Backoff(attempt); d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: %v outside %v..%v", attempt, d, ceil/2, ceil)
			}
		}
	}
}

// FuzzRetryAfter: a wait is never negative, seconds are read exactly,
// and a long wait never comes out short (no overflow).
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2025, 5, 3, 8, 0, 0, 0, time.UTC)
	for _, v := range []string{"", "3", "0.5", " 7 ", "-1", "NaN", "nan", "Inf", "-Inf", "1e300", "9223372036", "9223372037",
		"18446744074", "0x1p4", "1_000", now.Add(90 * time.Second).Format(http.TimeFormat), now.Add(-time.Hour).Format(http.TimeFormat),
		"Monday, 05-May-25 08:00:00 GMT", "Mon May  5 08:00:00 2025", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", "\x00"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := RetryAfter(v, now)
		if !ok {
			if d != 0 {
				t.Fatalf("%q: not understood but %v", v, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q: negative wait %v", v, d)
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return // an HTTP date
		}
		switch {
		case n >= 0 && n < 1e9:
			if want := time.Duration(n * float64(time.Second)); d != want {
				t.Fatalf("%q: %v, want %v", v, d, want)
			}
		case n >= 1e9 && d < 1e9*time.Second:
			t.Fatalf("%q: a wait of %g s read as %v", v, n, d)
		}
	})
}

package service

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
)

// Every Intervals.icu client the library opens draws on one token bucket, so
// together they keep under the service's rate per IP. The fake allows that
// rate with a little more burst, for network jitter; two clients with a
// bucket each would send twice the rate and be refused (429).
func TestIntervalsClientsShareOneRateLimit(t *testing.T) {
	const key = "limit-test-key-7d3e"
	ivs := intervalsfake.New(intervalsfake.Options{APIKey: key, RatePerSec: 10, Burst: 15})
	url := ivs.Start()
	t.Cleanup(ivs.Close)
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": url}
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.ConnectIntervals(ctx, ivs.AthleteID(), key); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		c, _, err := svc.intervalsClient()
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 12 {
				if _, err := c.Athlete(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	refused := 0
	for _, r := range ivs.Requests() {
		if r.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused > 0 {
		t.Fatalf("%d of %d requests refused with 429: the clients do not share one limiter", refused, len(ivs.Requests()))
	}
}

// Planned workouts' "today" is the athlete's day; without a zone from
// Intervals.icu it is the computer's, never UTC's.
func TestAthleteZone(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("Rider", -8*3600) // a computer in the Americas
	t.Cleanup(func() { time.Local = saved })
	tests := []struct{ tz, want string }{
		{"America/Los_Angeles", "America/Los_Angeles"},
		{"", "Rider"},
		{"Nowhere/Zone", "Rider"},
	}
	for _, tt := range tests {
		if got := athleteZone(tt.tz).String(); got != tt.want {
			t.Errorf("athleteZone(%q) = %s, want %s", tt.tz, got, tt.want)
		}
	}
}

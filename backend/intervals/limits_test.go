package intervals

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// Two clients sharing the app's limiter, calling from several goroutines,
// stay within Intervals.icu's published 10 calls a second (burst 10),
// measured on the wire.
func TestSharedLimiterKeepsThePublishedRate(t *testing.T) {
	_, base := fake(t, intervalsfake.Options{})
	meter := &sourcetest.Meter{}
	lim := NewLimiter()
	clients := []*Client{
		New(base, "", testKey, WithLimiter(lim), WithHTTPClient(&http.Client{Transport: meter})),
		New(base, "", testKey, WithLimiter(lim), WithHTTPClient(&http.Client{Transport: meter})),
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := clients[i%2].Athlete(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	published := source.Limits{PerSecond: DefaultRate, Burst: DefaultBurst}
	if meter.Calls() != 30 {
		t.Fatalf("%d calls, want 30", meter.Calls())
	}
	if err := meter.Check(published); err != nil {
		t.Fatal(err)
	}
	// The check can fail: the same calls break half the rate.
	if err := meter.Check(source.Limits{PerSecond: DefaultRate / 2, Burst: DefaultBurst}); err == nil {
		t.Errorf("30 calls at %.1f a second also pass half the rate: the check cannot tell", meter.Rate())
	}
}

package httpcall

import (
	"math/rand/v2"
	"time"
)

// Policy bounds the retries of one call.
type Policy struct {
	MaxAttempts int           // tries in all, the first included; default 5
	BaseDelay   time.Duration // first backoff ceiling, doubled per try; default 1 s
	MaxDelay    time.Duration // backoff ceiling; default 30 s
	// MaxRetryAfter is the longest Retry-After waited out; a longer one
	// ends the call with a *RetryAfterError so the next try can be
	// scheduled instead. Default 5 min.
	MaxRetryAfter time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	p.MaxDelay = max(p.MaxDelay, p.BaseDelay)
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 5 * time.Minute
	}
	return p
}

// Backoff is the wait before try attempt+1, with equal jitter: uniform in
// [ceiling/2, ceiling]. Half the ceiling keeps the first wait near the base
// while parallel clients still spread out.
func (p Policy) Backoff(attempt int) time.Duration {
	p = p.withDefaults()
	ceil := p.BaseDelay
	for i := 1; i < attempt && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxDelay)
	half := ceil / 2
	return half + rand.N(ceil-half+1)
}

// PerSecond is the Limits.PerSecond of one call every d: 0, no pacing, for
// d <= 0 (the min_interval setting "0s").
func PerSecond(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(time.Second) / float64(d)
}

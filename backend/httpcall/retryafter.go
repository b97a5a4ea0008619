package httpcall

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryAfter reads a Retry-After header: seconds (fractions allowed) or an
// HTTP date. A past date is no wait; a number too large for a Duration is
// the longest one, so it stays above any cap instead of wrapping into a
// short wait.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case math.IsNaN(n):
			return 0, false
		case n < 0:
			n = 0
		case n >= math.MaxInt64/float64(time.Second):
			return math.MaxInt64, true
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// RetryAfterError is a call that ended because the service asked to wait
// longer than the policy waits out (or the tries ran out while it asked to
// wait): After is when the next try makes sense.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// AskedToWait describes a RetryAfterError for a rider.
func (e *RetryAfterError) AskedToWait() string {
	return fmt.Sprintf("asked to wait %s", e.After.Round(time.Second))
}

// Package fakes holds what every loopback fake of a remote service shares:
// fault injection and request accounting. Each service's fake lives in its own
// sub-package and behaves like the real service, quirks included.
package fakes

import (
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults makes a fake misbehave the way real services do. The zero value is a
// well-behaved service. Safe for concurrent use; change fields only before
// serving or through the setters.
type Faults struct {
	mu sync.Mutex
	// ServerErrorRate is the share of requests answered 500 (0..1).
	ServerErrorRate float64
	// TooManyRate is the share answered 429.
	TooManyRate float64
	// RetryAfter, when > 0, is sent as Retry-After (seconds) with each 429.
	RetryAfter int
	// Latency is added before every answer.
	Latency time.Duration
	// Skip says which requests are never faulted (login pages, the browser's assets).
	Skip func(r *http.Request) bool
	rng  *rand.Rand
	next []*Next

	injected atomic.Int64
}

// Next answers the next Count requests matching Method and PathPrefix with
// Status: a one-off fault at a chosen call, where the rates are random.
type Next struct {
	Method     string // "" matches every method
	PathPrefix string
	Count      int
	Status     int
	RetryAfter int // seconds, sent when > 0
}

// FailNext adds n. Scripted faults apply before the rates, and to requests
// Skip exempts as well: a test that names the path means it.
func (f *Faults) FailNext(n Next) {
	if n.Count <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = append(f.next, &n)
}

// scripted takes one use of the first rule matching r.
func (f *Faults) scripted(r *http.Request) (Next, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, n := range f.next {
		if (n.Method == "" || n.Method == r.Method) && strings.HasPrefix(r.URL.Path, n.PathPrefix) {
			got := *n
			if n.Count--; n.Count <= 0 {
				f.next = append(f.next[:i], f.next[i+1:]...)
			}
			return got, true
		}
	}
	return Next{}, false
}

// NewFaults returns a Faults with a deterministic random source.
func NewFaults(seed int64) *Faults {
	return &Faults{rng: rand.New(rand.NewSource(seed))}
}

// Set changes the error rates while serving.
func (f *Faults) Set(serverErrorRate, tooManyRate float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ServerErrorRate, f.TooManyRate = serverErrorRate, tooManyRate
}

// Injected counts the faults answered so far.
func (f *Faults) Injected() int64 { return f.injected.Load() }

func (f *Faults) roll() (status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng == nil {
		f.rng = rand.New(rand.NewSource(1))
	}
	x := f.rng.Float64()
	switch {
	case x < f.ServerErrorRate:
		return http.StatusInternalServerError
	case x < f.ServerErrorRate+f.TooManyRate:
		return http.StatusTooManyRequests
	}
	return 0
}

// Wrap puts the faults in front of a fake's handler.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	if f == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if n, ok := f.scripted(r); ok {
			f.injected.Add(1)
			if n.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(n.RetryAfter))
			}
			if n.Status >= 500 {
				http.Error(w, "java.lang.IllegalStateException: injected failure", n.Status)
				return
			}
			http.Error(w, fmt.Sprintf(`{"status":%d,"error":%q}`, n.Status, http.StatusText(n.Status)), n.Status)
			return
		}
		if f.Skip == nil || !f.Skip(r) {
			switch f.roll() {
			case http.StatusInternalServerError:
				f.injected.Add(1)
				http.Error(w, "java.lang.IllegalStateException: injected failure", http.StatusInternalServerError)
				return
			case http.StatusTooManyRequests:
				f.injected.Add(1)
				if f.RetryAfter > 0 {
					w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
				}
				http.Error(w, `{"status":429,"error":"Too Many Requests"}`, http.StatusTooManyRequests)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

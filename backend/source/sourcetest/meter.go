package sourcetest

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"fitbridge/backend/source"
)

// Meter is an http.RoundTripper over real loopback HTTP that measures what
// a platform really does: when each call left, and how many file downloads
// were in flight at once (from the request until its body was read). Give
// it to a platform as source.Config.Transport, the way the doctor's
// recorder is given.
type Meter struct {
	// Next carries the requests (nil: http.DefaultTransport).
	Next http.RoundTripper
	// IsFile says which requests are file downloads.
	IsFile func(*http.Request) bool
	// FileDelay holds each download's answer back this long, as a slow
	// link would, so downloads a platform lets overlap do overlap.
	FileDelay time.Duration

	mu        sync.Mutex
	starts    []time.Time
	files     int
	filesNow  int
	filesPeak int
}

// RoundTrip implements http.RoundTripper.
func (m *Meter) RoundTrip(req *http.Request) (*http.Response, error) {
	file := m.IsFile != nil && m.IsFile(req)
	m.mu.Lock()
	m.starts = append(m.starts, time.Now())
	if file {
		m.files++
		m.filesNow++
		m.filesPeak = max(m.filesPeak, m.filesNow)
	}
	m.mu.Unlock()
	next := m.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if !file {
		return resp, err
	}
	if err == nil && m.FileDelay > 0 {
		select {
		case <-time.After(m.FileDelay):
		case <-req.Context().Done():
		}
	}
	if err != nil {
		m.fileDone()
		return resp, err
	}
	resp.Body = &fileBody{ReadCloser: resp.Body, done: m.fileDone}
	return resp, nil
}

func (m *Meter) fileDone() {
	m.mu.Lock()
	m.filesNow--
	m.mu.Unlock()
}

// fileBody counts a download as in flight until its body is closed.
type fileBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *fileBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// Calls is how many requests were sent.
func (m *Meter) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.starts)
}

// Files is how many file downloads were sent.
func (m *Meter) Files() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.files
}

// FilesPeak is the most file downloads that were in flight at once.
func (m *Meter) FilesPeak() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.filesPeak
}

// slack absorbs the scheduling between a paced call's turn and its request
// leaving: a token bucket admits Burst + PerSecond × span calls in any span,
// and on a busy machine (tests of several packages at once, a browser
// starting) a request can leave a few hundred milliseconds after its turn.
// A pace that is really too fast still shows over a few calls: five calls
// at 700 ms apart break a declared one a second.
const slack = 300 * time.Millisecond

// Check reports the first way the measured calls broke l: more calls in
// some span than Burst + PerSecond × span, or more downloads in flight
// than Concurrency. Nil when they kept to it.
func (m *Meter) Check(l source.Limits) error {
	m.mu.Lock()
	starts := append([]time.Time(nil), m.starts...)
	peak := m.filesPeak
	m.mu.Unlock()
	if l.Concurrency > 0 && peak > l.Concurrency {
		return fmt.Errorf("%d downloads were in flight at once; the platform declares %d", peak, l.Concurrency)
	}
	if l.PerSecond <= 0 {
		return nil
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	burst := float64(max(l.Burst, 1))
	for i := range starts {
		for j := i + 1; j < len(starts); j++ {
			span := starts[j].Sub(starts[i]) + slack
			if n := float64(j - i + 1); n > burst+l.PerSecond*span.Seconds() {
				return fmt.Errorf("%d calls within %s; the platform declares %.2f a second with a burst of %d",
					j-i+1, starts[j].Sub(starts[i]).Round(time.Millisecond), l.PerSecond, max(l.Burst, 1))
			}
		}
	}
	return nil
}

// Rate is the measured calls per second from the first call to the last.
func (m *Meter) Rate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.starts) < 2 {
		return 0
	}
	first, last := m.starts[0], m.starts[0]
	for _, t := range m.starts {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return float64(len(m.starts)-1) / last.Sub(first).Seconds()
}

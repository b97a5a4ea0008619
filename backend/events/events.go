// Package events carries what the engine wants the rider to see while it
// works: Wails events in the window, Server-Sent Events in the browser, a
// progress line in the terminal. All of them are an Emitter.
package events

import "sync"

// Emitter receives named events with a JSON-able payload.
type Emitter interface {
	Emit(name string, payload any)
}

// Names of the events the frontend listens to.
const (
	Progress = "progress" // payload: service.Progress
	Library  = "library"  // the library changed; no payload
	Notice   = "notice"   // payload: service.Notice
	// Counting is a preview's listing as it goes; payload: service.Counting.
	Counting = "counting"
)

// Discard drops every event.
type Discard struct{}

// Emit does nothing.
func (Discard) Emit(string, any) {}

// Func adapts a function to an Emitter.
type Func func(name string, payload any)

// Emit calls f.
func (f Func) Emit(name string, payload any) { f(name, payload) }

// Fanout sends each event to every emitter added to it. Safe for concurrent use.
type Fanout struct {
	mu  sync.RWMutex
	out []Emitter
}

// Add registers an emitter.
func (f *Fanout) Add(e Emitter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out = append(f.out, e)
}

// Emit sends to every registered emitter.
func (f *Fanout) Emit(name string, payload any) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, e := range f.out {
		e.Emit(name, payload)
	}
}

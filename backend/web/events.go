package web

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// clientBuffer is how many events a browser may fall behind by before it is
// disconnected; EventSource reconnects by itself and the window then asks
// for the current state again.
const clientBuffer = 64

// writeTimeout bounds one write to an event stream, so a client that stops
// reading cannot hold its handler forever.
const writeTimeout = 10 * time.Second

// hub fans published events out to the connected event streams.
type hub struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	closed  bool
}

func newHub() *hub { return &hub{clients: make(map[chan []byte]struct{})} }

// subscribe returns nil once the hub is closed.
func (h *hub) subscribe() chan []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	c := make(chan []byte, clientBuffer)
	h.clients[c] = struct{}{}
	return c
}

// unsubscribe forgets c. Whoever removes a channel from the map closes it,
// so it is closed exactly once.
func (h *hub) unsubscribe(c chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c)
	}
}

// publish never blocks: a client whose buffer is full is dropped instead of
// holding up the others.
func (h *hub) publish(frame []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c <- frame:
		default:
			delete(h.clients, c)
			close(c)
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		delete(h.clients, c)
		close(c)
	}
}

// stream serves GET /api/events until the client goes away, falls too far
// behind, or the server closes.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	c := s.hub.subscribe()
	if c == nil {
		writeError(w, http.StatusServiceUnavailable, "FitBridge is shutting down")
		return
	}
	defer s.hub.unsubscribe(c)
	s.streams.Add(1)
	defer s.streams.Add(-1)

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(b string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := io.WriteString(w, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The opening comment gets the headers out, so the browser's onopen fires.
	if !send("retry: 3000\n: connected\n\n") {
		return
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case frame, ok := <-c:
			if !ok || !send(string(frame)) {
				return
			}
		case <-tick.C:
			if !send(": ping\n\n") {
				return
			}
		}
	}
}

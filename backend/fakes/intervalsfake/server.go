// Package intervalsfake is a strict loopback stand-in for the Intervals.icu
// REST API (reference intervals-icu.md, section 14): Basic auth with the
// literal user API_KEY, upload dedup by file hash (201 new, 200 known),
// date-window listings with field projection and Strava stubs, updates,
// a token-bucket rate limit and switchable faults.
package intervalsfake

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/fakes"

	"golang.org/x/time/rate"
)

// Options shape the fake account. Zero values take the defaults noted.
type Options struct {
	APIKey      string // default "fake-intervals-key"
	AthleteID   string // default "i12345"
	AthleteName string // default "Fake Rider"
	Timezone    string // IANA; default "Europe/Berlin"
	// AthleteFields are merged over the athlete record (feed flags and such).
	AthleteFields map[string]any
	// OAuthToken, when set, is accepted as "Bearer <token>".
	OAuthToken string

	Faults     *fakes.Faults // random 500/429 and latency, shared helper
	RetryAfter bool          // send Retry-After: 1 with rate-limit 429s
	RatePerSec float64       // token bucket; default 10, negative disables
	Burst      int           // default 30
	// HashGunzip hashes a .gz upload's content instead of its bytes (the
	// real basis is an open question).
	HashGunzip bool
	// NoContentDedup makes every upload create activities, even of bytes
	// already uploaded: a client that sends a ride twice gets it twice. The
	// real service's deduplication is not something to rely on, so tests of
	// FitBridge's own once-only guarantees use this.
	NoContentDedup bool
	// RequireNewest answers 422 to listings without newest, as one client claims.
	RequireNewest bool
	// SilentCap, when set, answers a listing with at most this many rows
	// whatever limit asks for, and says nothing about it: nothing shows
	// that the real service honours limit=1000.
	SilentCap int
	// UploadSource is the source recorded for uploads; default "OAUTH_CLIENT".
	UploadSource string
	// Summarize reads an uploaded activity file (already unwrapped from gzip
	// or zip); it runs under the fake's lock, so it must not call the Server.
	// Nil decodes FIT with github.com/tormoder/fit (which rejects some valid
	// files) and takes the first and last timestamps of TCX/GPX.
	Summarize func(data []byte) (start time.Time, elapsedS, distM float64, typ string, err error)
	// Now is the fake's clock (default time.Now), used for a missing newest.
	Now func() time.Time
}

// Request is one request as the fake saw it.
type Request struct {
	Method    string
	Path      string
	Query     url.Values
	Filename  string   // multipart filename of an upload
	FormParts []string // multipart part names of an upload
	UserAgent string
	Status    int // 0 when the connection was dropped
}

// Server is the fake. Safe for concurrent use.
type Server struct {
	opts Options
	tz   *time.Location
	lim  *rate.Limiter
	h    http.Handler
	ts   *httptest.Server

	mu         sync.Mutex
	acts       map[string]*Activity
	byHash     map[string][]string // file hash → activity ids, in file order
	nextID     int64
	nextStubID int64
	uploads    int // 201 creations
	uploadSeq  int // upload requests seen by the upload handler
	markDone   int
	failNth    map[int]int
	dropNth    map[int]bool
	burst429   int
	slowN      int
	slowD      time.Duration
	requests   []*Request
	events     map[int64]*Event // planned workouts on the calendar
	nextEvent  int64
}

// New builds a fake; call Start or mount Handler.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = "fake-intervals-key"
	}
	if opts.AthleteID == "" {
		opts.AthleteID = "i12345"
	}
	if opts.AthleteName == "" {
		opts.AthleteName = "Fake Rider"
	}
	if opts.Timezone == "" {
		opts.Timezone = "Europe/Berlin"
	}
	if opts.RatePerSec == 0 {
		opts.RatePerSec = 10
	}
	if opts.Burst <= 0 {
		opts.Burst = 30
	}
	if opts.UploadSource == "" {
		opts.UploadSource = "OAUTH_CLIENT"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tz, err := time.LoadLocation(opts.Timezone)
	if err != nil {
		tz = time.UTC
	}
	s := &Server{
		opts:       opts,
		tz:         tz,
		acts:       map[string]*Activity{},
		byHash:     map[string][]string{},
		nextID:     98765432,
		nextStubID: 16639341172,
		failNth:    map[int]int{},
		dropNth:    map[int]bool{},
	}
	if opts.RatePerSec > 0 {
		s.lim = rate.NewLimiter(rate.Limit(opts.RatePerSec), opts.Burst)
	}
	s.h = s.record(opts.Faults.Wrap(s.gate(s.routes())))
	return s
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.h }

// Start serves on a loopback port and returns the base URL.
func (s *Server) Start() string {
	s.ts = httptest.NewServer(s.h)
	return s.ts.URL
}

// Close stops a started server.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// APIKey is the key the fake accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// AthleteID is the fake athlete's id.
func (s *Server) AthleteID() string { return s.opts.AthleteID }

// Location is the athlete's zone.
func (s *Server) Location() *time.Location { return s.tz }

// UploadCount counts uploads that created activities (201 answers).
func (s *Server) UploadCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads
}

// MarkDoneCount counts calls of events/{id}/mark-done (FitBridge must make none).
func (s *Server) MarkDoneCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.markDone
}

// Requests is a copy of every request so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Query = cloneValues(r.Query)
		out[i].FormParts = append([]string(nil), r.FormParts...)
	}
	return out
}

// FailNthUpload answers the nth upload request from now on (1 = the next)
// with status: 500 with a plain-text Spring trace, others with {status,error}.
func (s *Server) FailNthUpload(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNth[s.uploadSeq+n] = status
}

// DropConnectionAfterStore makes the nth upload request from now on store
// its file and then close the connection without answering.
func (s *Server) DropConnectionAfterStore(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNth[s.uploadSeq+n] = true
}

// Burst429 answers the next n requests with 429.
func (s *Server) Burst429(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.burst429 = n
}

// SlowNext delays the next n requests by d (a client timeout shorter than d
// sees a timeout; the fake does nothing for a request abandoned meanwhile).
func (s *Server) SlowNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowN, s.slowD = n, d
}

type ctxKey struct{}

// statusWriter remembers the status and lets the upload handler hijack.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// record logs every request, faulted ones included.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), UserAgent: r.UserAgent()}
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(contextWith(r, rec)))
		s.mu.Lock()
		rec.Status = sw.status
		s.mu.Unlock()
	})
}

// gate applies the switches, the rate limit, the User-Agent block and auth,
// in the order a real front end would.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var delay time.Duration
		if s.slowN > 0 {
			s.slowN--
			delay = s.slowD
		}
		burst := s.burst429 > 0
		if burst {
			s.burst429--
		}
		s.mu.Unlock()
		if delay > 0 {
			// Read the body first: only then does the server notice a client
			// that gave up, and stop waiting.
			if body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpload)); err == nil {
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if burst || (s.lim != nil && !s.lim.Allow()) {
			if s.opts.RetryAfter {
				w.Header().Set("Retry-After", "1")
			}
			writeError(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
		if strings.HasPrefix(r.UserAgent(), "Python-urllib") {
			writeError(w, http.StatusForbidden, "Access denied")
			return
		}
		switch s.checkAuth(r.Header.Get("Authorization")) {
		case http.StatusUnauthorized:
			writeSpring(w, r, http.StatusUnauthorized, "Unauthorized")
			return
		case http.StatusForbidden:
			writeError(w, http.StatusForbidden, "Access denied")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkAuth: Basic API_KEY:<key> passes; the key as a Bearer token is the
// documented 403; anything else is 401.
func (s *Server) checkAuth(h string) int {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return http.StatusUnauthorized
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if ok && user == "API_KEY" && eq(pass, s.opts.APIKey) {
			return 0
		}
	case "bearer":
		cred = strings.TrimSpace(cred)
		if s.opts.OAuthToken != "" && eq(cred, s.opts.OAuthToken) {
			return 0
		}
		if eq(cred, s.opts.APIKey) {
			return http.StatusForbidden
		}
	}
	return http.StatusUnauthorized
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/athlete/{id}", s.athleteScoped(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed")
			return
		}
		s.athlete(w)
	}))
	mux.HandleFunc("/api/v1/athlete/{id}/activities", s.athleteScoped(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r)
		case http.MethodPost:
			s.upload(w, r)
		default:
			writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
	}))
	mux.HandleFunc("/api/v1/athlete/{id}/activities/{ids}", s.athleteScoped(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed")
			return
		}
		s.listByIDs(w, r)
	}))
	mux.HandleFunc("POST /api/v1/athlete/{id}/events/{event}/mark-done", s.athleteScoped(s.markDoneEvent))
	mux.HandleFunc("GET /api/v1/athlete/{id}/events", s.athleteScoped(s.listEvents))
	mux.HandleFunc("/api/v1/activity/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			s.getActivity(w, r)
		case http.MethodPut:
			s.putActivity(w, r)
		case http.MethodDelete:
			s.deleteActivity(w, r)
		default:
			writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeSpring(w, r, http.StatusNotFound, "Not Found")
	})
	return mux
}

// athleteScoped accepts only "0" (the key's owner) or the athlete's own id.
func (s *Server) athleteScoped(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); id != "0" && id != s.opts.AthleteID {
			writeError(w, http.StatusForbidden, "Access denied")
			return
		}
		h(w, r)
	}
}

func (s *Server) athlete(w http.ResponseWriter) {
	rec := map[string]any{
		"id":                         s.opts.AthleteID,
		"name":                       s.opts.AthleteName,
		"firstname":                  strings.Fields(s.opts.AthleteName + " x")[0],
		"timezone":                   s.opts.Timezone,
		"status":                     "ACTIVE",
		"locale":                     "en",
		"measurement_preference":     "meters",
		"icu_garmin_sync_activities": true,
		"strava_authorized":          true,
		"zwift_sync_activities":      false,
		"wahoo_sync_activities":      false,
		"sportSettings":              []any{},
		"custom_items":               []any{},
	}
	for k, v := range s.opts.AthleteFields {
		if v == nil {
			delete(rec, k)
		} else {
			rec[k] = v
		}
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) markDoneEvent(w http.ResponseWriter, r *http.Request) {
	// The real service makes a MANUAL activity here: a second copy of the
	// ride's load when the ride was uploaded too. Counted so tests can say never.
	s.mu.Lock()
	s.markDone++
	a := &Activity{Source: "MANUAL", Type: "Ride", Name: "Planned workout " + r.PathValue("event")}
	now := s.opts.Now()
	a.StartDate, a.StartDateLocal = now.UTC().Truncate(time.Second), wall(now.In(s.tz)).Truncate(time.Second)
	s.insertLocked(a)
	body := s.renderLocked(a, nil)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError is the service's own error shape: {"status":422,"error":"..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "error": msg})
}

// writeSpring is the framework's default error body (unknown routes, 401).
func writeSpring(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"),
		"status":    status, "error": msg, "path": r.URL.Path,
	})
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

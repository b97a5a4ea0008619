// Package trainingpeaksfake is a loopback TrainingPeaks: the login page that
// sets the HttpOnly Production_tpAuth cookie, the cookie → bearer exchange,
// the user endpoint (athlete and coach shapes), the 90-day workout list, the
// per-workout details and rawfiledata downloads. One server plays every host
// (home, app and tpapi), since their paths do not collide.
//
// It is strict where the real service is known or assumed to be: bearers
// expire, revoked cookies are refused, list ranges over 90 days (counted
// inclusively) get 400, another athlete's id gets 403, a deleted workout gets
// 400 "Invalid workoutId (<id>)".
package trainingpeaksfake

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	"fitbridge/backend/fakes"
)

// Account ids the fake answers with.
const (
	AthleteID         int64 = 111 // the self-coached athlete account
	CoachID           int64 = 333 // the coach account (not an athlete itself)
	CoachedAthleteID  int64 = 222 // the coach's first athlete; Seed fills this one on a coach account
	SecondAthleteID   int64 = 223 // the coach's second athlete
	DefaultUsername         = "rider@example.com"
	DefaultPassword         = "correct horse battery"
	DefaultMFACode          = "123456"
	DefaultTimeZone         = "Europe/Berlin"
	CookieName              = "Production_tpAuth"
	antiForgeryCookie       = "__RequestVerificationToken"
	mfaPendingCookie        = "tp_mfa_pending"
	maxListDays             = 90
)

// LoginMode says how the login form answers good credentials.
type LoginMode string

const (
	LoginOK      LoginMode = ""        // 302 to the app with the session cookie
	LoginCaptcha LoginMode = "captcha" // the form comes back with CaptchaHidden=true, no cookie
	LoginMFA     LoginMode = "mfa"     // 302 to /login/mfa; the code form then issues the cookie
)

// WebPage is what a file download answers instead of the file.
type WebPage string

const (
	WebPageNone   WebPage = ""
	WebPageSignIn WebPage = "sign-in" // 302 to the login form, which answers 200
	WebPageError  WebPage = "error"   // 200 with a maintenance page
)

// Options shape the fake account. The zero value is a well-behaved
// self-coached athlete whose bearers live an hour.
type Options struct {
	// Faults wraps the API (token exchange included); the login and app
	// pages are never faulted, as a browser drives them.
	Faults *fakes.Faults
	// CoachAccount answers /users/v3/user with a coach of two athletes.
	CoachAccount bool
	// Athletes shapes the user answer's athletes[] on the other accounts
	// (public clients disagree on what it holds).
	Athletes AthletesEntry
	// FilesAsJSON answers file downloads with JSON {fileName, contentType,
	// data: base64 of the stored bytes}, as one public client decodes them.
	FilesAsJSON bool
	// FreeAccount403 refuses every rawfiledata download with 403.
	FreeAccount403 bool
	// RefuseWith200 answers a refused cookie's exchange 200 {"success":false}
	// instead of 401, as some tools report.
	RefuseWith200 bool
	// FilesAsWebPage makes file downloads answer with a web page (200,
	// text/html) instead of the file.
	FilesAsWebPage WebPage
	// BearerLifetime is how long an exchanged bearer works (default 1 h).
	BearerLifetime time.Duration
	// Username and Password accepted by the login form (defaults above).
	Username, Password string
	// AutoLogin makes the login (and MFA) page fill itself in and submit,
	// standing in for the rider in headless browser tests.
	AutoLogin bool
	LoginMode LoginMode
	MFACode   string
	// TimeZone is user.timeZone; workouts' local times use it (default Europe/Berlin).
	TimeZone string
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// AthletesEntry is what athletes[] holds when CoachAccount is off.
type AthletesEntry int

const (
	// AthletesNone: the athlete account's athletes[] is empty.
	AthletesNone AthletesEntry = iota
	// AthletesSelf: the athlete account lists itself as its one entry.
	AthletesSelf
	// AthletesOneCoached: a coach (not an athlete) with one athlete, whose
	// calendar is the only one the account may read.
	AthletesOneCoached
)

// Request is one request the fake answered.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int
	Bearer bool // an Authorization header was sent
	Cookie bool // a Production_tpAuth cookie was sent
	Time   time.Time
}

// Window is one list call the fake accepted or refused.
type Window struct {
	Athlete    int64
	Start, End time.Time // dates (UTC midnight), both inclusive
	Status     int
}

// Days is the inclusive length of the window.
func (w Window) Days() int { return int(w.End.Sub(w.Start).Hours()/24) + 1 }

// Server is the fake. Create with New, then Start (or mount Handler yourself).
type Server struct {
	opts Options
	loc  *time.Location
	ts   *httptest.Server

	mu          sync.Mutex
	cookies     map[string]bool      // issued session cookies → still valid
	bearers     map[string]time.Time // bearer → expiry
	forgery     map[string]string    // anti-forgery cookie → form token
	mfaPending  map[string]bool
	workouts    map[int64]*Workout
	nextID      int64
	nextFileID  int64
	downloads   map[int64]int
	exchanges   int
	requests    []Request
	windows     []Window
	loginPosts  int
	handler     http.Handler
	handlerOnce sync.Once
}

// New builds a fake with opts; it serves nothing until Start or Handler.
func New(opts Options) *Server {
	if opts.BearerLifetime <= 0 {
		opts.BearerLifetime = time.Hour
	}
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.MFACode == "" {
		opts.MFACode = DefaultMFACode
	}
	if opts.TimeZone == "" {
		opts.TimeZone = DefaultTimeZone
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	loc, err := time.LoadLocation(opts.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return &Server{
		opts:       opts,
		loc:        loc,
		cookies:    map[string]bool{},
		bearers:    map[string]time.Time{},
		forgery:    map[string]string{},
		mfaPending: map[string]bool{},
		workouts:   map[int64]*Workout{},
		nextID:     2_400_000_000, // above int32: workout ids are int64
		nextFileID: 480_000_000,
		downloads:  map[int64]int{},
	}
}

// Start serves the fake on a loopback port and returns its base URL.
func (s *Server) Start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		s.ts = httptest.NewServer(s.Handler())
	}
	return s.ts.URL
}

// URL is the base URL after Start ("" before).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Close stops the server started by Start.
func (s *Server) Close() {
	s.mu.Lock()
	ts := s.ts
	s.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

// Location is the athlete's time zone, in which workouts' local times are given.
func (s *Server) Location() *time.Location { return s.loc }

// PrimaryAthlete is whose workouts Seed fills: the athlete, or a coach's first athlete.
func (s *Server) PrimaryAthlete() int64 {
	if s.opts.CoachAccount || s.opts.Athletes == AthletesOneCoached {
		return CoachedAthleteID
	}
	return AthleteID
}

// IssueCookie returns a valid Production_tpAuth value, as if the rider had signed in.
func (s *Server) IssueCookie() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueCookieLocked()
}

func (s *Server) issueCookieLocked() string {
	c := randomToken(48)
	s.cookies[c] = true
	return c
}

// CookieValid reports whether the token exchange accepts c.
func (s *Server) CookieValid(c string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cookies[c]
}

// RevokeCookie makes every cookie issued so far refused by /users/v3/token
// (an expired or signed-out session). Bearers already issued live on.
func (s *Server) RevokeCookie() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.cookies {
		s.cookies[c] = false
	}
}

// ExpireBearers makes every bearer issued so far answer 401.
func (s *Server) ExpireBearers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for b := range s.bearers {
		s.bearers[b] = time.Time{}
	}
}

// Exchanges counts successful cookie → bearer exchanges.
func (s *Server) Exchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges
}

// Downloads counts rawfiledata and attachment downloads answered 200.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.downloads {
		n += c
	}
	return n
}

// DownloadsOf counts the successful downloads of one workout's files.
func (s *Server) DownloadsOf(workoutID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads[workoutID]
}

// Requests is the log of every request answered, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ListWindows is every workout-list call that reached the list handler, in order.
func (s *Server) ListWindows() []Window {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Window(nil), s.windows...)
}

// Workouts returns copies of every workout row, planned ones included, by start.
func (s *Server) Workouts() []Workout {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Workout, 0, len(s.workouts))
	for _, w := range s.workouts {
		out = append(out, w.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	sortWorkouts(out)
	return out
}

// Workout returns one workout by id.
func (s *Server) Workout(id int64) (Workout, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workouts[id]
	if !ok {
		return Workout{}, false
	}
	return w.clone(), true
}

// FileBytes is the uncompressed content of the file a client should pick for
// the workout (the original device file), or nil when none is usable.
func (s *Server) FileBytes(workoutID int64) []byte {
	s.mu.Lock()
	w, ok := s.workouts[workoutID]
	var files []File
	if ok {
		files = append(append(files, w.Files...), w.Attachments...)
	}
	s.mu.Unlock()
	for _, f := range files {
		if f.Want {
			return f.Data()
		}
	}
	return nil
}

// Delete removes a workout the way a rider deleting it does: it leaves the
// list, and its details, file and single read answer 400 "Invalid workoutId".
func (s *Server) Delete(workoutID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.workouts[workoutID]; ok {
		w.Removed = true
	}
}

func (s *Server) now() time.Time { return s.opts.Now() }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Handler serves every host of the fake.
func (s *Server) Handler() http.Handler {
	s.handlerOnce.Do(func() {
		pages := http.NewServeMux()
		pages.HandleFunc("GET /login", s.loginPage)
		pages.HandleFunc("POST /login", s.loginPost)
		pages.HandleFunc("GET /login/mfa", s.mfaPage)
		pages.HandleFunc("POST /login/mfa", s.mfaPost)
		pages.HandleFunc("GET /{$}", s.appPage)
		pages.HandleFunc("GET /favicon.ico", http.NotFound)

		api := http.NewServeMux()
		api.HandleFunc("GET /users/v3/token", s.tokenExchange)
		api.Handle("GET /users/v3/user", s.authed(s.user))
		api.Handle("GET /fitness/v6/athletes/{aid}/workouts/{start}/{end}", s.authed(s.list))
		api.Handle("GET /fitness/v6/athletes/{aid}/workouts/{wid}", s.authed(s.single))
		api.Handle("GET /fitness/v6/athletes/{aid}/workouts/{wid}/details", s.authed(s.details))
		api.Handle("GET /fitness/v6/athletes/{aid}/workouts/{wid}/rawfiledata/{fid}", s.authed(s.rawFile))
		api.Handle("GET /fitness/v6/athletes/{aid}/workouts/{wid}/attachments/{fid}/raw", s.authed(s.attachment))
		faulted := s.opts.Faults.Wrap(api)

		root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isPage(r.URL.Path) {
				pages.ServeHTTP(w, r)
				return
			}
			faulted.ServeHTTP(w, r)
		})
		s.handler = s.logRequests(root)
	})
	return s.handler
}

func isPage(p string) bool {
	return p == "/" || p == "/login" || p == "/login/mfa" || p == "/favicon.ico"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		_, cookieErr := r.Cookie(CookieName)
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			Bearer: r.Header.Get("Authorization") != "", Cookie: cookieErr == nil,
			Time: s.now(),
		})
		s.mu.Unlock()
	})
}

// LoginPosts counts submissions of the login form.
func (s *Server) LoginPosts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loginPosts
}

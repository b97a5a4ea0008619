// Package mywhooshfake is a strict loopback fake of MyWhoosh: the game's login
// API, the web portal's login page, the rider-profile API (activity list and
// signed download links) and the S3 bucket holding the FIT files, all on one
// base URL because FITBRIDGE_MYWHOOSH_URL replaces every host.
package mywhooshfake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/fakes"
)

// Default test credentials.
const (
	DefaultEmail    = "rider@example.com"
	DefaultPassword = "correct-horse-battery"
	DefaultWhooshID = "12345"
)

// BodyMode says which request-body forms the rider-profile API accepts.
type BodyMode int

const (
	// BodiesAny accepts plain JSON and CryptoJS-encrypted JSON strings.
	BodiesAny BodyMode = iota
	// BodiesPlain answers 400 to encrypted bodies.
	BodiesPlain
	// BodiesEncrypted answers 400 to plain JSON, like the 2026 web app's backend might.
	BodiesEncrypted
)

// KeyMode says what the download-link call wants of "key".
type KeyMode int

const (
	// KeyOptional takes a link call with or without a key.
	KeyOptional KeyMode = iota
	// KeyRequired refuses a link call without the rider's id as key,
	// with {error:true} in a 200.
	KeyRequired
)

// LoginMode says how the login API treats the usual (primary) login body.
type LoginMode int

const (
	// LoginNormal judges the primary body on its credentials.
	LoginNormal LoginMode = iota
	// LoginInvalidRequest refuses every primary body with Success:false
	// "Invalid request" (at RefusalStatus), as if only the variant body worked.
	LoginInvalidRequest
	// LoginHTML answers the primary body with a 200 HTML page.
	LoginHTML
	// LoginBadRequest answers the primary body with a 400 that is not a
	// Success:false refusal.
	LoginBadRequest
)

// Options shape the fake. The zero value is a well-behaved service with the
// default credentials.
type Options struct {
	Email, Password string // accepted credentials (defaults above)
	WhooshID        string

	// RejectFirstLogins makes the first N correct API logins fail with the
	// wrong-password message, as the real endpoint sometimes does.
	RejectFirstLogins int
	// RefusalStatus is the HTTP status of a login refusal ({Success:false,
	// Message}): 200 by default, as MyWhoosh is known to answer, or e.g.
	// 400 or 401 to check that clients read the body, not the status.
	RefusalStatus int
	// PrimaryLogin is how the usual login body is treated. The variant body
	// ({UserName, Password, Source:"connect", DeviceId} with the header
	// "Source: connect") is always judged on its credentials.
	PrimaryLogin LoginMode

	// AutoLogin makes the login page accept the cookie banner, fill in the
	// test credentials and submit by itself (for headless capture tests).
	AutoLogin      bool
	AutoLoginDelay time.Duration // before the page signs itself in (default 200 ms)
	// NeverLogIn makes the page's sign-in always fail: nothing is stored.
	NeverLogIn bool
	// WebTokenOnlyInCookie makes the login page keep the session only in
	// the whoosh_token cookie, not in localStorage.
	WebTokenOnlyInCookie bool
	// StaleWebToken makes the login page start with an expired webToken in
	// localStorage, like a browser profile left from an earlier session.
	StaleWebToken bool

	// NoUserIDInTokens leaves the userId claim out of the tokens (the
	// reference does not promise it in every token).
	NoUserIDInTokens bool

	PageSize int           // rows per list page, whatever the client asks (default 20)
	TokenTTL time.Duration // AccessToken / webToken lifetime (default 1 h)
	URLTTL   time.Duration // signed S3 URL lifetime (default 600 s)
	// ExpireFirstURLs makes the first N signed URLs already expired.
	ExpireFirstURLs int
	// S3ServesHTML makes the bucket answer 200 with an HTML error page.
	S3ServesHTML bool
	// AuthStatus is the status for a missing or bad bearer: 401 (default) or 403.
	AuthStatus int
	Bodies     BodyMode
	// WrongForm is how a body in the form Bodies does not take is refused:
	// 400 (default), 403, or 200 meaning {error:true} inside a 200, the
	// answers that must not make a good session look refused.
	WrongForm int

	// Key is what the download-link call wants of "key".
	Key KeyMode
	// AltRowFields names the list rows' fields as other public clients
	// read them: activityId, userFileId and startDateTime (no date).
	AltRowFields bool
	// VariantNeedsSource refuses the sessions of the variant login (header
	// "Source: connect") on every call that does not send that header too.
	VariantNeedsSource bool

	Faults  *fakes.Faults // in front of the API and the bucket, not the pages
	Latency time.Duration // added to every API and bucket answer
	Now     func() time.Time
}

// Stats counts what the fake saw.
type Stats struct {
	Logins             int // successful API logins
	LoginsRejected     int // wrong credentials or malformed bodies
	VariantTries       int // login calls with the variant body
	VariantLogins      int // successful logins with the variant body
	SpuriousRejections int // correct credentials refused on purpose
	WebLogins          int
	ListCalls          int // answered list pages
	LinkCalls          int // answered download-link calls
	Downloads          int // FIT files served by the bucket
	Unauthorized       int // answers refusing a bearer
	BadRequests        int
	EncryptedBodies    int
	S3WithAuth         int // bucket requests carrying an Authorization header
	S3WithCookie       int
	S3Expired          int
	S3BadSignature     int
	KeysSeen           int    // download-link calls that sent a key
	LastKey            string // the key of the last such call
	KeyRefusals        int    // link calls refused for their key
	WrongForms         int    // bodies refused for their form
	SourceHeaders      int    // API calls carrying "Source: connect"
	SourceMissing      int    // variant sessions refused for lacking it
}

// Server is one fake MyWhoosh account.
type Server struct {
	opts   Options
	secret []byte

	mu              sync.Mutex
	rides           []*Ride
	byFile          map[string]*Ride
	byKey           map[string]*Ride
	gen             int // bumped by ExpireTokens
	rejectLeft      int
	expireURLsLeft  int
	expiredSigs     map[string]bool
	issued          []string // signatures handed out
	stats           Stats
	downloadsByFile map[string]int

	srv *httptest.Server
}

// New builds a fake; Start serves it on loopback, or mount Handler yourself.
func New(opts Options) *Server {
	if opts.Email == "" {
		opts.Email = DefaultEmail
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.WhooshID == "" {
		opts.WhooshID = DefaultWhooshID
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 20
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.URLTTL <= 0 {
		opts.URLTTL = 600 * time.Second
	}
	if opts.AutoLoginDelay <= 0 {
		opts.AutoLoginDelay = 200 * time.Millisecond
	}
	if opts.RefusalStatus == 0 {
		opts.RefusalStatus = http.StatusOK
	}
	if opts.AuthStatus == 0 {
		opts.AuthStatus = http.StatusUnauthorized
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return &Server{
		opts:            opts,
		secret:          secret,
		byFile:          map[string]*Ride{},
		byKey:           map[string]*Ride{},
		rejectLeft:      opts.RejectFirstLogins,
		expireURLsLeft:  opts.ExpireFirstURLs,
		expiredSigs:     map[string]bool{},
		downloadsByFile: map[string]int{},
	}
}

// Start serves the fake on a loopback port and returns its base URL.
func (s *Server) Start() string {
	if s.srv == nil {
		s.srv = httptest.NewServer(s.Handler())
	}
	return s.srv.URL
}

// URL is the base URL after Start.
func (s *Server) URL() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// Close stops a started server.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Options returns the effective options (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Handler serves every MyWhoosh host's routes. Faults and latency apply to the
// API and the bucket, never to the login pages.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /http-service/api/login", s.handleLogin)
	api.HandleFunc("POST /v2/rider/profile/activities", s.handleActivities)
	api.HandleFunc("POST /v2/rider/profile/download-activity-file", s.handleLink)
	api.HandleFunc("GET /s3/ride/{key...}", s.handleS3)
	var apiH http.Handler = api
	if s.opts.Faults != nil {
		apiH = s.opts.Faults.Wrap(apiH)
	}
	if d := s.opts.Latency; d > 0 {
		inner := apiH
		apiH = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
			inner.ServeHTTP(w, r)
		})
	}

	mux := http.NewServeMux()
	mux.Handle("/http-service/", apiH)
	mux.Handle("/v2/", apiH)
	mux.Handle("/s3/", apiH)
	mux.HandleFunc("GET /auth/login", s.handleLoginPage)
	mux.HandleFunc("POST /api/web/login", s.handleWebLogin)
	mux.HandleFunc("GET /user/activities", s.handleActivitiesPage)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/auth/login", http.StatusFound)
	})
	return mux
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Downloads is how many FIT files the bucket served.
func (s *Server) Downloads() int { return s.Stats().Downloads }

// DownloadsOf is how many times the bucket served the ride's file.
func (s *Server) DownloadsOf(fileID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloadsByFile[fileID]
}

// ExpireTokens makes every token handed out so far answer 401 (or
// AuthStatus), as if the session expired mid-run.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

// ExpireSignedURLs makes every signed URL handed out so far answer 403.
func (s *Server) ExpireSignedURLs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sig := range s.issued {
		s.expiredSigs[sig] = true
	}
}

// RejectNextLogins makes the next n correct API logins fail spuriously.
func (s *Server) RejectNextLogins(n int) {
	s.mu.Lock()
	s.rejectLeft = n
	s.mu.Unlock()
}

// IssueToken returns a valid AccessToken, for tests that skip the login.
func (s *Server) IssueToken() string { return s.token("app", s.opts.TokenTTL) }

// ExpiredToken returns a well-signed token whose exp has passed.
func (s *Server) ExpiredToken() string { return s.token("web", -time.Hour) }

// --- tokens ---

func (s *Server) token(src string, ttl time.Duration) string {
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	now := s.opts.Now()
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	claims := map[string]any{
		"whooshId": s.opts.WhooshID,
		"email":    s.opts.Email,
		"src":      src,
		"gen":      gen,
		"jti":      hex.EncodeToString(nonce),
		"iat":      now.Unix(),
		"exp":      now.Add(ttl).Unix(),
	}
	if !s.opts.NoUserIDInTokens {
		claims["userId"] = s.opts.WhooshID
	}
	head := b64json(map[string]string{"alg": "HS256", "typ": "JWT"})
	body := b64json(claims)
	return head + "." + body + "." + s.sign(head+"."+body)
}

func (s *Server) sign(msg string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkBearer reports why a request's bearer is refused, or "" when it is good.
func (s *Server) checkBearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return "missing bearer"
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(s.sign(parts[0]+"."+parts[1])), []byte(parts[2])) {
		return "invalid token"
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "invalid token"
	}
	var c struct {
		Exp int64  `json:"exp"`
		Gen int    `json:"gen"`
		Src string `json:"src"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return "invalid token"
	}
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	if c.Gen != gen || s.opts.Now().Unix() >= c.Exp {
		return "token expired"
	}
	if r.Header.Get("Source") == "connect" {
		s.count(func(st *Stats) { st.SourceHeaders++ })
	}
	if s.opts.VariantNeedsSource && c.Src == "connect" && r.Header.Get("Source") != "connect" {
		s.count(func(st *Stats) { st.SourceMissing++ })
		return "invalid source"
	}
	return ""
}

func (s *Server) refuse(w http.ResponseWriter, why string) {
	s.count(func(st *Stats) { st.Unauthorized++ })
	writeJSON(w, s.opts.AuthStatus, map[string]any{
		"error": true, "code": s.opts.AuthStatus, "message": "Unauthorized: " + why, "data": nil,
	})
}

func (s *Server) badRequest(w http.ResponseWriter, msg string) {
	s.count(func(st *Stats) { st.BadRequests++ })
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": true, "code": 400, "message": msg, "data": nil})
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// --- game login API ---

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
		s.badRequest(w, "invalid JSON body")
		return
	}
	fail := func(msg string) {
		s.count(func(st *Stats) { st.LoginsRejected++ })
		writeJSON(w, s.opts.RefusalStatus, map[string]any{"Success": false, "Message": msg})
	}
	_, variant := body["Source"]
	variant = variant || r.Header.Get("Source") != ""
	var user, pass string
	if variant {
		s.count(func(st *Stats) { st.VariantTries++ })
		user, _ = body["UserName"].(string)
		pass, _ = body["Password"].(string)
		src, _ := body["Source"].(string)
		device, _ := body["DeviceId"].(string)
		if user == "" || pass == "" || device == "" || src != "connect" || r.Header.Get("Source") != "connect" {
			fail("Invalid request")
			return
		}
	} else {
		switch s.opts.PrimaryLogin {
		case LoginInvalidRequest:
			fail("Invalid request")
			return
		case LoginHTML:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>")
			return
		case LoginBadRequest:
			s.badRequest(w, "Bad Request")
			return
		}
		user, _ = body["Username"].(string)
		pass, _ = body["Password"].(string)
		platform, _ := body["Platform"].(string)
		action, _ := body["Action"].(float64)
		if user == "" || pass == "" || platform == "" || action != 1001 {
			fail("Invalid request")
			return
		}
	}
	if !strings.EqualFold(strings.TrimSpace(user), s.opts.Email) || pass != s.opts.Password {
		fail("Email address or password is incorrect")
		return
	}
	s.mu.Lock()
	spurious := s.rejectLeft > 0
	if spurious {
		s.rejectLeft--
		s.stats.SpuriousRejections++
	}
	s.mu.Unlock()
	if spurious {
		writeJSON(w, s.opts.RefusalStatus, map[string]any{"Success": false, "Message": "Email address or password is incorrect"})
		return
	}
	s.count(func(st *Stats) {
		st.Logins++
		if variant {
			st.VariantLogins++
		}
	})
	answer := map[string]any{
		"Success":      true,
		"Message":      "Authentication Successful",
		"AccessToken":  s.token(map[bool]string{false: "app", true: "connect"}[variant], s.opts.TokenTTL),
		"RefreshToken": s.token("refresh", 30*24*time.Hour),
		"WhooshId":     s.opts.WhooshID,
		"Username":     s.opts.Email,
		"Verified":     true,
		"Action":       "1001",
		"LoginType":    1,
	}
	if variant {
		answer["DeviceId"] = body["DeviceId"]
	} else {
		answer["CorrelationId"], _ = body["CorrelationId"].(string)
	}
	writeJSON(w, http.StatusOK, answer)
}

// --- rider profile API ---

// decodeBody reads a rider-profile body: a JSON object, or a JSON string
// holding CryptoJS ciphertext of one, as the body mode allows.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, into any) bool {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		s.badRequest(w, "unreadable body")
		return false
	}
	raw = []byte(strings.TrimSpace(string(raw)))
	if len(raw) > 0 && raw[0] == '"' {
		if s.opts.Bodies == BodiesPlain {
			s.wrongForm(w)
			return false
		}
		var ct string
		if json.Unmarshal(raw, &ct) != nil {
			s.badRequest(w, "invalid request body")
			return false
		}
		plain, err := decryptBody(ct)
		if err != nil {
			s.badRequest(w, "invalid request body")
			return false
		}
		s.count(func(st *Stats) { st.EncryptedBodies++ })
		raw = plain
	} else if s.opts.Bodies == BodiesEncrypted {
		s.wrongForm(w)
		return false
	}
	if len(raw) == 0 || raw[0] != '{' {
		s.badRequest(w, "request body must be a JSON object")
		return false
	}
	if err := json.Unmarshal(raw, into); err != nil {
		s.badRequest(w, "invalid request body: "+err.Error())
		return false
	}
	return true
}

// wrongForm refuses a body in the form this mode does not take, the way
// WrongForm says.
func (s *Server) wrongForm(w http.ResponseWriter) {
	s.count(func(st *Stats) { st.WrongForms++ })
	switch s.opts.WrongForm {
	case http.StatusForbidden:
		writeJSON(w, http.StatusForbidden, map[string]any{"error": true, "code": 403, "message": "Forbidden", "data": nil})
	case http.StatusOK:
		writeJSON(w, http.StatusOK, map[string]any{"error": true, "code": 400, "message": "Something went wrong", "data": nil})
	default:
		s.badRequest(w, "invalid request body")
	}
}

type listBody struct {
	Page     json.RawMessage `json:"page"`
	SortDate *string         `json:"sortDate"`
	Type     *string         `json:"type"`
	Limit    json.RawMessage `json:"limit"`
}

// jsonInt accepts a JSON number with no fraction, never a quoted one.
func jsonInt(raw json.RawMessage) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n, err == nil
}

func (s *Server) handleActivities(w http.ResponseWriter, r *http.Request) {
	if why := s.checkBearer(r); why != "" {
		s.refuse(w, why)
		return
	}
	var b listBody
	if !s.decodeBody(w, r, &b) {
		return
	}
	if b.Page == nil {
		s.badRequest(w, "page is required")
		return
	}
	page, ok := jsonInt(b.Page)
	if !ok || page < 1 {
		s.badRequest(w, "page must be a whole number from 1")
		return
	}
	if b.SortDate == nil || (*b.SortDate != "ASC" && *b.SortDate != "DESC") {
		s.badRequest(w, `sortDate must be "ASC" or "DESC"`)
		return
	}
	if b.Limit != nil {
		if _, ok := jsonInt(b.Limit); !ok {
			s.badRequest(w, "limit must be a number")
			return
		}
	}

	s.mu.Lock()
	rows := append([]*Ride(nil), s.rides...)
	s.stats.ListCalls++
	s.mu.Unlock()
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Start.Equal(rows[j].Start) {
			return rows[i].ID < rows[j].ID
		}
		return rows[i].Start.Before(rows[j].Start)
	})
	if *b.SortDate == "DESC" {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	size := s.opts.PageSize
	total := (len(rows) + size - 1) / size
	results := []map[string]any{}
	for i := (page - 1) * size; i < page*size && i < len(rows); i++ {
		results = append(results, rows[i].item(s.opts.AltRowFields))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"error": false, "code": 200, "message": "",
		"data": map[string]any{"results": results, "totalPages": total, "currentPage": page},
	})
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	if why := s.checkBearer(r); why != "" {
		s.refuse(w, why)
		return
	}
	var b struct {
		FileID *string `json:"fileId"`
		Key    *string `json:"key"`
	}
	if !s.decodeBody(w, r, &b) {
		return
	}
	if b.FileID == nil || *b.FileID == "" {
		s.badRequest(w, "fileId is required")
		return
	}
	s.mu.Lock()
	ride := s.byFile[*b.FileID]
	s.stats.LinkCalls++
	if b.Key != nil {
		s.stats.KeysSeen++
		s.stats.LastKey = *b.Key
	}
	s.mu.Unlock()
	// Nothing is known of MyWhoosh checking key: by default any key, or
	// none, is taken (tests read LastKey); KeyRequired wants the rider's id.
	if s.opts.Key == KeyRequired && (b.Key == nil || *b.Key != s.opts.WhooshID) {
		s.count(func(st *Stats) { st.KeyRefusals++ })
		writeJSON(w, http.StatusOK, map[string]any{"error": true, "code": 400, "message": "Invalid request", "data": nil})
		return
	}
	if ride == nil {
		writeJSON(w, http.StatusOK, map[string]any{"error": true, "code": 404, "message": "File not found", "data": nil})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"error": false, "code": 200, "message": "", "data": s.signURL(r, ride),
	})
}

// --- bucket ---

// signURL makes a pre-signed S3-style URL on the base URL the client used.
func (s *Server) signURL(r *http.Request, ride *Ride) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	now := s.opts.Now().UTC()
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	date := now.Format("20060102T150405Z")
	expires := strconv.Itoa(int(s.opts.URLTTL / time.Second))
	q := []string{
		"X-Amz-Algorithm=AWS4-HMAC-SHA256",
		"X-Amz-Credential=AKIAFAKEFITBRIDGE%2F" + now.Format("20060102") + "%2Feu-west-1%2Fs3%2Faws4_request",
		"X-Amz-Date=" + date,
		"X-Amz-Expires=" + expires,
		"X-Amz-Security-Token=" + hex.EncodeToString(nonce),
		"X-Amz-SignedHeaders=host",
	}
	sig := s.s3Sig(ride.key, date, expires, hex.EncodeToString(nonce))
	s.mu.Lock()
	if s.expireURLsLeft > 0 {
		s.expireURLsLeft--
		s.expiredSigs[sig] = true
	}
	s.issued = append(s.issued, sig)
	s.mu.Unlock()
	return fmt.Sprintf("%s://%s/s3/ride/%s?%s&X-Amz-Signature=%s", scheme, r.Host, ride.key, strings.Join(q, "&"), sig)
}

func (s *Server) s3Sig(key, date, expires, nonce string) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "s3|%s|%s|%s|%s", key, date, expires, nonce)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) handleS3(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		s.count(func(st *Stats) { st.S3WithAuth++ })
		s3Error(w, http.StatusBadRequest, "InvalidArgument",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	if r.Header.Get("Cookie") != "" {
		s.count(func(st *Stats) { st.S3WithCookie++ })
	}
	key := r.PathValue("key")
	q := r.URL.Query()
	date, expires, nonce, sig := q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"), q.Get("X-Amz-Security-Token"), q.Get("X-Amz-Signature")
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || date == "" || expires == "" || sig == "" {
		s.count(func(st *Stats) { st.S3BadSignature++ })
		s3Error(w, http.StatusForbidden, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
		return
	}
	if !hmac.Equal([]byte(sig), []byte(s.s3Sig(key, date, expires, nonce))) {
		s.count(func(st *Stats) { st.S3BadSignature++ })
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	issued, err := time.Parse("20060102T150405Z", date)
	secs, err2 := strconv.Atoi(expires)
	s.mu.Lock()
	revoked := s.expiredSigs[sig]
	s.mu.Unlock()
	if err != nil || err2 != nil || revoked || s.opts.Now().After(issued.Add(time.Duration(secs)*time.Second)) {
		s.count(func(st *Stats) { st.S3Expired++ })
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	s.mu.Lock()
	ride := s.byKey[key]
	s.mu.Unlock()
	if ride == nil {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if s.opts.S3ServesHTML {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>")
		return
	}
	s.mu.Lock()
	s.stats.Downloads++
	s.downloadsByFile[ride.FileID]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "binary/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(ride.FIT)))
	w.Header().Set("ETag", fmt.Sprintf("%q", hex.EncodeToString(sha256Sum(ride.FIT)[:16])))
	w.Write(ride.FIT)
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Error><Code>%s</Code><Message>%s</Message><RequestId>FAKE0000000000</RequestId><HostId>fake</HostId></Error>`, code, msg)
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

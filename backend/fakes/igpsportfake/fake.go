// Package igpsportfake is a loopback stand-in for iGPSport: the account
// login API, the activity list with its quirks, ride detail, download links,
// object storage, the passport login page and the web app's list page, for
// either region. One server plays every host, the way FITBRIDGE_IGPSPORT_URL
// points FitBridge at a single base URL.
package igpsportfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/fitgen"
)

// Regions, as FitBridge names them.
const (
	RegionIntl  = "intl"
	RegionChina = "cn"
)

// Options shape the fake. The zero value is an international account with
// every documented quirk switched on.
type Options struct {
	Region   string // RegionIntl (default) or RegionChina
	Username string // default "rider@example.com" (intl) or "13800138000" (cn)
	Password string // default "correct horse"
	MemberID int64  // default 4242

	// Faults wraps the API and storage; when its Skip is nil, New sets it
	// so the pages and their scripts are never faulted.
	Faults *fakes.Faults

	// ChinaRequiresSignature makes every gateway call (login included) need
	// the signing headers that only the web app's own script computes, as
	// the China service has done since 2026. Only used with RegionChina.
	ChinaRequiresSignature bool
	// SignatureErrorAs200 answers unsigned calls HTTP 200 with a business
	// code instead of HTTP 403.
	SignatureErrorAs200 bool
	// ReplayableSignatures signs the path without its query and lets a
	// nonce be used again, so the web app's own list call, sent again with
	// another pageNo from inside the page, passes: the gateway then allows
	// paging by the call's parameters. Off, only the app's clicks page.
	ReplayableSignatures bool
	// Unsigned, when set, is how unsigned calls are refused instead:
	// nobody has shown what the real gateway answers them, so FitBridge
	// must not depend on the wording or the status.
	Unsigned UnsignedAnswer
	// TokenErrorAs200 answers a missing or dead token HTTP 200 with
	// {code:401,"token expired"} instead of HTTP 401.
	TokenErrorAs200 bool
	// NoRepeatPastEnd answers pages past the end with no rows instead of
	// repeating the last page.
	NoRepeatPastEnd bool
	// OmitTotalPage leaves totalPage and totalRows out of list answers, so
	// a client has to find the end itself (and meets the repeated page).
	OmitTotalPage bool
	// StrictStorageAuth makes storage answer 400 to a request carrying an
	// Authorization header, a tripwire for tests. Off, storage serves it as
	// some clients see the real one do, and Requests records the header.
	StrictStorageAuth bool

	// WorkoutsNotListed makes the workout list leave out what was sent: the
	// upload answers success but the workout never reaches a device.
	WorkoutsNotListed bool

	// AutoLogin makes the login page fill in the account and submit itself
	// after AutoLoginDelay (default 1 s, long enough for a watcher to see the
	// stale token the page leaves first).
	AutoLogin      bool
	AutoLoginDelay time.Duration

	// Location is the rider's zone, used for the times the API shows
	// (default UTC+8, what the China clients assume).
	Location *time.Location
}

// UnsignedAnswer is a way the China gateway may refuse an unsigned call.
type UnsignedAnswer int

const (
	UnsignedAsSaid       UnsignedAnswer = iota // 403, or 200 with SignatureErrorAs200, naming the signature
	UnsignedOtherWords                         // 200 {code:10086, "请求非法"}: no word of signing
	UnsignedBadRequest                         // 400 with a plain-text body
	UnsignedHTML                               // 200 with an HTML page (a WAF's)
	UnsignedUnauthorized                       // 401 {code:401, "Unauthorized"}, as for a dead token
)

// DownloadVia says which of the three download paths yields a ride's file.
type DownloadVia int

const (
	ViaOSSPath     DownloadVia = iota // fitOssPath in the list row
	ViaDetail                         // no fitOssPath; detail has fitUrl
	ViaDownloadURL                    // neither; only getDownloadUrl
)

func (v DownloadVia) String() string {
	switch v {
	case ViaOSSPath:
		return "fitOssPath"
	case ViaDetail:
		return "detail fitUrl"
	case ViaDownloadURL:
		return "getDownloadUrl"
	}
	return fmt.Sprintf("DownloadVia(%d)", int(v))
}

// Ride is one seeded ride.
type Ride struct {
	RideID       int64 // 0 is a real ride
	Title        string
	Start        time.Time // UTC, as the FIT says
	Duration     time.Duration
	DistanceM    float64
	ExerciseType int
	ProductName  string
	// ListDateTime shows "YYYY-MM-DD HH:MM:SS" in the list instead of the dotted date.
	ListDateTime bool
	Via          DownloadVia
	Object       string // storage object name: <memberId>-<uuid>
	// BareOSSPath lists fitOssPath as the bare object name, not a web
	// address (the detail's fitUrl stays a full link).
	BareOSSPath bool
	// Private makes storage refuse the plain object link with 403
	// AccessDenied; only the signed link getDownloadUrl gives works.
	Private bool
}

// Request is one call the fake answered, for tests to inspect.
type Request struct {
	Method, Path string
	Query        url.Values
	Status       int
	// Authorization reports that the request carried an Authorization header at all.
	Authorization bool
	// Token is what the bearer was: "" (none), "valid", "expired", "stale" or "unknown".
	Token string
	// Signed reports valid signing headers (China mode).
	Signed bool
	// SigningHeaders names the signing headers the request carried at all
	// (x-access-key, x-platform, x-timestamp, x-nonce, x-signature), in that order.
	SigningHeaders []string
}

// Server is a running fake.
type Server struct {
	opts   Options
	secret []byte // the China signing key

	mu        sync.Mutex
	rides     []*Ride // oldest first
	byID      map[int64]*Ride
	fits      map[int64][]byte
	removed   map[int64]bool
	tokens    map[string]bool // issued token -> still valid
	stale     string
	nonces    map[string]bool
	requests  []Request
	downloads int
	emptyFrom int // storage answers empty bodies once this many files were served; 0 = never
	nextID    int64
	objRng    *mrand.Rand

	workouts      map[int64]*CustomWorkout
	nextWorkoutID int64

	srv *httptest.Server
}

// New builds a fake; call Start (or mount Handler) to serve it.
func New(opts Options) *Server {
	if opts.Region == "" {
		opts.Region = RegionIntl
	}
	if opts.Username == "" {
		opts.Username = "rider@example.com"
		if opts.Region == RegionChina {
			opts.Username = "13800138000"
		}
	}
	if opts.Password == "" {
		opts.Password = "correct horse"
	}
	if opts.MemberID == 0 {
		opts.MemberID = 4242
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("UTC+8", 8*3600)
	}
	if opts.AutoLoginDelay <= 0 {
		opts.AutoLoginDelay = time.Second
	}
	if f := opts.Faults; f != nil && f.Skip == nil {
		// Pages and scripts are never faulted: only the API and storage misbehave.
		f.Skip = func(r *http.Request) bool {
			return !strings.HasPrefix(r.URL.Path, "/service/") && !strings.HasPrefix(r.URL.Path, "/oss/")
		}
	}
	s := &Server{
		opts:    opts,
		secret:  randomBytes(256),
		byID:    map[int64]*Ride{},
		fits:    map[int64][]byte{},
		removed: map[int64]bool{},
		tokens:  map[string]bool{},
		nonces:  map[string]bool{},
		nextID:  30_000_000,
		objRng:  mrand.New(mrand.NewSource(opts.MemberID)),
	}
	s.stale = s.mintToken(time.Now().Add(30 * 24 * time.Hour)) // well formed, never issued
	return s
}

// Start serves the fake on a loopback port and returns its base URL.
func (s *Server) Start() string {
	s.srv = httptest.NewServer(s.Handler())
	return s.srv.URL
}

// URL is the base URL after Start.
func (s *Server) URL() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// Close stops serving.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Options returns the options in force (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Seed adds n rides spread over [from, to) and returns them oldest first.
// The first ride ever seeded gets rideId 0; about one in five rows has no
// fitOssPath but a detail fitUrl, one in ten only a getDownloadUrl link, and
// one in seventeen shows a full date-time instead of the dotted date.
func (s *Server) Seed(n int, from, to time.Time, rng *mrand.Rand) []Ride {
	starts := make([]time.Time, n)
	span := to.Sub(from)
	for i := range starts {
		starts[i] = from.Add(time.Duration(rng.Int63n(int64(span)))).UTC().Truncate(time.Second)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	products := []string{"iGS630", "iGS320", "BSC300", "iGS800"}
	title := "Outdoor Ride"
	if s.opts.Region == RegionChina {
		title = "户外骑行"
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ride, 0, n)
	for i, st := range starts {
		dur := time.Duration(30+rng.Intn(210)) * time.Minute
		kmh := 18 + rng.Float64()*14
		r := &Ride{
			Title:        title,
			Start:        st,
			Duration:     dur,
			DistanceM:    float64(int(kmh / 3.6 * dur.Seconds())),
			ProductName:  products[rng.Intn(len(products))],
			ListDateTime: i%17 == 5,
		}
		switch {
		case i%10 == 4:
			r.Via = ViaDownloadURL
		case i%5 == 1:
			r.Via = ViaDetail
		}
		if _, taken := s.byID[0]; !taken {
			r.RideID = 0
		} else {
			s.nextID += 1 + int64(rng.Intn(5000))
			r.RideID = s.nextID
		}
		s.addLocked(r)
		out = append(out, *r)
	}
	return out
}

// AddRide adds one ride; a nil fitData means "generate a FIT for it".
func (s *Server) AddRide(r Ride, fitData []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.RideID >= s.nextID {
		s.nextID = r.RideID + 1
	}
	rr := r
	s.addLocked(&rr)
	if fitData != nil {
		s.fits[r.RideID] = fitData
	}
}

func (s *Server) addLocked(r *Ride) {
	if r.Object == "" {
		u := make([]byte, 16)
		s.objRng.Read(u)
		r.Object = fmt.Sprintf("%d-%x-%x-%x-%x-%x", s.opts.MemberID, u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	}
	if old, ok := s.byID[r.RideID]; ok {
		*old = *r
		return
	}
	s.byID[r.RideID] = r
	s.rides = append(s.rides, r)
	sort.SliceStable(s.rides, func(i, j int) bool { return s.rides[i].Start.Before(s.rides[j].Start) })
}

// Rides returns every ride, newest first (the order the list shows).
func (s *Server) Rides() []Ride {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ride, len(s.rides))
	for i, r := range s.rides {
		out[len(s.rides)-1-i] = *r
	}
	return out
}

// FIT returns the file storage serves for a ride.
func (s *Server) FIT(rideID int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[rideID]
	if !ok {
		return nil, false
	}
	return s.fitLocked(r), true
}

func (s *Server) fitLocked(r *Ride) []byte {
	if b, ok := s.fits[r.RideID]; ok {
		return b
	}
	b := fitgen.Activity(fitgen.Ride{
		Start:        r.Start,
		Duration:     r.Duration,
		DistanceM:    r.DistanceM,
		Sport:        fit.SportCycling,
		SubSport:     fit.SubSportRoad,
		Manufacturer: fit.ManufacturerIgpsport,
		Product:      320,
		Serial:       uint32(r.RideID) + 1,
		AvgHR:        138,
		Every:        time.Minute,
	})
	s.fits[r.RideID] = b
	return b
}

// Downloads counts the files storage has served.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

// Requests returns every call answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Token issues a valid token for the account without a login call.
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked()
}

// StaleToken is the well-formed token the login page leaves in storage
// before sign-in; the API rejects it.
func (s *Server) StaleToken() string { return s.stale }

// ExpireTokens makes every token issued so far invalid; new logins work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = false
	}
}

// EmptyAfter makes storage answer 200 with an empty body once n files were
// served (the daily cap seen on the China service); 0 switches it off.
func (s *Server) EmptyAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		s.emptyFrom = 0
		return
	}
	s.emptyFrom = s.downloads + n
}

// RemoveObject deletes a ride's file from storage (404 NoSuchKey), leaving the ride listed.
func (s *Server) RemoveObject(rideID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed[rideID] = true
}

func (s *Server) issueLocked() string {
	t := s.mintToken(time.Now().Add(7 * 24 * time.Hour))
	s.tokens[t] = true
	return t
}

// mintToken builds a JWT with the claims the real one carries; the fake
// recognises its tokens by value, so the signature part is random.
func (s *Server) mintToken(exp time.Time) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	body, _ := json.Marshal(map[string]any{
		"memberid": s.opts.MemberID,
		"iat":      time.Now().Unix(),
		"exp":      exp.Unix(),
		"jti":      hex.EncodeToString(randomBytes(8)),
		"scope":    []string{"openid", "web.api"},
	})
	return enc.EncodeToString(head) + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(randomBytes(32))
}

// tokenState classifies a request's bearer.
func (s *Server) tokenState(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ""
	}
	t, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return "unknown"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	valid, issued := s.tokens[t]
	switch {
	case issued && valid:
		return "valid"
	case issued:
		return "expired"
	case t == s.stale:
		return "stale"
	}
	return "unknown"
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

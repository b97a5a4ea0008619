// Package web serves FitBridge's window to a browser (`fitbridge serve`): the
// built frontend, the App's methods as JSON calls and its events as
// Server-Sent Events, the API behind a per-run token.
//
// The token reaches the page in the URL fragment, which browsers never send
// to a server, and comes back only in an Authorization header. It is never
// a cookie: browsers send 127.0.0.1's cookies to every port, so any other
// local server the rider opens would receive it.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fitbridge/backend/secrets"
)

// DefaultAddr listens on this computer only, on a free port.
const DefaultAddr = "127.0.0.1:0"

// maxBody bounds a call's arguments; the window sends ids, settings and paths.
const maxBody = 4 << 20

// Options configure a Server.
type Options struct {
	// App is the object whose exported methods the window calls (the same
	// one the desktop window binds); a pointer when they have pointer receivers.
	App any
	// Assets is the built frontend (index.html at its root). Nil serves the
	// API only.
	Assets fs.FS
	// Addr to listen on; DefaultAddr when empty.
	Addr string
	// Token guards every request; 32 random bytes in hex when empty. At
	// least 16 characters of [A-Za-z0-9._~-] when given.
	Token string
	// Logger for requests and failures; it never receives the token.
	Logger *slog.Logger
	// UploadDir is where files sent up in parts wait to be imported (a
	// private folder is made inside it); the system's temporary folder when
	// empty. The data folder is better: /tmp is often memory.
	UploadDir string
	// Heartbeat is how often an idle event stream sends a comment, so
	// proxies and browsers keep it open and a gone client is noticed;
	// 15 seconds when zero.
	Heartbeat time.Duration
}

// Server is the browser transport. Create it with New, then Start it.
type Server struct {
	app       map[string]*method
	assets    fs.FS
	addr      string
	host      string // the --addr host when it names one, for URLs and Host checks
	token     string
	tokenSum  [32]byte
	log       *slog.Logger
	warning   string
	heartbeat time.Duration
	hub       *hub
	uploads   uploads
	streams   atomic.Int64 // event streams being served
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	srv     *http.Server
	allowed map[string]bool // accepted Host header values, lower case
	mux     *http.ServeMux
}

var tokenChars = regexp.MustCompile(`^[A-Za-z0-9._~-]{16,}$`)

// New checks the options and prepares a Server; nothing listens until Start.
func New(opts Options) (*Server, error) {
	if opts.App == nil {
		return nil, errors.New("web: no App to serve")
	}
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web: address %q: %w", addr, err)
	}
	token := opts.Token
	if token == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails: the runtime aborts instead
		token = hex.EncodeToString(b)
	} else if !tokenChars.MatchString(token) {
		return nil, errors.New("web: the token must be at least 16 characters of letters, digits, '.', '_', '~' or '-'")
	}
	// Everything the server logs passes through a redactor that knows the
	// token, whatever logger it was given.
	red := secrets.NewRedactor()
	red.Add(token)
	base := opts.Logger
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	heartbeat := opts.Heartbeat
	if heartbeat <= 0 {
		heartbeat = 15 * time.Second
	}
	s := &Server{
		app:       methodsOf(opts.App),
		assets:    opts.Assets,
		addr:      addr,
		token:     token,
		tokenSum:  sha256.Sum256([]byte(token)),
		log:       slog.New(red.Handler(base.Handler())),
		heartbeat: heartbeat,
		hub:       newHub(),
		uploads:   uploads{parent: opts.UploadDir},
		done:      make(chan struct{}),
	}
	const exposed = ", not only on this computer: anyone on your network who gets the printed address " +
		"can see and control FitBridge and your connected accounts. Use the default address unless you need this."
	ip := net.ParseIP(host)
	switch {
	case strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()):
		s.host = host
	case host == "" || (ip != nil && ip.IsUnspecified()):
		s.warning = "FitBridge is listening on every network interface (" + addr + ")" + exposed
	default:
		s.host = host
		s.warning = "FitBridge is listening on " + addr + exposed
	}
	s.mux = s.routes()
	return s, nil
}

// Warning is a message for the rider when the address is reachable from
// other machines, "" when it is this computer only.
func (s *Server) Warning() string { return s.warning }

// Start listens and serves in the background. It returns the URL to open,
// with the token in its fragment: print it for the rider, never log it.
func (s *Server) Start() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return "", errors.New("web: server closed")
	default:
	}
	if s.srv != nil {
		return "", errors.New("web: server already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return "", fmt.Errorf("web: listen on %s: %w", s.addr, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	port := strconv.Itoa(bound.Port)
	s.allowed = map[string]bool{}
	for _, h := range []string{"127.0.0.1", "localhost", "::1", s.host} {
		if h == "" {
			continue
		}
		hp := strings.ToLower(net.JoinHostPort(h, port))
		s.allowed[hp] = true
		if port == "80" {
			s.allowed[strings.TrimSuffix(hp, ":80")] = true
		}
	}
	// "localhost" may have resolved to either loopback address; the URL
	// names the one actually listening. An every-interface address is
	// opened from this computer.
	urlHost := s.host
	if urlHost == "" || strings.EqualFold(urlHost, "localhost") {
		urlHost = "127.0.0.1"
		if bound.IP.IsLoopback() {
			urlHost = bound.IP.String()
		}
	}
	base := "http://" + net.JoinHostPort(urlHost, port)

	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go func(srv *http.Server) {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web server stopped", "err", err)
		}
	}(s.srv)
	if s.warning != "" {
		s.log.Warn(s.warning)
	}
	s.log.Info("serving FitBridge to the browser", "address", base)
	return base + "/#token=" + s.token, nil
}

// Close ends the event streams and stops the server, waiting briefly for
// calls in progress.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		s.hub.close()
		defer s.uploads.removeAll()
		s.mu.Lock()
		srv := s.srv
		s.mu.Unlock()
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = srv.Shutdown(ctx); err != nil {
			err = srv.Close()
		}
	})
	return err
}

// Publish sends an event to every connected browser. A payload that cannot
// be encoded, or a name with a line break, is logged and dropped.
func (s *Server) Publish(event string, payload any) {
	if event == "" || strings.ContainsAny(event, "\r\n") {
		s.log.Error("event not sent: bad name", "event", event)
		return
	}
	data, err := json.Marshal(payload)
	if err != nil {
		s.log.Error("event not sent: payload cannot be encoded", "event", event, "err", err)
		return
	}
	var b bytes.Buffer
	b.WriteString("event: ")
	b.WriteString(event)
	b.WriteString("\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	s.hub.publish(b.Bytes())
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/call/{method}", s.call)
	mux.HandleFunc("/api/call/{method}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "calls are POST requests")
	})
	mux.HandleFunc("GET /api/events", s.stream)
	mux.HandleFunc("POST /api/upload", s.startUpload)
	mux.HandleFunc("POST /api/upload/{id}", s.uploadPart)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	mux.HandleFunc("/", s.static)
	return mux
}

// serveHTTP applies the checks every request goes through, in order: a
// Host this server answers to (against DNS rebinding), no foreign Origin
// (against other sites' pages), then, for the API, the token. The window's
// own files hold nothing private and are served without it: the page has
// to load before it can read the token from its address.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	defer func() { s.logRequest(r, rec.status, time.Since(start)) }()

	h := rec.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the token URL must not leak as a Referer
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")

	s.mu.Lock()
	hostOK := s.allowed[strings.ToLower(r.Host)]
	s.mu.Unlock()
	if !hostOK {
		deny(rec, r, http.StatusForbidden, "FitBridge only answers to the address it printed.")
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, "http://"+r.Host) {
		deny(rec, r, http.StatusForbidden, "FitBridge does not accept requests from other sites.")
		return
	}
	if r.URL.Query().Has("token") {
		// An address from before the token moved to the fragment, or a
		// hand-made one: a token in a query string lands in logs and
		// histories, so it is never accepted there.
		deny(rec, r, http.StatusUnauthorized, "Open the address exactly as `fitbridge serve` printed it: the key goes after a #.")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") && !s.authorized(r) {
		deny(rec, r, http.StatusUnauthorized, "Open the address that `fitbridge serve` printed: it carries the key to this session.")
		return
	}
	s.mux.ServeHTTP(rec, r)
}

func (s *Server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && s.validToken(strings.TrimSpace(tok))
}

// validToken compares digests in constant time, so neither the content nor
// the length of the token shows in the timing.
func (s *Server) validToken(t string) bool {
	sum := sha256.Sum256([]byte(t))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

func (s *Server) call(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	m, ok := s.app[name]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no method %q", name))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the request body could not be read: "+err.Error())
		return
	}
	var raw []json.RawMessage
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&raw); err != nil {
			writeError(w, http.StatusBadRequest, "the request body must be a JSON array of arguments")
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			writeError(w, http.StatusBadRequest, "the request body must be a single JSON array of arguments")
			return
		}
	}
	args, err := m.args(r.Context(), raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	result, err := s.invoke(m, args)
	if err != nil {
		s.log.Info("call failed", "method", name, "err", err)
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out, err := json.Marshal(map[string]any{"result": result})
	if err != nil {
		s.log.Error("call result cannot be encoded", "method", name, "err", err)
		writeError(w, http.StatusInternalServerError, "FitBridge could not send the answer to the window")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// invoke turns a panic in the App into an error, so one bad call does not
// drop the connection without an answer.
func (s *Server) invoke(m *method, args []reflect.Value) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("call panicked", "method", m.name, "panic", fmt.Sprint(p))
			result, err = nil, errors.New("FitBridge hit an internal error; see the log")
		}
	}()
	return m.call(args)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	out, _ := json.Marshal(map[string]string{"error": msg})
	writeJSON(w, status, out)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// deny answers in JSON to the API and in plain text to a browser tab.
func deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, status, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelDebug
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		level = slog.LevelWarn
	}
	// RedactURL drops the token= value; the logger's redactor catches the
	// token anywhere else in the line.
	s.log.Log(r.Context(), level, "request",
		"method", r.Method,
		"url", secrets.RedactURL(r.URL.RequestURI()),
		"status", status,
		"duration", d.Round(time.Microsecond),
		"remote", r.RemoteAddr)
}

// recorder notes the status for the log and lets http.ResponseController
// reach the real writer (flushes and deadlines for event streams).
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

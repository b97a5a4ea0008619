// Package releasesfake is a strict loopback stand-in for GitHub's "latest
// release" endpoint (GET /repos/{owner}/{repo}/releases/latest), the feed
// FitBridge's update notice reads. Like GitHub it refuses a request without
// a User-Agent and answers only GET; it records what each request carried,
// so tests can prove nothing about the rider was sent.
package releasesfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Request is what the fake saw.
type Request struct {
	Method    string
	Path      string
	RawQuery  string
	UserAgent string
	Header    http.Header
	BodyBytes int64
}

// Server plays the releases feed of one repository.
type Server struct {
	Repo string // owner/name

	mu       sync.Mutex
	tag      string
	notesURL string
	requests []Request
	srv      *httptest.Server
}

// New returns a feed whose latest release is tag (e.g. "v1.2.3").
func New(repo, tag string) *Server {
	return &Server{Repo: repo, tag: tag}
}

// Start serves on loopback and returns the feed's URL (the endpoint itself).
func (s *Server) Start() string {
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s.URL()
}

// URL is the latest-release endpoint.
func (s *Server) URL() string { return s.srv.URL + "/repos/" + s.Repo + "/releases/latest" }

// NotesURL is the release page the feed links to.
func (s *Server) NotesURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv.URL + "/" + s.Repo + "/releases/tag/" + s.tag
}

// SetTag publishes another latest release.
func (s *Server) SetTag(tag string) {
	s.mu.Lock()
	s.tag = tag
	s.mu.Unlock()
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns what was asked so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		UserAgent: r.UserAgent(), Header: r.Header.Clone(), BodyBytes: r.ContentLength})
	tag := s.tag
	s.mu.Unlock()
	switch {
	case r.URL.Path != "/repos/"+s.Repo+"/releases/latest":
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	case r.Method != http.MethodGet:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	case strings.TrimSpace(r.UserAgent()) == "":
		// GitHub's REST API refuses requests without a User-Agent.
		http.Error(w, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{
		"tag_name":     tag,
		"name":         "FitBridge " + strings.TrimPrefix(tag, "v"),
		"html_url":     s.srv.URL + "/" + s.Repo + "/releases/tag/" + tag,
		"draft":        false,
		"prerelease":   false,
		"published_at": "2026-12-01T10:00:00Z",
		"body":         "What changed.",
		"assets":       []any{},
	})
}

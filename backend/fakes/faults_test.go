package fakes

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A scripted fault hits exactly the next Count matching requests, then the
// service behaves again.
func TestFailNext(t *testing.T) {
	f := NewFaults(1)
	f.FailNext(Next{Method: http.MethodGet, PathPrefix: "/api/", Count: 2, Status: http.StatusTooManyRequests, RetryAfter: 30})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := httptest.NewServer(f.Wrap(ok))
	t.Cleanup(srv.Close)

	do := func(method, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	steps := []struct {
		method, path string
		status       int
		retryAfter   string
	}{
		{http.MethodGet, "/other", 200, ""},
		{http.MethodPut, "/api/x", 200, ""},
		{http.MethodGet, "/api/x", 429, "30"},
		{http.MethodGet, "/api/y", 429, "30"},
		{http.MethodGet, "/api/x", 200, ""},
	}
	for i, s := range steps {
		if st, ra := do(s.method, s.path); st != s.status || ra != s.retryAfter {
			t.Fatalf("step %d %s %s: %d Retry-After %q, want %d %q", i, s.method, s.path, st, ra, s.status, s.retryAfter)
		}
	}
	if f.Injected() != 2 {
		t.Fatalf("%d injected, want 2", f.Injected())
	}
}

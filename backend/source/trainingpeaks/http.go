package trainingpeaks

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

const (
	maxJSONBody = 64 << 20
	maxFileBody = 512 << 20
)

// response is a fully read answer.
type response struct {
	status int
	header http.Header
	body   []byte
	// path is where the answer came from after redirects (no query: it may
	// hold a return URL or a token).
	path string
}

// statusError is an unexpected answer. It never holds the request's headers.
type statusError struct {
	what   string
	status int
	body   string
}

func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("%s: TrainingPeaks answered HTTP %d", e.what, e.status)
	}
	return fmt.Sprintf("%s: TrainingPeaks answered HTTP %d: %s", e.what, e.status, e.body)
}

func unexpected(what string, r *response) error {
	return &statusError{what: what, status: r.status, body: snippet(r.body)}
}

// snippet is a short, single-line excerpt of a response body for errors and logs.
func snippet(b []byte) string { return httpcall.Snippet(b, 200) }

// send makes one logical GET through the call layer, which retries
// 408/429/5xx and network failures with backoff and Retry-After. Headers
// come from hdr (the secret ones are never logged). It returns the first
// answer that is not retried, whatever its status.
func (c *Client) send(ctx context.Context, hc *http.Client, what, rawURL string, hdr http.Header, limit int64, file bool) (*response, error) {
	resp, err := c.calls.Do(ctx, httpcall.Request{
		Op: what, URL: rawURL, Header: hdr, Client: hc, MaxBody: limit, File: file,
		Classify: func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
			switch {
			case err != nil:
				why := fmt.Errorf("%s: %w", what, err)
				var tooLarge *httpcall.TooLargeError
				if errors.As(err, &tooLarge) {
					return httpcall.Permanent, fmt.Errorf("%s: TrainingPeaks sent more than %d MB", what, limit>>20)
				}
				return httpcall.Retry, why
			case httpcall.Retryable(r.Status):
				return httpcall.Retry, &statusError{what: what, status: r.Status, body: snippet(r.Body)}
			}
			return httpcall.Accept, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return &response{status: resp.Status, header: resp.Header, body: resp.Body, path: resp.URL.Path}, nil
}

// callKind says how a 403 is treated.
type callKind int

const (
	callData callKind = iota // list, user, details: a 403 may be an expired session
	callFile                 // rawfiledata: a 403 may be the account type
)

// get makes an authenticated API call. A 401 (or 403, which some report for
// expired sessions) drops the bearer, exchanges the cookie again and retries
// the call once. A 401 that survives a fresh bearer means "sign in again".
func (c *Client) get(ctx context.Context, what, path string, kind callKind) (*response, error) {
	limit := int64(maxJSONBody)
	accept := "application/json"
	if kind == callFile {
		limit, accept = maxFileBody, "*/*"
	}
	var r *response
	for try := 0; try < 2; try++ {
		tok, err := c.bearer(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		hdr := http.Header{
			"Authorization": {"Bearer " + tok},
			"Accept":        {accept},
		}
		r, err = c.send(ctx, c.hc, what, c.api+path, hdr, limit, kind == callFile)
		if err != nil {
			return nil, err
		}
		refused := r.status == http.StatusUnauthorized ||
			r.status == http.StatusForbidden && !(kind == callFile && c.filesRefused.Load())
		if !refused || try == 1 {
			break
		}
		c.log.Debug("trainingpeaks bearer refused; exchanging the cookie again", "status", r.status, "path", path)
		c.dropBearer(tok)
	}
	if r.status == http.StatusUnauthorized {
		return nil, fmt.Errorf("%s: TrainingPeaks refused a freshly issued session (HTTP 401); sign in to TrainingPeaks again: %w", what, source.ErrNeedsSignIn)
	}
	return r, nil
}

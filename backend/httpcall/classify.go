package httpcall

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Verdict is what a platform makes of one attempt's outcome.
type Verdict int

const (
	// Accept hands the answer back to the platform to read.
	Accept Verdict = iota
	// Retry is a passing failure (a 429, a 5xx, a dropped connection): try
	// again after a backoff, or after the server's Retry-After.
	Retry
	// NeedsSignIn means the session was refused: the rider must connect again.
	NeedsSignIn
	// Permanent is a failure that no retry heals.
	Permanent
	// Skip means this activity cannot be synced, for a reason a rider understands.
	Skip
)

// Response is a fully read answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is where the answer came from, after redirects.
	URL *url.URL
}

// Classifier reads one attempt: resp is nil when err, a transport failure,
// is set. The error it returns says what went wrong in the platform's words
// (nil with Accept); with Retry it is what the call reports once the tries
// run out.
type Classifier func(resp *Response, err error) (Verdict, error)

// Standard is the classifier for services with ordinary HTTP: transport
// failures that may heal, 408, 429 and 5xx are retried; every other answer
// is the caller's to read.
func Standard(resp *Response, err error) (Verdict, error) {
	if err != nil {
		if Transient(err) {
			return Retry, nil
		}
		return Permanent, nil
	}
	if Retryable(resp.Status) {
		return Retry, nil
	}
	return Accept, nil
}

// Retryable reports the statuses worth another try: 408, 429 and 5xx.
func Retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// describe is the error of a failed try when the classifier gave none.
func describe(op string, resp *Response, err error) error {
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
	case resp != nil:
		return &StatusError{Op: op, Status: resp.Status, Body: Snippet(resp.Body, 200)}
	}
	return errors.New(op + ": no answer")
}

// StatusError is an answer with a status the call did not expect.
type StatusError struct {
	Op     string
	Status int
	Body   string // the start of the body
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.Status, e.Body)
}

package source

import (
	"context"
	"time"
)

// CaptureSpec says, as data, where a platform's login page leaves the session
// so a browser driven by FitBridge can pick it up after the rider signs in.
// Several token locations may be set; they are tried in the order below
// (the cookie last), and the first value that validates wins.
type CaptureSpec struct {
	// StartURL is the platform's own login page.
	StartURL string
	// Origin whose localStorage is read (defaults to StartURL's origin).
	Origin string

	LocalStorage  *LocalStorageToken
	Cookie        *CookieToken
	RequestHeader *RequestHeaderToken
	ResponseField *ResponseFieldToken

	// Validate makes one cheap call with the captured token. A token that
	// fails is ignored (stale values linger in storage) and capture goes on
	// waiting; an error wrapping ErrUnchecked, or a timed out call, is no
	// verdict: the same token is tried again a little later.
	Validate func(ctx context.Context, token string) error
	// Timeout bounds the whole sign-in (default 5 minutes).
	Timeout time.Duration
}

// LocalStorageToken reads localStorage[Key]. JSONPath walks into the value;
// a step whose value is itself a JSON string is parsed again (iGPSport nests
// JSON inside JSON). StripPrefix removes e.g. "Bearer ".
type LocalStorageToken struct {
	Key         string
	JSONPath    []string
	StripPrefix string
}

// CookieToken reads a cookie through the DevTools protocol, HttpOnly included.
type CookieToken struct {
	Name   string
	Domain string // optional: only cookies whose domain ends with this
}

// RequestHeaderToken copies a header of requests the page sends to Host.
type RequestHeaderToken struct {
	Host        string // substring of the request URL's host
	Header      string // default "Authorization"
	StripPrefix string
}

// ResponseFieldToken reads a field of a JSON response whose URL contains URLContains.
type ResponseFieldToken struct {
	URLContains string
	JSONPath    []string
	StripPrefix string
}

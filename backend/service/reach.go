package service

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// dialTimeout bounds finding and reaching a platform's server (name lookup
// included): offline, the rider hears so in seconds, not after the
// resolver's own long wait.
const dialTimeout = 6 * time.Second

// platformTransport is Go's default transport with a short dial and TLS
// handshake, shared by every platform's client the service makes.
var platformTransport http.RoundTripper = func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}()

// UnreachableError says a platform could not be reached at all (no network,
// no name lookup, nothing answering): a different thing to do for the rider
// than a refused sign-in.
type UnreachableError struct {
	Platform string
	Err      error
}

func (e *UnreachableError) Error() string {
	return e.Platform + " could not be reached: check your connection"
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable turns a failure to reach the platform into UnreachableError;
// any other error is returned as it is.
func unreachable(platform string, err error) error {
	if err == nil {
		return nil
	}
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
	case errors.As(err, &op) && op.Op == "dial":
	default:
		return err
	}
	return &UnreachableError{Platform: platform, Err: err}
}

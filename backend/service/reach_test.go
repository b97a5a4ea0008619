package service

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/secrets"
)

// Offline, a sign-in says the platform could not be reached, in one
// sentence; a wrong password is still a wrong password.
func TestSignInWhenThePlatformCannotBeReached(t *testing.T) {
	// A port nothing listens on: the connection is refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	fake := igpsportfake.New(igpsportfake.Options{})
	live := fake.Start()
	t.Cleanup(fake.Close)

	cases := []struct {
		name, url, password string
		wantUnreachable     bool
	}{
		{"nothing listening", closed, "correct horse", true},
		{"no such host", "http://fitbridge-test.invalid", "correct horse", true},
		{"wrong password", live, "wrong", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"FITBRIDGE_IGPSPORT_URL": c.url}
			svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close() })
			_, err = svc.ConnectPassword(context.Background(), "igpsport", "intl", "rider@example.com", c.password)
			if err == nil {
				t.Fatal("the sign-in went through")
			}
			var u *UnreachableError
			if got := errors.As(err, &u); got != c.wantUnreachable {
				t.Fatalf("unreachable %v, want %v: %v", got, c.wantUnreachable, err)
			}
			if c.wantUnreachable && err.Error() != "iGPSport could not be reached: check your connection" {
				t.Fatalf("message %q", err)
			}
			if !c.wantUnreachable && strings.Contains(err.Error(), "could not be reached") {
				t.Fatalf("a refused password reads as offline: %q", err)
			}
		})
	}
}

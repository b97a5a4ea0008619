package trainingpeaks

import (
	"context"
	"errors"
	"testing"
	"time"

	"fitbridge/backend/capture"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// The sign-in as a rider does it, in headless Chromium: the fake's login
// page fills itself in, the HttpOnly Production_tpAuth cookie is read through
// the DevTools protocol and accepted by the token exchange.
func TestCaptureHttpOnlyCookie(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	t.Setenv(capture.EnvHeadless, "1")
	opts := capture.OptionsFromEnv()
	if opts.BrowserPath == "" {
		if _, err := capture.FindBrowser(); err != nil {
			t.Skipf("no browser: %v", err)
		}
	}
	tests := []struct {
		name    string
		fake    trainingpeaksfake.Options
		timeout time.Duration
		wantErr error
	}{
		{name: "login page", fake: trainingpeaksfake.Options{AutoLogin: true}},
		{name: "login with an MFA code", fake: trainingpeaksfake.Options{AutoLogin: true, LoginMode: trainingpeaksfake.LoginMFA}},
		{name: "captcha never passed", fake: trainingpeaksfake.Options{AutoLogin: true, LoginMode: trainingpeaksfake.LoginCaptcha},
			timeout: 3 * time.Second, wantErr: capture.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case starts its own browser, which takes seconds
			fake := trainingpeaksfake.New(tt.fake)
			url := fake.Start()
			defer fake.Close()

			spec := Capture(source.Config{BaseURL: url})
			if tt.timeout > 0 {
				spec.Timeout = tt.timeout
			}
			ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
			defer cancel()
			tok, err := capture.Capture(ctx, spec, opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || tok != "" {
					t.Fatalf("Capture = %q, %v; want %v", tok, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !fake.CookieValid(tok) || CleanToken(tok) != tok {
				t.Fatal("the captured value is not the live session cookie")
			}
			if n := fake.LoginPosts(); n != 1 {
				t.Fatalf("%d login posts", n)
			}
			athletes, err := Athletes(t.Context(), source.Config{BaseURL: url, Token: tok})
			if err != nil || len(athletes) != 1 {
				t.Fatalf("with the captured cookie: %v %v", athletes, err)
			}
		})
	}
}

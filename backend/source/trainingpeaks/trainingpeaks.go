// Package trainingpeaks backfills completed workouts' original device files
// from TrainingPeaks through the JSON API its own web app uses. The rider
// signs in on TrainingPeaks' login page (or pastes the cookie); the
// long-lived Production_tpAuth cookie is the secret FitBridge keeps, and it
// is exchanged for short-lived bearers as needed. Facts and their confidence:
// shared/reference/trainingpeaks.md.
package trainingpeaks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // user.timeZone must resolve on desktops without a zoneinfo database

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// Name is the platform's stable id.
const Name = "trainingpeaks"

// CookieName is the session cookie the login page sets (HttpOnly).
const CookieName = "Production_tpAuth"

// Real hosts; cfg.BaseURL replaces both.
const (
	homeURL = "https://home.trainingpeaks.com" // login page
	apiURL  = "https://tpapi.trainingpeaks.com"
)

// Settings keys read from source.Config.Settings.
const (
	// SettingAthlete is the athlete id a coach account reads (CLI --athlete).
	SettingAthlete = "athlete"
	// SettingMinInterval overrides the pause between API calls (a Go
	// duration, default 250ms); "0s" turns pacing off for loopback tests.
	SettingMinInterval = "min_interval"
	// SettingRetryBase overrides the first retry delay (a Go duration, default 1s).
	SettingRetryBase = "retry_base"
)

const (
	defaultMinInterval = 250 * time.Millisecond
	defaultRetryBase   = time.Second
	// Four retries rather than the reference's three: a long backfill makes
	// thousands of calls, and one unlucky run of 5xx should not fail a workout.
	defaultAttempts = 5
	// A Retry-After longer than this is not waited out inside one call.
	maxRetryAfter = 2 * time.Minute
)

// Limits: one call every 250 ms, one download at a time. TrainingPeaks
// publishes no limits and this is what cautious tools settle on.
var Limits = source.Limits{PerSecond: 4, Burst: 1, Concurrency: 1}

func init() {
	source.Register(source.Descriptor{
		Name:        Name,
		DisplayName: "TrainingPeaks",
		Kind:        source.KindCloud,
		Description: "Every completed workout's original device file, read with your TrainingPeaks sign-in (no Premium partner link needed).",
		EnvURL:      "FITBRIDGE_TRAININGPEAKS_URL",
		Limits:      Limits,
		New: func(cfg source.Config) (source.Source, error) {
			return New(cfg)
		},
		Capture:    Capture,
		CleanToken: CleanToken,
		Validate:   Validate,
		ExternalID: ExternalID,
		Color:      "#009e73",
		Settings:   settings,
		Diagnose:   diagnose,
	})
}

// ExternalID is the external_id given to Intervals.icu for a workout id.
func ExternalID(workoutID string) string { return "fitbridge-trainingpeaks-" + workoutID }

// Capture describes the sign-in on TrainingPeaks' own login page: the rider
// passes reCAPTCHA and MFA themselves, then the HttpOnly session cookie is
// read through the DevTools protocol.
func Capture(cfg source.Config) source.CaptureSpec {
	home, _, err := hosts(cfg.BaseURL)
	domain := "trainingpeaks.com"
	if err == nil && cfg.BaseURL != "" {
		if u, perr := url.Parse(home); perr == nil {
			domain = u.Hostname()
		}
	}
	return source.CaptureSpec{
		StartURL: home + "/login",
		Cookie:   &source.CookieToken{Name: CookieName, Domain: domain},
		Validate: func(ctx context.Context, token string) error {
			c := cfg
			c.Token = token
			return Validate(ctx, c)
		},
		// An e-mailed MFA code can take a while to arrive.
		Timeout: 10 * time.Minute,
	}
}

// Validate proves cfg.Token works with one cookie → bearer exchange. A
// refused cookie gives an error wrapping source.ErrNeedsSignIn.
func Validate(ctx context.Context, cfg source.Config) error {
	c, err := New(cfg)
	if err != nil {
		return err
	}
	_, err = c.bearer(ctx)
	return err
}

// Client is a signed-in TrainingPeaks account. It implements source.Source
// and is safe for concurrent use.
type Client struct {
	api         string
	hc          *http.Client // follows redirects (downloads)
	hcExchange  *http.Client // never follows: a redirect means "go and log in"
	calls       *httpcall.Caller
	now         func() time.Time
	log         *slog.Logger
	onToken     func(string)
	athleteWant string
	// floor is where a whole-history listing stops walking back.
	floor time.Time

	tokMu     sync.Mutex
	cookie    string
	bearerTok string
	refreshAt time.Time

	acctMu  sync.Mutex
	acct    *account
	athlete *resolved

	// filesRefused remembers a 403 on a download that survived a fresh
	// bearer, so later downloads do not re-exchange for nothing.
	filesRefused atomic.Bool
}

// options are the test seams; production uses the defaults.
type options struct {
	sleep    func(ctx context.Context, d time.Duration) error
	now      func() time.Time
	attempts int // tries per call (default defaultAttempts)
}

// New builds a client for cfg. cfg.Token is the Production_tpAuth cookie
// (anything CleanToken understands).
func New(cfg source.Config) (*Client, error) { return newClient(cfg, options{}) }

func newClient(cfg source.Config, o options) (*Client, error) {
	_, api, err := hosts(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	cookie := CleanToken(cfg.Token)
	if cookie == "" {
		return nil, fmt.Errorf("no TrainingPeaks session cookie saved: sign in to TrainingPeaks: %w", source.ErrNeedsSignIn)
	}
	minInterval, err := durationSetting(cfg.Settings, SettingMinInterval, defaultMinInterval)
	if err != nil {
		return nil, err
	}
	retryBase, err := durationSetting(cfg.Settings, SettingRetryBase, defaultRetryBase)
	if err != nil {
		return nil, err
	}
	// Generous: one call may carry a large original file.
	follow := &http.Client{Timeout: 5 * time.Minute, Transport: cfg.Transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	noFollow := &http.Client{Timeout: time.Minute, Transport: cfg.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}

	limits := Limits
	limits.PerSecond = httpcall.PerSecond(minInterval) // "0s": no pause at all
	if o.now == nil {
		o.now = time.Now
	}
	if o.attempts <= 0 {
		o.attempts = defaultAttempts
	}
	log := slog.Default().With("source", Name)
	c := &Client{
		api:        api,
		hc:         follow,
		hcExchange: noFollow,
		calls: httpcall.New(httpcall.Options{
			Name:   Name,
			Limits: limits,
			Policy: httpcall.Policy{
				MaxAttempts:   o.attempts,
				BaseDelay:     retryBase,
				MaxDelay:      30 * time.Second,
				MaxRetryAfter: maxRetryAfter,
			},
			Client:  follow,
			Logger:  log,
			Secrets: []string{cookie},
			Sleep:   o.sleep,
			Now:     o.now,
		}),
		now:         o.now,
		log:         log,
		onToken:     cfg.OnToken,
		athleteWant: strings.TrimSpace(cfg.Settings[SettingAthlete]),
		floor:       historyFloor,
		cookie:      cookie,
	}
	return c, nil
}

// hosts returns the login and API base URLs; a BaseURL replaces both.
func hosts(baseURL string) (home, api string, err error) {
	if baseURL == "" {
		return homeURL, apiURL, nil
	}
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("TrainingPeaks base URL %q: want http(s)://host[:port]", baseURL)
	}
	b := strings.TrimRight(u.String(), "/")
	return b, b, nil
}

func durationSetting(settings map[string]string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(settings[key])
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("TrainingPeaks setting %s=%q: want a duration such as 250ms", key, v)
	}
	return d, nil
}

// Package mywhoosh reads a rider's past MyWhoosh activities and their original
// FIT files through MyWhoosh's private API (see the MyWhoosh reference):
// sign in (browser capture, API login or a pasted token), list the rides on
// service14, ask for a signed S3 link per ride and fetch the file from S3.
package mywhoosh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fitbridge/backend/claims"
	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

const (
	// Name is the platform's stable id.
	Name = "mywhoosh"
	// EnvURL replaces every MyWhoosh host (tests, the demo).
	EnvURL = "FITBRIDGE_MYWHOOSH_URL"

	DefaultLoginHost = "https://services.mywhoosh.com"
	DefaultAPIHost   = "https://service14.mywhoosh.com"
	DefaultEventHost = "https://event.mywhoosh.com"

	// Device is sent to Intervals.icu as device_name.
	Device = "MyWhoosh"

	// SettingWhooshID is the account setting holding the rider id, sent as
	// "key" on download-link calls when known.
	SettingWhooshID = "whoosh_id"
	// SettingDeviceID keeps one login DeviceId per install.
	SettingDeviceID = "device_id"
	// SettingBodyForm is the rider-profile body form that worked for the
	// account: FormPlain or FormEncrypted. It is tried first; unset, plain is.
	SettingBodyForm = "body_form"
	// SettingLoginSource is the Source header of the login that made the
	// session ("connect" after the alternative login); it goes on every call
	// made with that session.
	SettingLoginSource = "login_source"
	// SettingLoginSourceExp is that session's exp (Unix seconds), so a
	// session from the browser or pasted later does not carry the header.
	SettingLoginSourceExp = "login_source_exp"

	FormPlain     = "plain"
	FormEncrypted = "encrypted"
)

// NoFileReason is the skip reason of rows without activityFileId.
var NoFileReason = reason.PlatformNoFITFile.Text("MyWhoosh")

// Limits: at most one call per 500 ms to each host, and one file at a time
// from the bucket (reference, section 6: no limit is published and the
// tools that work keep their rate low).
var Limits = source.Limits{PerSecond: 2, Burst: 1, Concurrency: 1}

func init() {
	source.Register(source.Descriptor{
		Name:        Name,
		DisplayName: "MyWhoosh",
		Kind:        source.KindCloud,
		Description: "Rides from the MyWhoosh app, as the original FIT files MyWhoosh keeps.",
		EnvURL:      EnvURL,
		Color:       "#e69f00",
		Diagnose:    diagnose,
		Limits:      Limits,
		New: func(cfg source.Config) (source.Source, error) {
			o := Options{}
			if d, ok, err := source.MinInterval(cfg); err != nil {
				return nil, err
			} else if ok {
				o.PerSecond, o.Burst = perSecond(d), 1
			}
			return New(cfg, o)
		},
		Capture: func(cfg source.Config) source.CaptureSpec {
			return CaptureSpec(cfg, Options{})
		},
		Login: func(ctx context.Context, cfg source.Config, username, password string) (source.Session, error) {
			s, err := Login(ctx, cfg, username, password, Options{})
			if err != nil {
				return source.Session{}, err
			}
			return source.Session{Token: s.Token, Settings: s.Settings()}, nil
		},
		CleanToken: CleanToken,
		Validate: func(ctx context.Context, cfg source.Config) error {
			return Validate(ctx, cfg, Options{})
		},
		// Issue convention fitbridge-mywhoosh-<id>; earlier tools' mywhoosh_<id>
		// still counts as the same ride.
		AlsoKnownAs: func(id string) []string { return []string{ExternalID(id)} },
		// Workouts: MyWhoosh keeps custom workouts in its own workout builder
		// (a separate site and session) and no public client shows adding one
		// from outside, nor a folder the game reads (docs/services/mywhoosh.md).
		NoPlannedWorkouts: reason.WorkoutNotTaken.Text("MyWhoosh", "MyWhoosh"),
	})
}

// ExternalID is the external_id of a ride in Intervals.icu (dedup reference,
// section 3: lower case with an underscore).
func ExternalID(remoteID string) string { return "mywhoosh_" + remoteID }

// Hosts are the three MyWhoosh hosts, without a trailing slash.
type Hosts struct {
	Login string // services.mywhoosh.com: game login API
	API   string // service14.mywhoosh.com: rider profile API
	Event string // event.mywhoosh.com: web portal and its login page
}

// HostsFor returns the real hosts, or baseURL for all of them when set.
func HostsFor(baseURL string) Hosts {
	if b := strings.TrimRight(strings.TrimSpace(baseURL), "/"); b != "" {
		return Hosts{Login: b, API: b, Event: b}
	}
	return Hosts{Login: DefaultLoginHost, API: DefaultAPIHost, Event: DefaultEventHost}
}

// Options tune a client; the zero value is right for the real service.
type Options struct {
	Logger *slog.Logger
	// HTTPClient calls the API hosts (default: 30 s timeout). Bucket
	// downloads always use a separate client without credentials.
	HTTPClient *http.Client
	// LoginRetryDelay is the pause before retrying a refused login (default 3 s).
	LoginRetryDelay time.Duration
	// RetryBase is the first backoff after a 429, a 5xx or a network error;
	// it doubles per try (default 1 s).
	RetryBase time.Duration
	// MaxRetries bounds the retries of one call (default 4).
	MaxRetries int
	// MaxRetryAfter caps how long a Retry-After is honoured (default 60 s).
	MaxRetryAfter time.Duration
	// PerSecond and Burst override Limits for every host (tests).
	PerSecond float64
	Burst     int

	sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.LoginRetryDelay <= 0 {
		o.LoginRetryDelay = 3 * time.Second
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 4
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 60 * time.Second
	}
	if o.PerSecond <= 0 {
		o.PerSecond = Limits.PerSecond
	}
	if o.Burst <= 0 {
		o.Burst = Limits.Burst
	}
	if o.sleep == nil {
		o.sleep = httpcall.Sleep
	}
	return o
}

// Client is a signed-in MyWhoosh account. It is safe for concurrent use.
type Client struct {
	hosts    Hosts
	baseHost string // host:port of an overriding base URL
	token    string
	expires  time.Time
	whooshID string
	opts     Options
	log      *slog.Logger
	api      *http.Client
	dl       *http.Client
	calls    *httpcall.Caller
	// encrypted is the body form in use (reference, section 3): the stored
	// one at first, the other once that was refused and the other taken.
	encrypted atomic.Bool
	// formSettled: a call worked in the current form; refusals now count.
	formSettled atomic.Bool
	storedForm  string // SettingBodyForm as stored, "" when unknown
	onSetting   func(key, value string)
	// loginSource is the Source header the session's login sent, if any.
	loginSource string
	// tokenUserID is the token's userId claim: the download's key when a
	// link asked for without one is refused.
	tokenUserID string
	keyNeeded   atomic.Bool // a link was refused without a key this session
}

var _ source.Source = (*Client)(nil)

// New builds a client for cfg.Token.
func New(cfg source.Config, opts Options) (*Client, error) {
	tok := CleanToken(cfg.Token)
	if tok == "" {
		return nil, fmt.Errorf("no MyWhoosh session is stored: %w", source.ErrNeedsSignIn)
	}
	c := newClient(cfg, opts)
	c.token = tok
	c.calls.AddSecret(tok)
	if exp, ok := claims.Expiry(tok); ok {
		c.expires = exp
	}
	if c.loginSource != "" && !sameSession(cfg.Settings[SettingLoginSourceExp], c.expires) {
		c.log.Debug("the stored login Source belongs to another session; not sent")
		c.loginSource = ""
	}
	// A browser or pasted session brings no WhooshId; the token may carry
	// the rider's id, sent as key only if a link without one is refused.
	c.tokenUserID, _ = claims.Claim(tok, "userId")
	c.log.Debug("mywhoosh client", "api", c.hosts.API, claims.Describe(tok), "whoosh_id_known", c.whooshID != "",
		"token_user_id_known", c.tokenUserID != "", "body_form", c.storedForm, "login_source", c.loginSource)
	return c, nil
}

func newClient(cfg source.Config, opts Options) *Client {
	if opts.HTTPClient == nil && cfg.Transport != nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: cfg.Transport}
	}
	opts = opts.withDefaults()
	c := &Client{
		hosts:       HostsFor(cfg.BaseURL),
		whooshID:    strings.TrimSpace(cfg.Settings[SettingWhooshID]),
		opts:        opts,
		log:         opts.Logger.With("source", Name),
		api:         opts.HTTPClient,
		onSetting:   cfg.OnSetting,
		loginSource: strings.TrimSpace(cfg.Settings[SettingLoginSource]),
	}
	switch f := strings.TrimSpace(cfg.Settings[SettingBodyForm]); f {
	case FormPlain, FormEncrypted:
		c.storedForm = f
		c.encrypted.Store(f == FormEncrypted)
	}
	c.calls = httpcall.New(httpcall.Options{
		Name:   Name,
		Limits: source.Limits{PerSecond: opts.PerSecond, Burst: opts.Burst, Concurrency: Limits.Concurrency},
		Policy: httpcall.Policy{
			MaxAttempts:   opts.MaxRetries + 1,
			BaseDelay:     opts.RetryBase,
			MaxDelay:      opts.RetryBase << 6,
			MaxRetryAfter: opts.MaxRetryAfter,
		},
		Client: opts.HTTPClient,
		Logger: c.log,
		Sleep:  opts.sleep,
	})
	if cfg.BaseURL != "" {
		if u, err := url.Parse(strings.TrimSpace(cfg.BaseURL)); err == nil {
			c.baseHost = strings.ToLower(u.Host)
		}
	}
	c.dl = &http.Client{
		Timeout:   2 * time.Minute,
		Transport: cfg.Transport,
		// No Jar and no Authorization: S3 refuses a signed URL that also
		// carries credentials, and the bearer must never leave MyWhoosh.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if !c.allowedDownload(req.URL) {
				return fmt.Errorf("MyWhoosh download redirected to a host that is not allowed: %s", req.URL.Host)
			}
			req.Header.Del("Authorization")
			req.Header.Del("Cookie")
			return nil
		},
	}
	return c
}

// sameSession: the session whose exp was stored is this one (an unknown
// exp on either side cannot tell them apart, so it counts as the same).
func sameSession(storedExp string, exp time.Time) bool {
	storedExp = strings.TrimSpace(storedExp)
	return storedExp == "" || exp.IsZero() || storedExp == strconv.FormatInt(exp.Unix(), 10)
}

// Expires is the session's JWT exp, zero when unknown.
func (c *Client) Expires() time.Time { return c.expires }

// Validate makes one cheap call proving cfg.Token works.
func Validate(ctx context.Context, cfg source.Config, opts Options) error {
	c, err := New(cfg, opts)
	if err != nil {
		return err
	}
	return c.Validate(ctx)
}

// Validate lists page 1 once.
func (c *Client) Validate(ctx context.Context) error {
	_, err := c.listPage(ctx, 1)
	return err
}

// CaptureSpec says where the web portal leaves the session: localStorage
// "webToken" on the portal, the bearer of the portal's own API calls, or
// last the portal's "whoosh_token" cookie (one source only names it).
func CaptureSpec(cfg source.Config, opts Options) source.CaptureSpec {
	h := HostsFor(cfg.BaseURL)
	apiHost, eventHost := h.API, h.Event
	if u, err := url.Parse(h.API); err == nil {
		apiHost = u.Host
	}
	if u, err := url.Parse(h.Event); err == nil {
		eventHost = u.Hostname()
	}
	return source.CaptureSpec{
		StartURL:      h.Event + "/auth/login",
		LocalStorage:  &source.LocalStorageToken{Key: "webToken"},
		RequestHeader: &source.RequestHeaderToken{Host: apiHost, Header: "Authorization", StripPrefix: "Bearer "},
		Cookie:        &source.CookieToken{Name: "whoosh_token", Domain: eventHost},
		Validate: func(ctx context.Context, token string) error {
			c := cfg
			c.Token = token
			return Validate(ctx, c, opts)
		},
		Timeout: 5 * time.Minute,
	}
}

// CleanToken turns what a rider pasted (the webToken, an Authorization header
// line, "Bearer ...", a quoted value) into the bare token. The stored token
// is cleaned again by New, so cleaning repeats until nothing changes: one
// pass can uncover another wrapper ("Bearer Authorization: x").
func CleanToken(pasted string) string {
	for {
		s := cleanTokenOnce(pasted)
		if s == pasted {
			return s
		}
		pasted = s // every pass that changes something shortens it
	}
}

func cleanTokenOnce(pasted string) string {
	s := strings.TrimSpace(pasted)
	if len(s) >= 14 && strings.EqualFold(s[:14], "authorization:") {
		s = s[14:]
	}
	s = strings.Trim(strings.TrimSpace(s), "\"'`")
	if len(s) >= 7 && strings.EqualFold(s[:7], "bearer ") {
		s = s[7:]
	}
	s = strings.Trim(strings.TrimSpace(s), "\"'`")
	// A token copied from a wrapped line carries breaks; a JWT has no blanks.
	return strings.Join(strings.Fields(s), "")
}

// perSecond turns a least interval between calls into a rate (0: unlimited).
func perSecond(d time.Duration) float64 {
	if d <= 0 {
		return 1e6 // Options' zero means "the default"
	}
	return httpcall.PerSecond(d)
}

package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/domstorage"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"fitbridge/backend/browser"
	"fitbridge/backend/source"
)

// ErrTimeout means the rider did not finish signing in before the spec's timeout.
var ErrTimeout = errors.New("the sign-in did not finish in time: try again, " +
	"or sign in with email and password, or paste a token instead")

// ErrUncheckedSession means a session was found but could never be checked
// before the sign-in's time ran out; the error wraps the last reason.
var ErrUncheckedSession = errors.New("a session was found but FitBridge could not check it with the service: try again later, " +
	"or sign in with email and password, or paste a token instead")

// ErrBrowserClosed means the sign-in window (or the whole browser) went away
// before a working session appeared.
var ErrBrowserClosed = errors.New("the sign-in window was closed before the sign-in finished: try again, " +
	"or sign in with email and password, or paste a token instead")

const (
	defaultPollEvery = 500 * time.Millisecond
	defaultTimeout   = 5 * time.Minute
	// callTimeout bounds one DevTools call while polling, so a busy page
	// cannot stall the timeout and close checks.
	callTimeout = 5 * time.Second
	// startTimeout bounds the browser's start.
	startTimeout = time.Minute
	// validateTimeout bounds one spec.Validate call.
	validateTimeout = 45 * time.Second
	// A value whose check gave no verdict is checked again after
	// defaultRecheck, doubling up to maxRecheck.
	defaultRecheck = 5 * time.Second
	maxRecheck     = time.Minute
)

// uncheckedValue is when a value without a verdict is tried again.
type uncheckedValue struct {
	next time.Time
	wait time.Duration
}

// Options says how to run the browser.
type Options struct {
	// BrowserPath is the browser binary; empty means FindBrowser.
	BrowserPath string
	// Headless runs without a window. Only for tests and CI: a rider must see
	// the page to sign in.
	Headless bool
	Logger   *slog.Logger
	// PollEvery is how often the token locations are read (default 500 ms).
	PollEvery time.Duration

	recheck time.Duration // first wait before re-checking an unchecked value (tests)
	hooks   *testHooks
}

// testHooks let this package's tests reach the running browser.
type testHooks struct {
	// started runs on its own goroutine once the start page was requested,
	// with the browser's chromedp context and the profile directory.
	started func(browserCtx context.Context, profileDir string)
}

// OptionsFromEnv reads FITBRIDGE_BROWSER and FITBRIDGE_BROWSER_HEADLESS.
func OptionsFromEnv() Options {
	h := strings.ToLower(strings.TrimSpace(os.Getenv(EnvHeadless)))
	return Options{
		BrowserPath: os.Getenv(EnvBrowser),
		Headless:    h == "1" || h == "true" || h == "yes",
		Logger:      slog.Default(),
	}
}

// Capture opens spec.StartURL in a fresh browser profile, waits for the rider
// to sign in and returns the session token found at one of the spec's
// locations, once spec.Validate accepts it. The token is never logged and
// never part of an error.
func Capture(ctx context.Context, spec source.CaptureSpec, opts Options) (string, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "capture")
	if spec.StartURL == "" {
		return "", errors.New("capture: the sign-in spec has no start URL")
	}
	if spec.LocalStorage == nil && spec.Cookie == nil && spec.RequestHeader == nil && spec.ResponseField == nil {
		return "", errors.New("capture: the sign-in spec names no place to read the session from")
	}
	origin := spec.Origin
	if origin == "" {
		u, err := url.Parse(spec.StartURL)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("capture: bad start URL %q", spec.StartURL)
		}
		origin = u.Scheme + "://" + u.Host
	}
	origin = strings.TrimRight(origin, "/")
	poll := opts.PollEvery
	if poll <= 0 {
		poll = defaultPollEvery
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}

	w := newWatcher(spec, origin)
	b, err := browser.Launch(ctx, browser.Options{
		Path: opts.BrowserPath, Headless: opts.Headless, ProfilePrefix: "fitbridge-signin-",
		Listener: w.onEvent, Logger: log,
	})
	if err != nil {
		return "", fmt.Errorf("capture: %w", err)
	}
	defer b.Close()
	browserCtx, cancelBrowser, path, profile := b.Ctx, b.Stop, b.Path, b.Profile

	started := time.Now()
	// A browser that hangs while starting must not hang the app. The
	// sign-in's own timeout starts once the page is open: it is the rider's time.
	startGuard := time.AfterFunc(startTimeout, cancelBrowser)
	err = chromedp.Do(browserCtx)
	if !startGuard.Stop() && err != nil && ctx.Err() == nil {
		return "", fmt.Errorf("capture: the browser %s did not start: %w", path, ErrTimeout)
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if errors.Is(err, chromedp.ErrNoDisplay) {
			log.Warn("no display for the sign-in window", "error", err)
			return "", errors.New("cannot open a sign-in window because this computer shows no desktop: " +
				"sign in with email and password, or paste a token instead")
		}
		return "", fmt.Errorf("capture: starting the browser %s failed: %w", path, err)
	}
	detached, err := chromedp.Detached(browserCtx)
	if err != nil {
		return "", fmt.Errorf("capture: %w", err)
	}
	log.Info("sign-in browser started", "browser", path, "pid", b.PID(), "headless", opts.Headless,
		"start_url", redactURL(spec.StartURL), "took_ms", time.Since(started).Milliseconds())

	// Bodies of the page's XHRs are kept so a response field can be read
	// after the response finished.
	_, _ = chromedp.Call(browserCtx, network.Enable, network.EnableParams{
		MaxTotalBufferSize:    ptr(int64(64 << 20)),
		MaxResourceBufferSize: ptr(int64(8 << 20)),
	})
	if spec.LocalStorage != nil {
		// Storage events keep the last write even after the page has moved
		// to another origin, where the value can no longer be read.
		if _, err := chromedp.Call(browserCtx, domstorage.Enable, cdp.Empty{}); err != nil {
			log.Debug("storage events unavailable", "error", err)
		}
	}

	deadline := time.NewTimer(timeout)
	defer deadline.Stop()

	// closedOr reports why the browser went away when it did.
	closedOr := func(err error) error {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case browserGone(browserCtx, detached):
			log.Info("sign-in window closed before a session appeared")
			return ErrBrowserClosed
		}
		return err
	}

	nctx, ncancel := context.WithTimeout(browserCtx, 30*time.Second)
	nav, err := chromedp.Call(nctx, page.Navigate, page.NavigateParams{URL: spec.StartURL})
	ncancel()
	if err != nil {
		return "", closedOr(fmt.Errorf("capture: opening %s: %w", redactURL(spec.StartURL), err))
	}
	if nav.ErrorText != "" {
		return "", fmt.Errorf("the sign-in page %s did not load (%s): check the connection, "+
			"or sign in with email and password, or paste a token instead", redactURL(spec.StartURL), nav.ErrorText)
	}
	if opts.hooks != nil && opts.hooks.started != nil {
		go opts.hooks.started(browserCtx, profile)
	}

	recheck := opts.recheck
	if recheck <= 0 {
		recheck = defaultRecheck
	}
	rejected := map[string]bool{}
	// Values whose check gave no verdict wait here for another try.
	unchecked := map[string]*uncheckedValue{}
	var lastUnchecked error
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		for _, c := range w.candidates(browserCtx, origin, log) {
			if c.value == "" || rejected[c.value] {
				continue
			}
			u := unchecked[c.value]
			if u != nil && time.Now().Before(u.next) {
				continue
			}
			log.Info("session value found", append([]any{"where", c.where, DescribeToken(c.value)}, c.attrs...)...)
			if spec.Validate != nil {
				vctx, vcancel := context.WithTimeout(ctx, validateTimeout)
				err := spec.Validate(vctx, c.value)
				vcancel()
				if err != nil {
					if ctx.Err() != nil {
						return "", ctx.Err()
					}
					if errors.Is(err, source.ErrUnchecked) || errors.Is(err, context.DeadlineExceeded) {
						// No verdict: a good token must not be thrown away
						// because the check could not be made this time.
						if u == nil {
							u = &uncheckedValue{wait: recheck}
							unchecked[c.value] = u
						}
						u.next = time.Now().Add(u.wait)
						u.wait = min(2*u.wait, maxRecheck)
						lastUnchecked = err
						log.Info("session value could not be checked, trying again later", "where", c.where, "error", err)
						continue
					}
					// Stale sessions linger in storage: ignore this value
					// until the page replaces it.
					rejected[c.value] = true
					delete(unchecked, c.value)
					log.Info("session value refused, waiting for a new one", "where", c.where, "error", err)
					continue
				}
			}
			log.Info("signed in", "where", c.where, "took_ms", time.Since(started).Milliseconds())
			return c.value, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-deadline.C:
			log.Info("sign-in timed out", "timeout", timeout)
			if len(unchecked) > 0 && lastUnchecked != nil {
				// Say why the session found could not be used, not just "too slow".
				return "", fmt.Errorf("%w: %w", ErrUncheckedSession, lastUnchecked)
			}
			return "", ErrTimeout
		case <-browserCtx.Done():
			return "", closedOr(ErrBrowserClosed)
		case <-detached:
			return "", closedOr(ErrBrowserClosed)
		case <-ticker.C:
		}
	}
}

// browserGone reports whether the tab was closed or the browser exited.
func browserGone(browserCtx context.Context, detached <-chan struct{}) bool {
	select {
	case <-detached:
		return true
	case <-browserCtx.Done():
		return true
	default:
		return false
	}
}

// candidate is one value read from one location.
type candidate struct {
	where string
	value string
	attrs []any // what else is known of it, for the log (never the value)
}

// watcher collects what the page's network traffic reveals. onEvent runs on
// the browser's read loop, so it only records; candidates does the slow work.
type watcher struct {
	spec source.CaptureSpec

	origin string // whose localStorage is watched

	mu          sync.Mutex
	stored      string // last value written to localStorage[key] on origin
	storedSet   bool
	header      string                     // latest matching request header value
	headerReqs  map[network.RequestID]bool // requests to the header host
	extra       map[network.RequestID]network.Headers
	respPending map[network.RequestID]bool // matching responses not finished yet
	respReady   []network.RequestID
}

func newWatcher(spec source.CaptureSpec, origin string) *watcher {
	return &watcher{
		spec:        spec,
		origin:      origin,
		headerReqs:  map[network.RequestID]bool{},
		extra:       map[network.RequestID]network.Headers{},
		respPending: map[network.RequestID]bool{},
	}
}

func (w *watcher) onEvent(ev any) {
	switch e := ev.(type) {
	case *domstorage.EventDomStorageItemAdded:
		w.storageWrite(e.StorageID, e.Key, e.NewValue, true)
	case *domstorage.EventDomStorageItemUpdated:
		w.storageWrite(e.StorageID, e.Key, e.NewValue, true)
	case *domstorage.EventDomStorageItemRemoved:
		w.storageWrite(e.StorageID, e.Key, "", false)
	case *domstorage.EventDomStorageItemsCleared:
		if w.spec.LocalStorage != nil {
			w.storageWrite(e.StorageID, w.spec.LocalStorage.Key, "", false)
		}
	case *network.EventRequestWillBeSent:
		rh := w.spec.RequestHeader
		if rh == nil || e.Request == nil || !hostMatches(e.Request.URL, rh.Host) {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.headerReqs[e.RequestID] = true
		w.takeHeader(e.Request.Headers)
		if h, ok := w.extra[e.RequestID]; ok {
			w.takeHeader(h)
			delete(w.extra, e.RequestID)
		}
	case *network.EventRequestWillBeSentExtraInfo:
		// The raw headers on the wire; they can arrive before the request event.
		if w.spec.RequestHeader == nil {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.headerReqs[e.RequestID] {
			w.takeHeader(e.Headers)
			return
		}
		if len(w.extra) > 256 {
			clear(w.extra)
		}
		w.extra[e.RequestID] = e.Headers
	case *network.EventResponseReceived:
		rf := w.spec.ResponseField
		if rf == nil || e.Response == nil || !strings.Contains(e.Response.URL, rf.URLContains) {
			return
		}
		w.mu.Lock()
		w.respPending[e.RequestID] = true
		w.mu.Unlock()
	case *network.EventLoadingFinished:
		w.mu.Lock()
		if w.respPending[e.RequestID] {
			delete(w.respPending, e.RequestID)
			w.respReady = append(w.respReady, e.RequestID)
		}
		w.mu.Unlock()
	}
}

// storageWrite records a change of the watched localStorage key.
func (w *watcher) storageWrite(id *domstorage.StorageID, key, value string, set bool) {
	ls := w.spec.LocalStorage
	if ls == nil || id == nil || !id.IsLocalStorage || key != ls.Key {
		return
	}
	o := id.SecurityOrigin
	if o == "" {
		o = string(id.StorageKey)
	}
	if strings.TrimRight(o, "/") != w.origin {
		return
	}
	w.mu.Lock()
	w.stored, w.storedSet = value, set
	w.mu.Unlock()
}

// takeHeader records the wanted header of h; the caller holds w.mu.
func (w *watcher) takeHeader(h network.Headers) {
	name := w.spec.RequestHeader.Header
	if name == "" {
		name = "Authorization"
	}
	for k, v := range h {
		if !strings.EqualFold(k, name) {
			continue
		}
		if s, ok := v.(string); ok {
			if s = clean(s, w.spec.RequestHeader.StripPrefix); s != "" {
				w.header = s
			}
		}
	}
}

// candidates reads every location of the spec, best first: localStorage,
// request header, response field, cookie.
func (w *watcher) candidates(browserCtx context.Context, origin string, log *slog.Logger) []candidate {
	var out []candidate
	if ls := w.spec.LocalStorage; ls != nil {
		where := "localStorage " + ls.Key
		raw, ok := readLocalStorage(browserCtx, origin, ls.Key, log)
		if !ok {
			// The page may have left the origin (or be between pages):
			// use the last write the storage events showed.
			w.mu.Lock()
			raw, ok = w.stored, w.storedSet
			w.mu.Unlock()
			where += " (last write seen)"
		}
		if ok {
			if v, ok := extract(raw, ls.JSONPath, ls.StripPrefix); ok {
				out = append(out, candidate{where: where, value: v})
			}
		}
	}
	if w.spec.RequestHeader != nil {
		w.mu.Lock()
		h := w.header
		w.mu.Unlock()
		if h != "" {
			out = append(out, candidate{where: "request header to " + w.spec.RequestHeader.Host, value: h})
		}
	}
	if rf := w.spec.ResponseField; rf != nil {
		w.mu.Lock()
		ready := w.respReady
		w.respReady = nil
		w.mu.Unlock()
		for _, id := range ready {
			cctx, cancel := context.WithTimeout(browserCtx, callTimeout)
			body, err := chromedp.Call(cctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
			cancel()
			if err != nil {
				log.Debug("response body not available", "error", err)
				continue
			}
			if v, ok := extract(string(body.Body), rf.JSONPath, rf.StripPrefix); ok && v != "" {
				out = append(out, candidate{where: "response of " + rf.URLContains, value: v})
			}
		}
	}
	// Last: where a platform names other places too, its cookie is the fallback.
	if ck := w.spec.Cookie; ck != nil {
		for _, v := range readCookies(browserCtx, ck, log) {
			out = append(out, candidate{"cookie " + ck.Name, v.value, v.attrs})
		}
	}
	return out
}

// readLocalStorage reads origin's localStorage[key] through the page, when
// the page shows that origin.
func readLocalStorage(browserCtx context.Context, origin, key string, log *slog.Logger) (string, bool) {
	cctx, cancel := context.WithTimeout(browserCtx, callTimeout)
	defer cancel()
	expr := fmt.Sprintf(`(() => {
		try {
			if (location.origin !== %s) return {on: false, v: null};
			return {on: true, v: window.localStorage.getItem(%s)};
		} catch (e) { return {on: false, v: null}; }
	})()`, jsString(origin), jsString(key))
	type result struct {
		On bool    `json:"on"`
		V  *string `json:"v"`
	}
	r, err := chromedp.Run(cctx, chromedp.Evaluate[result](expr))
	if err != nil {
		// A navigation destroys the page's context mid-call; the next poll retries.
		log.Debug("localStorage read failed", "error", err)
		return "", false
	}
	if r.On {
		if r.V == nil {
			return "", false
		}
		return *r.V, true
	}
	return "", false
}

// foundCookie is one cookie's value with its attributes for the log.
type foundCookie struct {
	value string
	attrs []any
}

// readCookies returns the values of the cookies named ck.Name, HttpOnly ones
// included, from the whole browser (not only the current page's URL).
func readCookies(browserCtx context.Context, ck *source.CookieToken, log *slog.Logger) []foundCookie {
	cctx, cancel := context.WithTimeout(browserCtx, callTimeout)
	defer cancel()
	var cookies []*network.Cookie
	if res, err := chromedp.CallBrowser(cctx, storage.GetCookies, storage.GetCookiesParams{}); err == nil {
		cookies = res.Cookies
	} else {
		log.Debug("browser cookies not readable, trying the page's", "error", err)
		res, err := chromedp.Call(cctx, network.GetCookies, network.GetCookiesParams{})
		if err != nil {
			log.Debug("page cookies not readable", "error", err)
			return nil
		}
		cookies = res.Cookies
	}
	var out []foundCookie
	for _, c := range cookies {
		if c.Name != ck.Name {
			continue
		}
		if ck.Domain != "" && !strings.HasSuffix(strings.TrimPrefix(c.Domain, "."), strings.TrimPrefix(ck.Domain, ".")) {
			continue
		}
		// Percent-encoded values are decoded; '+' stays, as base64 uses it.
		if v, err := url.PathUnescape(c.Value); err == nil {
			c.Value = v
		}
		if v := clean(c.Value, ""); v != "" {
			out = append(out, foundCookie{v, cookieAttrs(c, time.Now())})
		}
	}
	return out
}

// cookieAttrs describes a cookie for the log: how long the session lives
// is an open question, and the browser knows its expiry. Never the value.
func cookieAttrs(c *network.Cookie, now time.Time) []any {
	attrs := []any{"cookie_domain", c.Domain, "cookie_http_only", c.HTTPOnly, "cookie_secure", c.Secure, "cookie_session", c.Session}
	// CDP gives -1 (or 0 where ±Inf cannot be sent) when there is no expiry.
	if c.Session || c.Expires <= 0 {
		return append(attrs, "cookie_expires", "session")
	}
	sec, frac := math.Modf(min(c.Expires, 253402300799)) // year 9999: keeps the conversion in range
	exp := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return append(attrs, "cookie_expires", exp.Format(time.RFC3339), "cookie_days_left", math.Round(exp.Sub(now).Hours()/24*10)/10)
}

func hostMatches(rawURL, want string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return want == "" || strings.Contains(u.Host, want)
}

// redactURL drops the query, which can hold one-time codes.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func ptr[T any](v T) *T { return &v }

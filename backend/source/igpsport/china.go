package igpsport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"fitbridge/backend/browser"
	"fitbridge/backend/httpcall"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// Since 2026 the China gateway may want every call signed by code inside
// iGPSport's web app. FitBridge does not ship that code. Instead it opens
// the web app itself in a browser, lets the app make its own signed list
// calls, and reads their answers over the DevTools protocol. FIT files come
// from object storage, which needs no signature.

// WebApp is the web app to open and the session to give it.
type WebApp struct {
	ListURL string // the ride history page
	Origin  string // the origin whose localStorage holds the session
	Token   string // the bare token; stored the way the app keeps it
}

// ListAnswer is the web app's own answer to one of its list calls.
type ListAnswer struct {
	URL    string
	Status int
	Body   []byte
}

// Browser opens the web app for listing.
type Browser interface {
	OpenList(ctx context.Context, app WebApp) (ListSession, error)
}

// ListSession is an open web app showing the ride history.
type ListSession interface {
	// Page returns the app's answer for list page pageNo. Pages are asked
	// for in order from 1; the session turns the app's pages to get them.
	Page(ctx context.Context, pageNo int) (ListAnswer, error)
	Close() error
}

// webAppError is the web app fallback failing: the rider gets the plain
// statement about China signing, the log gets the cause.
type webAppError struct{ cause error }

func (e *webAppError) Error() string {
	return fmt.Sprintf("%s (listing through the web app failed: %v)", ErrChinaSigning, e.cause)
}
func (e *webAppError) Is(target error) bool { return target == ErrChinaSigning }
func (e *webAppError) Unwrap() error        { return e.cause }

// openWebApp starts the browser fallback with this account's token.
func (c *Client) openWebApp(ctx context.Context) (ListSession, error) {
	if c.token == "" {
		return nil, fmt.Errorf("no iGPSport token: %w", source.ErrNeedsSignIn)
	}
	c.log.Info("igpsport opening the web app to list rides", "url", c.hosts.app+"/sport/history/list")
	sess, err := c.opts.Browser.OpenList(ctx, WebApp{
		ListURL: c.hosts.app + "/sport/history/list?lang=" + c.hosts.lang,
		Origin:  c.hosts.app,
		Token:   c.token,
	})
	if err != nil {
		return nil, c.webAppFailed(ctx, err)
	}
	return sess, nil
}

// webAppFailed keeps sign-in, cancellation and iGPSport's own business
// errors as they are and turns anything else into the plain statement about
// China signing.
func (c *Client) webAppFailed(ctx context.Context, err error) error {
	var api *APIError
	var wa *webAppError
	switch {
	case err == nil, ctx.Err() != nil, errors.Is(err, source.ErrNeedsSignIn), errors.As(err, &wa):
		return err
	case errors.As(err, &api) && !api.signature:
		return err
	}
	c.log.Warn("igpsport web app fallback failed", "err", err)
	return &webAppError{cause: err}
}

// browserPages reads list pages from the web app's own answers.
func (c *Client) browserPages(sess ListSession) pageFunc {
	return func(ctx context.Context, pageNo int) (*listPage, error) {
		// The web app's own calls count against the gateway's pace too.
		if err := c.calls.Pace(ctx, c.hosts.gateway); err != nil {
			return nil, err
		}
		ans, err := sess.Page(ctx, pageNo)
		if err != nil {
			return nil, err
		}
		var p listPage
		if err := c.decode(fmt.Sprintf("list iGPSport rides through the web app, page %d", pageNo), ans.Status, ans.Body, &p); err != nil {
			return nil, err
		}
		return &p, nil
	}
}

// ChromeBrowser is the Browser FitBridge uses: a Chrome-family browser,
// headless unless Visible, with a fresh profile that is thrown away.
type ChromeBrowser struct {
	// ExecPath is the browser (default: FITBRIDGE_BROWSER, else one found on the system).
	ExecPath string
	// Visible shows the window; nothing needs typing, so it is off by default.
	Visible bool
	// Wait bounds the wait for each of the app's list answers (default 45 s).
	Wait time.Duration
	// NextSelectors find the app's "next page" control, tried in order
	// (default: the pagination controls of common UI kits).
	NextSelectors []string
	Logger        *slog.Logger
}

// defaultNextSelectors are "next page" controls of common web UI kits; the
// real app's markup has not been seen, so several are tried and the one
// that worked is logged.
var defaultNextSelectors = []string{
	"li.ant-pagination-next",
	".ant-pagination-next",
	".el-pagination .btn-next",
	"button.btn-next",
	"[aria-label='Next Page']",
	"[aria-label='next page']",
	"[title='Next Page']",
	"[title='下一页']",
	".arco-pagination-item-next",
	".semi-page-next",
}

// OpenList starts the browser, puts the token where the app keeps it and
// opens the ride history page.
func (b *ChromeBrowser) OpenList(ctx context.Context, app WebApp) (ListSession, error) {
	log := b.Logger
	if log == nil {
		log = slog.Default()
	}
	origin, err := originOf(app.Origin)
	if err != nil {
		return nil, err
	}
	br, err := browser.Launch(ctx, browser.Options{
		Path: b.ExecPath, Headless: !b.Visible, Width: 1280, Height: 900,
		ProfilePrefix: "fitbridge-igpsport-", Logger: log,
	})
	if err != nil {
		return nil, err
	}
	tctx := br.Ctx
	s := &chromeSession{
		ctx:     tctx,
		cancel:  br.Close,
		log:     log,
		wait:    b.Wait,
		next:    b.NextSelectors,
		answers: make(chan ListAnswer, 64),
		pending: map[network.RequestID]ListAnswer{},
		ignored: map[network.RequestID]bool{},
	}
	if s.wait <= 0 {
		s.wait = 45 * time.Second
	}
	if len(s.next) == 0 {
		s.next = defaultNextSelectors
	}
	bearer, _ := json.Marshal("Bearer " + app.Token)
	orig, _ := json.Marshal(origin)
	fail := func(err error) (ListSession, error) {
		s.Close()
		return nil, fmt.Errorf("open the iGPSport web app: %w", err)
	}
	if err := chromedp.Listen(tctx, s.onEvent); err != nil {
		return fail(err)
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		return fail(err)
	}
	if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: fmt.Sprintf(seedScript, orig, bearer),
	}); err != nil {
		return fail(err)
	}
	nctx, cancel := context.WithTimeout(tctx, s.wait)
	defer cancel()
	if err := chromedp.Do(nctx, chromedp.Navigate(app.ListURL)); err != nil {
		return fail(err)
	}
	return s, nil
}

// seedScript runs before the app's own code on every page of its origin and
// writes the token into the app's stored state the way the app itself does,
// keeping whatever else is there.
const seedScript = `(function (origin, bearer) {
  if (location.origin !== origin) return;
  try {
    var key = 'persist:app-store', s = {}, g = {};
    try { s = JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch (e) {}
    try { g = s.global ? JSON.parse(s.global) : {}; } catch (e) {}
    if (g.token === bearer) return;
    g.token = bearer;
    s.global = JSON.stringify(g);
    localStorage.setItem(key, JSON.stringify(s));
  } catch (e) {}
})(%s, %s);`

// nextScript clicks the first enabled "next page" control and says which
// one; with none, it scrolls to the end for lists that load as they scroll.
const nextScript = `(function (sels) {
  function off(el) {
    return el.disabled || el.getAttribute('aria-disabled') === 'true' ||
      /(^|\s)(disabled|is-disabled|ant-pagination-disabled)(\s|$)/.test(el.className || '');
  }
  for (var i = 0; i < sels.length; i++) {
    var els = document.querySelectorAll(sels[i]);
    for (var j = 0; j < els.length; j++) {
      if (off(els[j])) continue;
      var target = els[j].querySelector('button, a') || els[j];
      if (off(target)) continue;
      target.click();
      return sels[i];
    }
  }
  window.scrollTo(0, document.body.scrollHeight);
  return '';
})(%s)`

func originOf(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("iGPSport web app address %q is not usable", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

type chromeSession struct {
	ctx    context.Context
	cancel func()
	log    *slog.Logger
	wait   time.Duration
	next   []string

	answers chan ListAnswer
	mu      sync.Mutex
	pending map[network.RequestID]ListAnswer

	// call is the app's own first list call, kept to page by its
	// parameters; replay is whether sending it again works (0 not yet
	// known, 1 yes, -1 no: then the app's pages are turned by clicks).
	call      *listCall
	replay    int
	replaying string // the URL of a replay in flight, whose answer Page reads itself
	ignored   map[network.RequestID]bool
}

// listCall is one of the app's list calls: its URL and request headers
// (kept in memory only, never logged: they may carry the session).
type listCall struct {
	url     string
	headers map[string]string
}

// isListCall spots the app's list calls (not CORS preflights).
func isListCall(u string, t network.ResourceType) bool {
	return (t == network.ResourceTypeXHR || t == network.ResourceTypeFetch) && strings.Contains(u, "/activity/queryMyActivity")
}

// onEvent runs on the browser's reader: it must not block or send commands.
func (s *chromeSession) onEvent(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.Request != nil && isListCall(e.Request.URL, e.Type) {
			s.mu.Lock()
			switch {
			case s.replaying != "" && e.Request.URL == s.replaying:
				s.ignored[e.RequestID] = true
			case s.call == nil && answerPage(ListAnswer{URL: e.Request.URL}) == 1:
				h := make(map[string]string, len(e.Request.Headers))
				for k, v := range e.Request.Headers {
					if str, ok := v.(string); ok {
						h[k] = str
					}
				}
				s.call = &listCall{url: e.Request.URL, headers: h}
			}
			s.mu.Unlock()
			// Header names only: whether the app signs its calls, never their values.
			names := make([]string, 0, len(e.Request.Headers))
			for k := range e.Request.Headers {
				names = append(names, strings.ToLower(k))
			}
			sort.Strings(names)
			s.log.Info("igpsport web app list call", "query", listQuery(e.Request.URL), "headers", strings.Join(names, ","))
		}
	case *network.EventResponseReceived:
		if e.Response != nil && isListCall(e.Response.URL, e.Type) {
			s.mu.Lock()
			if !s.ignored[e.RequestID] {
				s.pending[e.RequestID] = ListAnswer{URL: e.Response.URL, Status: int(e.Response.Status)}
			}
			s.mu.Unlock()
		}
	case *network.EventLoadingFinished:
		s.mu.Lock()
		a, ok := s.pending[e.RequestID]
		delete(s.pending, e.RequestID)
		s.mu.Unlock()
		if ok {
			go s.readBody(e.RequestID, a)
		}
	case *network.EventLoadingFailed:
		s.mu.Lock()
		a, ok := s.pending[e.RequestID]
		delete(s.pending, e.RequestID)
		s.mu.Unlock()
		if ok {
			s.log.Info("igpsport web app list call failed", "query", listQuery(a.URL), "err", e.ErrorText)
		}
	}
}

func (s *chromeSession) readBody(id network.RequestID, a ListAnswer) {
	res, err := chromedp.Call(s.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil {
		// A page that leaves at once (to its login page after a 401) takes
		// the body with it; the status still says what happened.
		s.log.Info("igpsport web app answer body unreadable", "query", listQuery(a.URL), "status", a.Status, "err", err)
	} else {
		a.Body = res.Body
	}
	select {
	case s.answers <- a:
	case <-s.ctx.Done():
	}
}

// Page waits for the app's answer for pageNo. Past the first page it sends
// the app's own list call again with pageNo from inside the page, where the
// gateway allows that; else it turns the app's page the way a rider would.
func (s *chromeSession) Page(ctx context.Context, pageNo int) (ListAnswer, error) {
	how := "opened"
	if pageNo > 1 {
		if a, ok := s.replayPage(ctx, pageNo); ok {
			return a, nil
		}
		if ctx.Err() != nil {
			return ListAnswer{}, ctx.Err()
		}
		sels, _ := json.Marshal(s.next)
		var err error
		ectx, cancel := context.WithTimeout(s.ctx, s.wait)
		how, err = chromedp.Run(ectx, chromedp.Evaluate[string](fmt.Sprintf(nextScript, sels)))
		cancel()
		if err != nil {
			return ListAnswer{}, fmt.Errorf("turn the web app to page %d: %w", pageNo, err)
		}
		if how == "" {
			how = "scrolled (no next-page control found)"
		}
		s.log.Info("igpsport web app page turned", "pageNo", pageNo, "how", how)
	}
	timer := time.NewTimer(s.wait)
	defer timer.Stop()
	for {
		select {
		case a := <-s.answers:
			got := answerPage(a)
			s.log.Debug("igpsport web app list answer", "want", pageNo, "got", got, "status", a.Status, "bytes", len(a.Body))
			if got == pageNo {
				return a, nil
			}
		case <-timer.C:
			return ListAnswer{}, s.stuck(pageNo, how)
		case <-ctx.Done():
			return ListAnswer{}, ctx.Err()
		case <-s.ctx.Done():
			return ListAnswer{}, errors.New("the browser closed")
		}
	}
}

// replayScript sends one GET from inside the page, with the app's headers,
// and returns the status and body as JSON text.
const replayScript = `(async function (url, headers) {
  const r = await fetch(url, {method: 'GET', headers: headers, credentials: 'include'});
  return JSON.stringify({status: r.status, body: await r.text()});
})(%s, %s)`

// notReplayed are request headers the browser sets itself (or refuses to
// let a page set); the app's other headers go with the replay as they were.
var notReplayed = map[string]bool{
	"host": true, "content-length": true, "cookie": true, "origin": true, "referer": true, "user-agent": true,
	"connection": true, "accept-encoding": true,
}

// replayPage asks for pageNo with the app's own list call, its pageNo
// changed. It answers false when there is no call to replay yet, or the
// gateway refused the replay (a signature over the query, a nonce used
// once): from then on the app's pages are turned by clicks.
func (s *chromeSession) replayPage(ctx context.Context, pageNo int) (ListAnswer, bool) {
	s.mu.Lock()
	call, state := s.call, s.replay
	s.mu.Unlock()
	if call == nil || state < 0 {
		return ListAnswer{}, false
	}
	u, err := url.Parse(call.url)
	if err != nil {
		return ListAnswer{}, false
	}
	q := u.Query()
	q.Set("pageNo", strconv.Itoa(pageNo))
	u.RawQuery = q.Encode()
	headers := map[string]string{}
	for k, v := range call.headers {
		if lk := strings.ToLower(k); !notReplayed[lk] && !strings.HasPrefix(lk, "sec-") && !strings.HasPrefix(lk, ":") {
			headers[k] = v
		}
	}
	uj, _ := json.Marshal(u.String())
	hj, _ := json.Marshal(headers)
	s.mu.Lock()
	s.replaying = u.String()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.replaying = ""
		s.mu.Unlock()
	}()
	ectx, cancel := context.WithTimeout(s.ctx, s.wait)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	out, err := chromedp.Run(ectx, chromedp.Evaluate[string](fmt.Sprintf(replayScript, uj, hj), chromedp.EvalAwaitPromise))
	var res struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	if err == nil {
		err = json.Unmarshal([]byte(out), &res)
	}
	a := ListAnswer{URL: u.String(), Status: res.Status, Body: []byte(res.Body)}
	if err != nil || !goodPage(a, pageNo) {
		s.mu.Lock()
		first := s.replay == 0
		s.replay = -1
		s.mu.Unlock()
		if first {
			s.log.Info("igpsport web app list call cannot be sent again with another pageNo; turning its pages instead",
				"pageNo", pageNo, "status", res.Status, "err", err)
		}
		return ListAnswer{}, false
	}
	s.mu.Lock()
	first := s.replay == 0
	s.replay = 1
	s.mu.Unlock()
	if first {
		s.log.Info("igpsport web app paged by its own list call's parameters", "pageNo", pageNo, "query", listQuery(a.URL))
	}
	return a, true
}

// goodPage: a list answer for pageNo with code 0.
func goodPage(a ListAnswer, pageNo int) bool {
	var env struct {
		Code *int `json:"code"`
		Data *struct {
			PageNo int `json:"pageNo"`
		} `json:"data"`
	}
	if a.Status != 200 || json.Unmarshal(a.Body, &env) != nil || env.Code == nil || *env.Code != 0 || env.Data == nil {
		return false
	}
	return env.Data.PageNo == 0 || env.Data.PageNo == pageNo
}

// stuck explains a page that never came: the app sent the rider to its
// login page, or its list could not be turned.
func (s *chromeSession) stuck(pageNo int, how string) error {
	lctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(lctx, chromedp.Location())
	u, _ := url.Parse(loc)
	where := loc
	if u != nil {
		where = u.Host + u.Path
	}
	s.log.Warn("igpsport web app gave no list answer", "pageNo", pageNo, "how", how, "at", where)
	if u != nil && (strings.Contains(u.Host, "passport") || strings.Contains(strings.ToLower(u.Path), "login")) {
		return fmt.Errorf(reason.SignInAskedAgain.Text("iGPSport", "%w"), source.ErrNeedsSignIn)
	}
	return fmt.Errorf("the iGPSport web app showed no list page %d within %s (at %s, %s)", pageNo, s.wait, where, how)
}

// answerPage is the page an answer is for: the pageNo it asked for, else
// the one it reports; answers for a single row are the app's own checks.
func answerPage(a ListAnswer) int {
	if u, err := url.Parse(a.URL); err == nil {
		q := u.Query()
		if q.Get("pageSize") == "1" {
			return -1
		}
		if n, err := strconv.Atoi(q.Get("pageNo")); err == nil {
			return n
		}
	}
	var env struct {
		Data struct {
			PageNo int `json:"pageNo"`
		} `json:"data"`
	}
	if json.Unmarshal(a.Body, &env) == nil && env.Data.PageNo > 0 {
		return env.Data.PageNo
	}
	return 1
}

// listQuery is a list call's query for the log, paging values only.
func listQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host + u.Path + "?" + httpcall.LogQuery(u.Query())
}

// Close ends the browser and removes its profile.
func (s *chromeSession) Close() error {
	s.cancel()
	return nil
}

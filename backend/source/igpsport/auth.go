package igpsport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fitbridge/backend/claims"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// storeKey is where the web app keeps its state: a redux-persist JSON whose
// "global" field is itself JSON holding token = "Bearer eyJ…".
const storeKey = "persist:app-store"

// expirySlack treats a token as dead a little before its exp claim.
const expirySlack = 5 * time.Minute

// CaptureSpec says where the web app leaves the token after the rider signs
// in on iGPSport's own pages. A token left over from an old passport session
// can sit there too, hence the validation.
func CaptureSpec(cfg source.Config) source.CaptureSpec {
	_, h, err := resolve(cfg)
	if err != nil {
		_, h, _ = resolve(source.Config{BaseURL: cfg.BaseURL})
	}
	return source.CaptureSpec{
		StartURL: h.app + "/sport/history/list?lang=" + h.lang,
		Origin:   h.app,
		LocalStorage: &source.LocalStorageToken{
			Key:         storeKey,
			JSONPath:    []string{"global", "token"},
			StripPrefix: "Bearer ",
		},
		Validate: func(ctx context.Context, token string) error {
			c := cfg
			c.Token = token
			cl, err := New(c, Options{})
			if err != nil {
				return err
			}
			return captureVerdict(cl.Validate(ctx))
		},
	}
}

// captureVerdict keeps a refusal (401, code 401, an expired token) as it is
// and turns every other failure into no verdict: a China gateway that wants
// signing, or a web app that was slow, says nothing about the token, which
// capture must not then throw away.
func captureVerdict(err error) error {
	if err == nil || errors.Is(err, source.ErrNeedsSignIn) {
		return err
	}
	return fmt.Errorf("%w: %w", source.ErrUnchecked, err)
}

// Login signs in with the account API and returns the bare access token.
// China and international accounts are separate: a wrong region looks like
// a wrong password, so the error says so.
func Login(ctx context.Context, cfg source.Config, username, password string) (string, error) {
	// The rider waits on the form: two tries, then say the platform cannot be reached.
	c, err := New(cfg, Options{MaxAttempts: 2})
	if err != nil {
		return "", err
	}
	return c.Login(ctx, username, password)
}

// Login is the package Login with this client's settings.
func (c *Client) Login(ctx context.Context, username, password string) (string, error) {
	var data struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   *int64 `json:"expires_in"`
	}
	body := map[string]string{"appId": "igpsport-web", "username": strings.TrimSpace(username), "password": password}
	err := c.call(ctx, "sign in to iGPSport", "POST", pathLogin, nil, body, &data)
	if werr := c.loginElsewhere(ctx, err, body); werr != nil {
		return "", werr
	}
	var api *APIError
	switch {
	case errors.Is(err, ErrChinaSigning):
		c.chinaSigning(err)
		return "", fmt.Errorf("%w; sign in through the browser instead (%v). If the account was made in the International app, choose International", ErrChinaSigning, err)
	case errors.As(err, &api) && api.Code != 0:
		other := "China"
		if c.region == RegionChina {
			other = "International"
		}
		return "", errors.New(reason.SignInRefusedRegion.Text("iGPSport", api.Message, other))
	case err != nil:
		return "", err
	}
	token := CleanToken(data.AccessToken)
	if token == "" {
		return "", errors.New("sign in to iGPSport: the answer carried no access token")
	}
	expiresIn := int64(-1)
	if data.ExpiresIn != nil {
		expiresIn = *data.ExpiresIn
	}
	c.log.Info("igpsport signed in", claims.Describe(token), "expires_in", expiresIn)
	return token, nil
}

// Validate proves the token with a one-row list call (user/info was seen
// refusing good tokens). Where the China gateway insists on signing, the
// web app makes that call in a browser instead.
func (c *Client) Validate(ctx context.Context) error {
	if c.token == "" {
		return fmt.Errorf("no iGPSport token: %w", source.ErrNeedsSignIn)
	}
	if exp, ok := claims.Expiry(c.token); ok && c.opts.Now().Add(expirySlack).After(exp) {
		return fmt.Errorf(reason.SignInExpiredOn.Text("iGPSport", exp.Format(time.DateOnly), "%w"), source.ErrNeedsSignIn)
	}
	if !c.signing.Load() {
		v := url.Values{"pageNo": {"1"}, "pageSize": {"1"}, "reqType": {"0"}, "sort": {"1"}}
		if c.region == RegionChina {
			v.Set("sortType", "1")
		}
		err := c.call(ctx, "check the iGPSport sign-in", "GET", pathList, v, nil, nil)
		if werr := c.tokenElsewhere(ctx, err); werr != nil {
			return werr
		}
		if !c.chinaSigning(err) {
			if err == nil {
				c.log.Info("igpsport sign-in valid", claims.Describe(c.token))
			}
			return err
		}
	}
	sess, err := c.openWebApp(ctx)
	if err != nil {
		return err
	}
	defer sess.Close()
	_, err = c.browserPages(sess)(ctx, 1)
	return c.webAppFailed(ctx, err)
}

// CleanToken turns what a rider pasted into the bare token: it accepts
// "Bearer …", an Authorization header line, quotes and blanks, and the
// whole persist:app-store value copied from the browser's storage. The
// stored token is cleaned again by New, so cleaning repeats until nothing
// changes: one pass can uncover another wrapper ("Bearer Bearer x").
func CleanToken(pasted string) string {
	for {
		s := cleanTokenOnce(pasted)
		if s == pasted {
			return s
		}
		pasted = s
	}
}

func cleanTokenOnce(pasted string) string {
	s := strings.TrimSpace(pasted)
	// A value copied from DevTools can be a JSON string literal, even twice.
	for range 3 {
		var inner string
		if !strings.HasPrefix(s, `"`) || json.Unmarshal([]byte(s), &inner) != nil {
			break
		}
		s = strings.TrimSpace(inner)
	}
	if strings.HasPrefix(s, "{") {
		if t, ok := tokenInState(s); ok {
			s = t
		}
	}
	if k, v, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "authorization") {
		s = v
	}
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	if len(s) >= 7 && strings.EqualFold(s[:7], "bearer ") {
		s = s[7:]
	}
	return strings.Trim(strings.TrimSpace(s), `"'`)
}

// tokenInState digs the token out of the web app's stored state (global is
// a JSON string inside the JSON), or out of a login answer.
func tokenInState(s string) (string, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &top) != nil {
		return "", false
	}
	for _, path := range [][]string{{"global", "token"}, {"token"}, {"access_token"}, {"data", "access_token"}} {
		if t, ok := walkJSON(top, path); ok && t != "" {
			return t, true
		}
	}
	return "", false
}

// walkJSON follows path through objects, parsing values that are JSON
// text inside a string.
func walkJSON(obj map[string]json.RawMessage, path []string) (string, bool) {
	raw, ok := obj[path[0]]
	if !ok {
		return "", false
	}
	var str string
	isString := json.Unmarshal(raw, &str) == nil
	if len(path) == 1 {
		return str, isString
	}
	if isString {
		raw = json.RawMessage(str)
	}
	var next map[string]json.RawMessage
	if json.Unmarshal(raw, &next) != nil {
		return "", false
	}
	return walkJSON(next, path[1:])
}

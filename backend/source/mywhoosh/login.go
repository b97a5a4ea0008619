package mywhoosh

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/claims"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// ErrLoginRefused means MyWhoosh answered Success:false; the error text
// carries MyWhoosh's own message.
var ErrLoginRefused = errors.New(reason.SignInRefused.Text("MyWhoosh"))

// loginRetries is how often a refused login is tried again: the endpoint
// sometimes refuses a correct password with the wrong-password message.
const loginRetries = 2

// Session is what an API login hands out.
type Session struct {
	Token    string    // AccessToken, sent as the bearer to service14
	WhooshID string    // the rider id, for the download call's "key"
	Expires  time.Time // the token's exp, zero when unknown
	// Source is the Source header the login sent ("connect" for the
	// alternative body); later calls send it too.
	Source string
}

// Settings are the account settings the login taught: the WhooshId when
// given, and the login's Source header with the session's exp, both empty
// after the usual login so an earlier alternative login's header is not
// sent with this session.
func (s Session) Settings() map[string]string {
	m := map[string]string{SettingLoginSource: s.Source, SettingLoginSourceExp: ""}
	if s.Source != "" && !s.Expires.IsZero() {
		m[SettingLoginSourceExp] = strconv.FormatInt(s.Expires.Unix(), 10)
	}
	if s.WhooshID != "" {
		m[SettingWhooshID] = s.WhooshID
	}
	return m
}

type loginRequest struct {
	Username      string `json:"Username"`
	Password      string `json:"Password"`
	Platform      string `json:"Platform"`
	Action        int    `json:"Action"`
	CorrelationID string `json:"CorrelationId"`
	DeviceID      string `json:"DeviceId"`
	Authorization string `json:"Authorization"`
}

// variantLoginRequest is the other login body seen in the game's app, sent
// with the header "Source: connect". It is only a second attempt.
type variantLoginRequest struct {
	UserName string `json:"UserName"`
	Password string `json:"Password"`
	Source   string `json:"Source"`
	DeviceID string `json:"DeviceId"`
}

type loginResponse struct {
	Success     *bool           `json:"Success"`
	Message     string          `json:"Message"`
	AccessToken string          `json:"AccessToken"`
	WhooshID    json.RawMessage `json:"WhooshId"` // a string, or a number for some accounts
}

// refusal is a Success:false answer, with MyWhoosh's message.
type refusal struct{ msg string }

func (r *refusal) Error() string        { return reason.SignInRefusedSaying.Text("MyWhoosh", r.msg) }
func (r *refusal) Is(target error) bool { return target == ErrLoginRefused }

// wrongPassword: the one refusal that is sometimes spurious, and the one the
// other login body cannot help with.
func (r *refusal) wrongPassword() bool { return strings.Contains(strings.ToLower(r.msg), "incorrect") }

// Login signs in with email and password through the game's login API. The
// password is used for this call only: it is never stored or logged.
func Login(ctx context.Context, cfg source.Config, username, password string, opts Options) (Session, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return Session{}, fmt.Errorf("%w: email and password are both needed", ErrLoginRefused)
	}
	cl := newClient(cfg, opts)
	device := deviceID(cfg)
	s, err := cl.loginPrimary(ctx, username, password, device)
	if err == nil || !worthVariant(err) {
		return s, err
	}
	cl.log.Info("trying MyWhoosh's other sign-in body", "after", err.Error())
	s, verr := cl.loginVariant(ctx, username, password, device)
	if verr == nil {
		return s, nil
	}
	cl.log.Info("the other sign-in body failed too", "error", verr.Error())
	if errors.Is(verr, ErrLoginRefused) {
		return Session{}, verr // MyWhoosh's own word on these credentials
	}
	return Session{}, err
}

// loginPrimary sends the usual body, again after a wrong-password refusal
// (at most loginRetries times).
func (cl *Client) loginPrimary(ctx context.Context, username, password, device string) (Session, error) {
	for attempt := 1; ; attempt++ {
		body, err := json.Marshal(loginRequest{
			Username: username, Password: password, Platform: "Android", Action: 1001,
			CorrelationID: newUUID(), DeviceID: device,
		})
		if err != nil {
			return Session{}, err
		}
		s, err := cl.loginAttempt(ctx, call{method: http.MethodPost, url: cl.loginURL(), body: body}, "primary", attempt)
		var r *refusal
		if !errors.As(err, &r) || !r.wrongPassword() || attempt > loginRetries {
			return s, err
		}
		if err := cl.opts.sleep(ctx, cl.opts.LoginRetryDelay); err != nil {
			return Session{}, err
		}
	}
}

func (cl *Client) loginVariant(ctx context.Context, username, password, device string) (Session, error) {
	body, err := json.Marshal(variantLoginRequest{UserName: username, Password: password, Source: "connect", DeviceID: device})
	if err != nil {
		return Session{}, err
	}
	c := call{method: http.MethodPost, url: cl.loginURL(), body: body, header: map[string]string{"Source": "connect"}}
	s, err := cl.loginAttempt(ctx, c, "variant", 1)
	if err == nil {
		s.Source = "connect"
	}
	return s, err
}

func (cl *Client) loginURL() string { return cl.hosts.Login + "/http-service/api/login" }

// worthVariant: the primary body was refused for another reason than the
// password, or its answer made no sense. Network errors and 5xx were
// retried already; another body will not help with those.
func worthVariant(err error) bool {
	var r *refusal
	if errors.As(err, &r) {
		return !r.wrongPassword()
	}
	var ne *notEnvelopeError
	if errors.As(err, &ne) {
		return true
	}
	var he *HTTPError
	return errors.As(err, &he) && he.Status >= 400 && he.Status < 500 && he.Status != http.StatusTooManyRequests
}

// loginAttempt sends one login body. A refusal comes back as *refusal.
func (cl *Client) loginAttempt(ctx context.Context, c call, form string, attempt int) (Session, error) {
	resp, err := cl.loginOnce(ctx, c)
	if err != nil {
		return Session{}, err
	}
	if !resp.ok() {
		msg := strings.TrimSpace(resp.Message)
		if msg == "" {
			msg = "no reason given"
		}
		cl.log.Info("MyWhoosh refused the sign-in", "body", form, "attempt", attempt, "message", msg)
		return Session{}, &refusal{msg}
	}
	if resp.AccessToken == "" {
		return Session{}, fmt.Errorf("%w: the answer has no AccessToken", ErrLoginRefused)
	}
	s := Session{Token: resp.AccessToken, WhooshID: rawID(resp.WhooshID)}
	s.Expires, _ = claims.Expiry(s.Token)
	cl.log.Info("signed in to MyWhoosh", "body", form, "attempt", attempt, claims.Describe(s.Token), "whoosh_id_known", s.WhooshID != "")
	return s, nil
}

func (r loginResponse) ok() bool { return r.Success != nil && *r.Success }

// loginOnce sends one login body and reads MyWhoosh's verdict. The body
// decides, not the status: a refusal ({Success:false, Message}) may come
// with a 4xx as well as with a 200.
func (cl *Client) loginOnce(ctx context.Context, c call) (loginResponse, error) {
	var resp loginResponse
	raw, _, err := cl.do(ctx, c)
	var he *HTTPError
	if errors.As(err, &he) && he.Status >= 400 && he.Status < 500 && he.Status != http.StatusTooManyRequests {
		if json.Unmarshal(he.raw, &resp) == nil && resp.Success != nil && !*resp.Success {
			cl.log.Debug("sign-in refused with an HTTP error status", "status", he.Status)
			return resp, nil
		}
	}
	if err != nil {
		return resp, fmt.Errorf("MyWhoosh sign-in failed: %w", err)
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return resp, fmt.Errorf("MyWhoosh sign-in: %w", &notEnvelopeError{snippet(raw)})
	}
	return resp, nil
}

func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// deviceID is one stable DeviceId per install: the stored setting, else one
// derived from the computer's name, so repeated logins look like one device.
func deviceID(cfg source.Config) string {
	if id := strings.TrimSpace(cfg.Settings[SettingDeviceID]); id != "" {
		return id
	}
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte("fitbridge-mywhoosh-device|" + host))
	return formatUUID(sum[:16])
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return formatUUID(b)
}

// formatUUID shapes 16 bytes as a version 4 UUID.
func formatUUID(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

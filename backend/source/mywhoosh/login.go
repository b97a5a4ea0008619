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
	"strings"
	"time"

	"fitbridge/backend/capture"
	"fitbridge/backend/source"
)

// ErrLoginRefused means MyWhoosh answered Success:false; the error text
// carries MyWhoosh's own message.
var ErrLoginRefused = errors.New("MyWhoosh refused the sign-in")

// loginRetries is how often a refused login is tried again: the endpoint
// sometimes refuses a correct password with the wrong-password message.
const loginRetries = 2

// Session is what an API login hands out.
type Session struct {
	Token    string    // AccessToken, sent as the bearer to service14
	WhooshID string    // the rider id, for the download call's "key"
	Expires  time.Time // the token's exp, zero when unknown
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

type loginResponse struct {
	Success     *bool           `json:"Success"`
	Message     string          `json:"Message"`
	AccessToken string          `json:"AccessToken"`
	WhooshID    json.RawMessage `json:"WhooshId"` // a string, or a number for some accounts
}

// Login signs in with email and password through the game's login API. The
// password is used for this call only: it is never stored or logged.
func Login(ctx context.Context, cfg source.Config, username, password string, opts Options) (Session, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return Session{}, fmt.Errorf("%w: email and password are both needed", ErrLoginRefused)
	}
	cl := newClient(cfg, opts)
	u := cl.hosts.Login + "/http-service/api/login"
	device := deviceID(cfg)
	for attempt := 0; ; attempt++ {
		body, err := json.Marshal(loginRequest{
			Username: username, Password: password, Platform: "Android", Action: 1001,
			CorrelationID: newUUID(), DeviceID: device,
		})
		if err != nil {
			return Session{}, err
		}
		resp, err := cl.loginOnce(ctx, call{method: http.MethodPost, url: u, body: body})
		if err != nil {
			return Session{}, err
		}
		if resp.ok() {
			if resp.AccessToken == "" {
				return Session{}, fmt.Errorf("%w: the answer has no AccessToken", ErrLoginRefused)
			}
			s := Session{Token: resp.AccessToken, WhooshID: rawID(resp.WhooshID)}
			s.Expires, _ = capture.JWTExpiry(s.Token)
			cl.log.Info("signed in to MyWhoosh", "attempt", attempt+1, capture.DescribeToken(s.Token), "whoosh_id_known", s.WhooshID != "")
			return s, nil
		}
		msg := strings.TrimSpace(resp.Message)
		if msg == "" {
			msg = "no reason given"
		}
		cl.log.Info("MyWhoosh refused the sign-in", "attempt", attempt+1, "message", msg)
		// Only the wrong-password message is sometimes spurious; a malformed
		// request will not get better by asking again.
		if attempt >= loginRetries || !strings.Contains(strings.ToLower(msg), "incorrect") {
			return Session{}, fmt.Errorf("%w: %s", ErrLoginRefused, msg)
		}
		if err := cl.opts.sleep(ctx, cl.opts.LoginRetryDelay); err != nil {
			return Session{}, err
		}
	}
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

package igpsport

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// EnvOtherRegionURL replaces the other region's hosts when FITBRIDGE_IGPSPORT_URL
// replaces this one's (tests and the demo run one loopback server per region).
const EnvOtherRegionURL = "FITBRIDGE_IGPSPORT_OTHER_REGION_URL"

// WrongRegionError says the account belongs to the other region: its
// credentials or token were refused here and accepted there. The rider must
// connect again choosing that region.
type WrongRegionError struct {
	Region string // the region that accepted them
}

func (e *WrongRegionError) Error() string {
	if e.Region == RegionIntl {
		return reason.SignInRegionIntl.Text("iGPSport China", "iGPSport International", "iGPSport")
	}
	return reason.SignInRegionChina.Text("iGPSport International", "iGPSport China", "iGPSport")
}

func (e *WrongRegionError) Is(target error) bool { return target == source.ErrNeedsSignIn }

// SignInAdvice is what the rider should do instead, when a sign-in is checked.
func (e *WrongRegionError) SignInAdvice() string { return e.Error() }

// otherRegion is a client for the same account in the other region, or
// false when its hosts are unknown (a replaced host without the other's).
func (c *Client) otherRegion() (*Client, bool) {
	cfg := c.cfg
	cfg.Region = RegionChina
	if c.region == RegionChina {
		cfg.Region = RegionIntl
	}
	if cfg.BaseURL != "" {
		if c.opts.OtherRegionURL == "" {
			return nil, false
		}
		cfg.BaseURL = c.opts.OtherRegionURL
	}
	o := c.opts
	o.OtherRegionURL = ""
	o.MaxAttempts = 1 // a hint, not a retry of the rider's call
	other, err := New(cfg, o)
	if err != nil {
		return nil, false
	}
	return other, true
}

// refusedHere reports an answer worth asking the other region about: a 403
// from the China gateway (one client saw a WAF answer it for an account of
// the other region), or International refusing the sign-in.
func (c *Client) refusedHere(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	if c.region == RegionChina {
		return e.Status == http.StatusForbidden
	}
	return e.signIn || e.Code != 0 || e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized
}

// loginElsewhere asks the other region whether it takes these credentials.
func (c *Client) loginElsewhere(ctx context.Context, err error, body map[string]string) error {
	if !c.refusedHere(err) {
		return nil
	}
	other, ok := c.otherRegion()
	if !ok {
		return nil
	}
	var data struct {
		AccessToken string `json:"access_token"`
	}
	if other.call(ctx, "sign in to iGPSport "+other.region+" (to tell the regions apart)", "POST", pathLogin, nil, body, &data) != nil || data.AccessToken == "" {
		return nil
	}
	c.log.Info("igpsport sign-in refused here but accepted by the other region", "other", other.region)
	return &WrongRegionError{Region: other.region}
}

// tokenElsewhere asks the other region whether it takes this token.
func (c *Client) tokenElsewhere(ctx context.Context, err error) error {
	if c.token == "" || !c.refusedHere(err) {
		return nil
	}
	other, ok := c.otherRegion()
	if !ok {
		return nil
	}
	v := url.Values{"pageNo": {"1"}, "pageSize": {"1"}, "reqType": {"0"}, "sort": {"1"}}
	if other.region == RegionChina {
		v.Set("sortType", "1")
	}
	if other.call(ctx, "check the iGPSport sign-in on "+other.region+" (to tell the regions apart)", "GET", pathList, v, nil, nil) != nil {
		return nil
	}
	c.log.Info("igpsport token refused here but accepted by the other region", "other", other.region)
	return &WrongRegionError{Region: other.region}
}

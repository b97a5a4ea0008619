package igpsport_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
)

// regions is one fake per region, each with its own account.
type regions struct {
	url  map[string]string
	fake map[string]*igpsportfake.Server
}

func startRegions(t *testing.T, cn igpsportfake.Options) regions {
	t.Helper()
	r := regions{url: map[string]string{}, fake: map[string]*igpsportfake.Server{}}
	cn.Region = igpsport.RegionChina
	for region, o := range map[string]igpsportfake.Options{igpsport.RegionIntl: {Region: igpsport.RegionIntl}, igpsport.RegionChina: cn} {
		f := igpsportfake.New(o)
		r.url[region] = f.Start()
		t.Cleanup(f.Close)
		r.fake[region] = f
	}
	return r
}

func other(region string) string {
	if region == igpsport.RegionChina {
		return igpsport.RegionIntl
	}
	return igpsport.RegionChina
}

// A sign-in refused in the chosen region but taken by the other says which
// region the account belongs to; refused by both, it says what it said.
func TestWrongRegionIsNamed(t *testing.T) {
	cases := []struct {
		name      string
		chosen    string // the region the rider chose
		owner     string // whose account the credentials are ("" for nobody's)
		cn        igpsportfake.Options
		askOther  bool
		wantOther bool
	}{
		{"China 403 for an International account", igpsport.RegionChina, igpsport.RegionIntl, igpsportfake.Options{ChinaRequiresSignature: true}, true, true},
		{"China 403 for nobody's account", igpsport.RegionChina, "", igpsportfake.Options{ChinaRequiresSignature: true}, true, false},
		{"China 403, no other region to ask", igpsport.RegionChina, igpsport.RegionIntl, igpsportfake.Options{ChinaRequiresSignature: true}, false, false},
		{"International refusal for a China account", igpsport.RegionIntl, igpsport.RegionChina, igpsportfake.Options{}, true, true},
		{"International refusal for a China account that wants signing", igpsport.RegionIntl, igpsport.RegionChina, igpsportfake.Options{ChinaRequiresSignature: true}, true, false},
		{"International refusal for nobody's account", igpsport.RegionIntl, "", igpsportfake.Options{}, true, false},
	}
	for _, c := range cases {
		for _, way := range []string{"password", "token"} {
			t.Run(c.name+"/"+way, func(t *testing.T) {
				r := startRegions(t, c.cn)
				var logs syncBuffer
				o := fastOptions(&logs)
				o.Browser = &scriptedBrowser{openErr: errors.New("no browser here")}
				if c.askOther {
					o.OtherRegionURL = r.url[other(c.chosen)]
				}
				cfg := source.Config{BaseURL: r.url[c.chosen], Region: c.chosen}
				user, pass := "nobody@example.com", "correct horse"
				if c.owner != "" {
					user = r.fake[c.owner].Options().Username
					cfg.Token = r.fake[c.owner].Token()
				} else {
					cfg.Token = "eyJhbGciOiJIUzI1NiJ9.eyJtZW1iZXJpZCI6MX0.bm9ib2R5"
				}
				cl, err := igpsport.New(cfg, o)
				if err != nil {
					t.Fatal(err)
				}
				if way == "password" {
					_, err = cl.Login(context.Background(), user, pass)
				} else {
					err = cl.Validate(context.Background())
				}
				if err == nil {
					t.Fatal("accepted in the wrong region")
				}
				var wr *igpsport.WrongRegionError
				got := errors.As(err, &wr)
				if got != c.wantOther {
					t.Fatalf("%v: region named %v, want %v", err, got, c.wantOther)
				}
				if got {
					word := map[string]string{igpsport.RegionIntl: "looks like an International account", igpsport.RegionChina: "looks like a China account"}[c.owner]
					if wr.Region != c.owner || !strings.Contains(err.Error(), word) || !errors.Is(err, source.ErrNeedsSignIn) {
						t.Fatalf("%v: want %q", err, word)
					}
				}
				if strings.Contains(err.Error(), pass) || strings.Contains(logs.String(), pass) {
					t.Fatal("the password leaked")
				}
			})
		}
	}
}

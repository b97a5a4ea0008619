package e2e

import (
	"strings"
	"testing"

	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/source/mywhoosh"
)

// The three ways to connect MyWhoosh from the command line, against the fake:
// its own sign-in page in headless Chromium, an API login with the password
// on stdin, and a pasted token.
func TestConnectMyWhooshEachWay(t *testing.T) {
	f := mywhooshfake.New(mywhooshfake.Options{AutoLogin: true, StaleWebToken: true})
	url := f.Start()
	defer f.Close()
	cases := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"browser", "", []string{"connect", "mywhoosh", "--browser"}},
		{"password", mywhooshfake.DefaultPassword + "\n", []string{"connect", "mywhoosh", "--username", mywhooshfake.DefaultEmail, "--password-stdin"}},
		{"token", "Bearer " + f.IssueToken() + "\n", []string{"connect", "mywhoosh", "--token-stdin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRider(t)
			r.env["FITBRIDGE_MYWHOOSH_URL"] = url
			out, errs, code := r.run(c.stdin, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, out, errs)
			}
			src := decode[struct {
				Sources []struct {
					Name      string `json:"name"`
					Connected bool   `json:"connected"`
					State     string `json:"state"`
				} `json:"sources"`
			}](t, r.must("", "sources", "--json"))
			ok := false
			for _, s := range src.Sources {
				ok = ok || (s.Name == "mywhoosh" && s.Connected && s.State == "connected")
			}
			if !ok {
				t.Fatalf("mywhoosh not connected: %+v", src)
			}
			secrets := []string{mywhooshfake.DefaultPassword}
			assertNoSecret(t, r.home, []string{out, errs}, secrets...)
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		r := newRider(t)
		r.env["FITBRIDGE_MYWHOOSH_URL"] = url
		_, errs, code := r.run("not-my-password\n", "connect", "mywhoosh", "--username", mywhooshfake.DefaultEmail, "--password-stdin")
		if code == 0 || !strings.Contains(strings.ToLower(errs), "incorrect") || strings.Contains(errs, "not-my-password") {
			t.Fatalf("exit %d, stderr %q: want MyWhoosh's own message and no password", code, errs)
		}
	})
}

// A portal whose service takes only encrypted bodies, and refuses plain ones
// with a 403 or inside a 200, still gives a good browser session: the
// sign-in's check tries the other form, and the account keeps the form
// that worked.
func TestConnectMyWhooshBrowserEitherBodyForm(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  mywhooshfake.Options
		wantF string
	}{
		{"plain taken", mywhooshfake.Options{Bodies: mywhooshfake.BodiesPlain, WrongForm: 403}, mywhoosh.FormPlain},
		{"encrypted only, plain refused with 403", mywhooshfake.Options{Bodies: mywhooshfake.BodiesEncrypted, WrongForm: 403}, mywhoosh.FormEncrypted},
		{"encrypted only, plain refused inside a 200", mywhooshfake.Options{Bodies: mywhooshfake.BodiesEncrypted, WrongForm: 200}, mywhoosh.FormEncrypted},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.AutoLogin = true
			f := mywhooshfake.New(o)
			url := f.Start()
			defer f.Close()
			r := newRider(t)
			r.env["FITBRIDGE_MYWHOOSH_URL"] = url
			out, errs, code := r.run("", "connect", "mywhoosh", "--browser")
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, out, errs)
			}
			if got := accountSettings(t, r.home, "mywhoosh")[mywhoosh.SettingBodyForm]; got != c.wantF {
				t.Fatalf("body form kept %q, want %q", got, c.wantF)
			}
		})
	}
}

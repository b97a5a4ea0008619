package e2e

import (
	"strings"
	"testing"

	"fitbridge/backend/fakes/mywhooshfake"
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

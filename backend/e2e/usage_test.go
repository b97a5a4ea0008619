package e2e

import (
	"strings"
	"testing"
)

// Every kind of bad usage exits 2 with a line saying what was wrong, before
// anything is opened or changed.
func TestBadUsageExitsTwo(t *testing.T) {
	r := newRider(t)
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"--bogus"}, "unknown option"},
		{[]string{"serve", "--addr", "garbage"}, "--addr"},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, "port"},
		{[]string{"connect", "igpsport", "--region", "mars"}, "mars"},
		{[]string{"disconnect", "nosuch"}, "nosuch"},
		{[]string{"disconnect"}, "disconnect"},
		{[]string{"connect", "zwift", "--token-stdin"}, "token-stdin"},
		{[]string{"connect", "folder"}, "--folder"},
		{[]string{"list", "extra"}, "takes no arguments"},
		{[]string{"sources", "extra"}, "takes no arguments"},
		{[]string{"backfill", "--yes", "extra"}, "takes no arguments"},
		{[]string{"fetch", "extra"}, "takes no arguments"},
		{[]string{"watch", "--once", "extra"}, "takes no arguments"},
		{[]string{"serve", "extra"}, "takes no arguments"},
		{[]string{"connect", "intervals", "--athlete-id", "i1", "extra"}, "takes no arguments"},
		{[]string{"restore", "1", "2"}, "one backup"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errs, code := r.run("", c.args...)
			if code != 2 || !strings.Contains(errs, c.says) {
				t.Fatalf("exit %d, stderr %q, stdout %q; want 2 and %q", code, errs, out, c.says)
			}
		})
	}
}

// A backfill stopped by several expired sessions names each of them, with
// the command that fixes it.
func TestNeedsSignInNamesEverySource(t *testing.T) {
	mw := &myWhoosh{}
	w := newWorld(t, mw, worldOptions{n: 3})
	ig := &iGPSport{}
	key, url := ig.start(t, 3, nil)
	w.env[key] = url
	secret := ig.secret()
	w.secrets = append(w.secrets, secret)
	w.must(secret, ig.connectArgs()...)
	mw.expire()
	ig.expire()
	_, errs, code := w.run("", "backfill", "--yes", "--json")
	w.outputs = append(w.outputs, errs)
	if code != 3 {
		t.Fatalf("exit %d, want 3: %s", code, errs)
	}
	for _, want := range []string{"MyWhoosh", "iGPSport", "fitbridge connect mywhoosh", "fitbridge connect igpsport"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q: %s", want, errs)
		}
	}
}

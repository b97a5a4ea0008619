package cli

import "testing"

func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ride.fit", "ride.fit"},
		{"Fahrt München.tcx", "Fahrt München.tcx"},
		{"\x1b[31mred.fit", `\x1b[31mred.fit`},
		{"title\x1b]0;owned\x07.fit", `title\x1b]0;owned\a.fit`},
		{"line\nbreak\r.fit", `line\nbreak\r.fit`},
		{"M\xfcnchen.fit", `M\xfcnchen.fit`},
		{"a\u2028b", `a\u2028b`},
		{"\u009b31m", `\u009b31m`}, // the one-character CSI
	} {
		if got := printable(c.in); got != c.want {
			t.Errorf("printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsCommand(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"-psn_0_12345"}, false},
		{[]string{"--bogus"}, true},
		{[]string{"-h"}, true},
		{[]string{"list"}, true},
		{[]string{"nosuch"}, true},
	} {
		if got := IsCommand(c.args); got != c.want {
			t.Errorf("IsCommand(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

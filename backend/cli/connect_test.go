package cli

import (
	"bytes"
	"strings"
	"testing"

	"fitbridge/backend/source"
	_ "fitbridge/backend/source/all"
)

// Each platform's connect flags are the settings it declares: a setting
// one platform declares is no flag of another.
func TestConnectFlagsComeFromDeclarations(t *testing.T) {
	for _, d := range source.All() {
		if d.Kind == source.KindFiles {
			continue // nothing to connect
		}
		var out, errOut bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
		if code := Main([]string{"connect", d.Name, "--help"}, env); code != ExitOK {
			t.Fatalf("%s --help: exit %d, %s", d.Name, code, errOut.String())
		}
		help := errOut.String()
		for _, s := range d.Settings {
			if !strings.Contains(help, "-"+s.Key) || !strings.Contains(help, s.Help) {
				t.Errorf("%s --help does not offer its declared setting %q:\n%s", d.Name, s.Key, help)
			}
		}
		for _, other := range source.All() {
			if other.Kind == source.KindFiles {
				continue
			}
			for _, s := range other.Settings {
				if _, own := d.SettingFor(s.Key); own {
					continue
				}
				var o2, e2 bytes.Buffer
				env := &Env{Stdin: strings.NewReader(""), Stdout: &o2, Stderr: &e2, Getenv: func(string) string { return "" }}
				if code := Main([]string{"connect", d.Name, "--" + s.Key, "x"}, env); code != ExitUsage || !strings.Contains(e2.String(), "flag provided but not defined: -"+s.Key) {
					t.Errorf("connect %s --%s (declared by %s only): exit %d, %s", d.Name, s.Key, other.Name, code, e2.String())
				}
			}
		}
	}
}

// The synopsis of each platform keeps the CLI contract's flag names.
func TestConnectSynopsisKeepsTheContract(t *testing.T) {
	want := map[string][]string{
		"igpsport": {"[--region intl|cn]", "--browser", "--username USER --password-stdin", "--token-stdin"},
		"zwift":    {"connect zwift [--folder PATH]"},
		"folder":   {"connect folder --folder PATH [--name NAME]"},
	}
	for name, parts := range want {
		var out, errOut bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
		Main([]string{"connect", name, "--help"}, env)
		first, _, _ := strings.Cut(errOut.String(), "\n")
		for _, p := range parts {
			if !strings.Contains(first, p) {
				t.Errorf("connect %s synopsis %q lacks %q", name, first, p)
			}
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// scripts/version.sh turns git's history into the one version every build,
// package and installer carries.
func TestVersionFromGitTag(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil || runtime.GOOS == "windows" {
		t.Skip("needs git and a POSIX shell (the release builds run it on Linux and macOS)")
	}
	script, err := os.ReadFile(filepath.Join("scripts", "version.sh"))
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=r", "GIT_AUTHOR_EMAIL=r@example.org",
			"GIT_COMMITTER_NAME=r", "GIT_COMMITTER_EMAIL=r@example.org", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.MkdirAll(filepath.Join(repo, "scripts"), 0o755)
	if err := os.WriteFile(filepath.Join(repo, "scripts", "version.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	version := func() string {
		t.Helper()
		out, err := exec.Command(filepath.Join(repo, "scripts", "version.sh")).Output()
		if err != nil {
			t.Fatalf("version.sh: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "one")

	steps := []struct {
		do   func()
		want string // a regular expression
	}{
		{func() {}, `^0\.0\.0-dev\.1\+g[0-9a-f]{7,}$`},
		{func() { git("tag", "v1.2.3") }, `^1\.2\.3$`},
		{func() {
			git("commit", "-q", "--allow-empty", "-m", "two")
			git("commit", "-q", "--allow-empty", "-m", "three")
		}, `^1\.2\.3-dev\.2\+g[0-9a-f]{7,}$`},
		{func() { git("tag", "not-a-version") }, `^1\.2\.3-dev\.2\+g`},
		{func() { git("tag", "v1.3.0-rc.1") }, `^1\.3\.0-rc\.1$`},
		{func() { git("commit", "-q", "--allow-empty", "-m", "four") }, `^1\.3\.0-rc\.1-dev\.1\+g`},
	}
	for i, st := range steps {
		st.do()
		if got := version(); !regexp.MustCompile(st.want).MatchString(got) {
			t.Fatalf("step %d: version %q, want %s", i, got, st.want)
		}
	}
}

package all

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"fitbridge/backend/source"
)

// platformNames may appear only under backend/source (and in tests,
// fixtures and the demo's sample data): every layer above learns about a
// platform from its Descriptor.
var platformNames = regexp.MustCompile(`(?i)mywhoosh|igpsport|trainingpeaks|zwift`)

// layersAbove are the folders, from the project root, that must not name a platform.
var layersAbove = []string{
	"backend/backfill", "backend/service", "backend/cli", "backend/doctor", "backend/web", "frontend/src",
}

// nameLeaks lists "path:line: text" for each line of non-test code under
// root/dirs that names a platform.
func nameLeaks(t *testing.T, root string, dirs []string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := e.Name()
			if e.IsDir() {
				if name == "testdata" || name == "node_modules" {
					return filepath.SkipDir
				}
				return nil
			}
			if !isCode(name) {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for n := 1; sc.Scan(); n++ {
				if platformNames.MatchString(sc.Text()) {
					rel, _ := filepath.Rel(root, path)
					out = append(out, rel+":"+strconv.Itoa(n)+": "+strings.TrimSpace(sc.Text()))
				}
			}
			return sc.Err()
		})
		if err != nil {
			t.Fatalf("read %s: %v", dir, err)
		}
	}
	return out
}

// isCode says whether a file is non-test source.
func isCode(name string) bool {
	switch {
	case strings.HasSuffix(name, "_test.go"), strings.Contains(name, ".test."), strings.Contains(name, ".spec."):
		return false
	case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".ts"), strings.HasSuffix(name, ".svelte"),
		strings.HasSuffix(name, ".js"), strings.HasSuffix(name, ".css"), strings.HasSuffix(name, ".html"):
		return true
	}
	return false
}

func TestNoPlatformNamedAboveSource(t *testing.T) {
	// The names checked are real platforms: a renamed one must be renamed here too.
	for _, n := range []string{"mywhoosh", "igpsport", "trainingpeaks", "zwift"} {
		if _, ok := source.Lookup(n); !ok {
			t.Errorf("%s is not a registered platform any more: update platformNames", n)
		}
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range nameLeaks(t, root, layersAbove) {
		t.Errorf("%s\n\tmove what this knows about the platform into its Descriptor", leak)
	}
}

// The scan finds a name in any case, in Go and in the frontend, and leaves
// tests alone.
func TestNameScanFindsALeak(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"backend/service/x.go":          "package service\n// reads the ZWIFT folder\n",
		"backend/service/x_test.go":     "package service\n// mywhoosh in a test is fine\n",
		"frontend/src/lib/a.ts":         "export const c = { igPsport: 1 };\n",
		"frontend/src/lib/a.test.ts":    "// trainingpeaks\n",
		"frontend/src/Card.svelte":      "<p>TrainingPeaks</p>\n",
		"backend/cli/testdata/seed.txt": "zwift\n",
	}
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := nameLeaks(t, root, []string{"backend/service", "backend/cli", "frontend/src"})
	want := []string{
		"backend/service/x.go:2: // reads the ZWIFT folder",
		"frontend/src/Card.svelte:1: <p>TrainingPeaks</p>",
		"frontend/src/lib/a.ts:1: export const c = { igPsport: 1 };",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("leaks found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

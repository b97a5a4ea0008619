package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// assertNoSecret fails when any secret appears in a file under the data
// folder (database, WAL, logs, cache) or in the given outputs.
func assertNoSecret(t *testing.T, home string, outputs []string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("secret found in %s", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, out := range outputs {
		for _, s := range secrets {
			if bytes.Contains([]byte(out), []byte(s)) {
				t.Errorf("secret found in output %d", i)
			}
		}
	}
}

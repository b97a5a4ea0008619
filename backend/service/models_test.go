package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The window's types are what the generator writes from the Go types: a
// change on either side without the other fails here.
func TestGeneratedTypesAreCurrent(t *testing.T) {
	want, err := Models().Source(ModelsHeader)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", ModelsFile))
	if err != nil {
		t.Fatalf("read %s: %v (run `go generate ./backend/service`)", ModelsFile, err)
	}
	if string(got) != want {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s is not what the Go types say; run `go generate ./backend/service`.\nline %d: file has %q, Go types give %q", ModelsFile, i+1, g, w)
			}
		}
	}
	for _, must := range []string{"export type State = ", "export interface SourceInfo {", "  settings: SettingInfo[] | null;", "  state: State;"} {
		if !strings.Contains(want, must) {
			t.Errorf("generated types lack %q", must)
		}
	}
}

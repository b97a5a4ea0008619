package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fitbridge/backend/reason"
)

// The window's types are what the generator writes from the Go types: a
// change on either side without the other fails here.
func TestGeneratedTypesAreCurrent(t *testing.T) {
	want, err := Models().Source(ModelsHeader)
	if err != nil {
		t.Fatal(err)
	}
	sameAsFile(t, ModelsFile, want)
	for _, must := range []string{"export type State = ", "export interface SourceInfo {", "  settings: SettingInfo[] | null;", "  state: State;"} {
		if !strings.Contains(want, must) {
			t.Errorf("generated types lack %q", must)
		}
	}
}

// The window's copy of the sentence templates is what the generator writes
// from package reason: a sentence added or reworded in Go without
// regenerating fails here (and a German text missing then fails the
// window's catalogue test).
func TestGeneratedReasonsAreCurrent(t *testing.T) {
	want := reason.Source(ReasonsHeader)
	sameAsFile(t, ReasonsFile, want)
	for _, must := range []string{"export const reasonsEn = {", `  "reason.repaired.endedEarly": "the file ended early",`} {
		if !strings.Contains(want, must) {
			t.Errorf("generated templates lack %q", must)
		}
	}
}

// sameAsFile fails at the first line where the generated file differs.
func sameAsFile(t *testing.T, file, want string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatalf("read %s: %v (run `go generate ./backend/service`)", file, err)
	}
	if string(got) == want {
		return
	}
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
			t.Fatalf("%s is not what the Go side says; run `go generate ./backend/service`.\nline %d: file has %q, Go gives %q", file, i+1, g, w)
		}
	}
}

package tstypes

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type color string

type inner struct {
	Note string `json:"note,omitempty"`
}

type outer struct {
	inner
	Name    string           `json:"name"`
	Count   int64            `json:"count"`
	At      time.Time        `json:"at"`
	Tags    []string         `json:"tags"`
	ByColor map[color]int    `json:"by_color"`
	Next    *outer           `json:"next"`
	Any     any              `json:"any,omitempty"`
	Hidden  string           `json:"-"`
	Kids    []map[string]int `json:"kids"`
	private int
}

// Each field is written as encoding/json writes it.
func TestSourceWritesWhatJSONSends(t *testing.T) {
	g := New()
	g.AddEnum(Enum{Type: reflect.TypeFor[color](), Values: []string{"red", "blue"}})
	g.Rename[reflect.TypeFor[outer]()] = "Thing"
	g.Add(outer{})
	src, err := g.Source("// header\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"// header\n",
		`export type color = "red" | "blue";`,
		"export interface Thing {\n  note?: string;\n  name: string;\n  count: number;\n  at: string;\n  tags: string[] | null;\n" +
			"  by_color: Partial<Record<color, number>> | null;\n  next: Thing | null;\n  any?: unknown;\n  kids: (Record<string, number> | null)[] | null;\n}\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("missing %q in:\n%s", want, src)
		}
	}
	if strings.Contains(src, "Hidden") || strings.Contains(src, "private") || strings.Contains(src, "interface inner") {
		t.Errorf("wrote what JSON leaves out:\n%s", src)
	}
}

type report struct{ A int }

// Two Go types that would share a TypeScript name are refused.
func TestSourceRefusesTwoTypesOfOneName(t *testing.T) {
	type holder struct {
		X report `json:"x"`
	}
	g := New()
	g.Rename[reflect.TypeFor[holder]()] = "report"
	g.Add(holder{})
	if _, err := g.Source(""); err == nil || !strings.Contains(err.Error(), "would both be written as report") {
		t.Errorf("err = %v", err)
	}
}

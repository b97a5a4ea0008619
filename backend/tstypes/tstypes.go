// Package tstypes writes TypeScript declarations for the Go types the window
// receives as JSON, so the frontend's types are generated, not copied: a
// field added, renamed or retyped in Go reaches the window's type checker.
package tstypes

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Enum is a named Go string type whose values are listed, written as a
// TypeScript union ("a" | "b").
type Enum struct {
	Type   reflect.Type
	Values []string
	Doc    string
}

// Generator collects the types to write.
type Generator struct {
	// Rename gives a Go type another TypeScript name (two packages' Report).
	Rename map[reflect.Type]string
	enums  map[reflect.Type]Enum
	roots  []reflect.Type
}

// New starts a generator.
func New() *Generator {
	return &Generator{Rename: map[reflect.Type]string{}, enums: map[reflect.Type]Enum{}}
}

// AddEnum declares a string type's values.
func (g *Generator) AddEnum(e Enum) { g.enums[e.Type] = e }

// Add writes v's type and every struct it reaches.
func (g *Generator) Add(vs ...any) {
	for _, v := range vs {
		g.roots = append(g.roots, reflect.TypeOf(v))
	}
}

// Source is the TypeScript file: a header, the enums, then each struct as
// an interface, in name order so the output is stable.
func (g *Generator) Source(header string) (string, error) {
	structs := map[string]reflect.Type{}
	var visit func(t reflect.Type) error
	visit = func(t reflect.Type) error {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			if t.Kind() == reflect.Map {
				if err := visit(t.Key()); err != nil {
					return err
				}
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() {
			return nil
		}
		name := g.name(t)
		if old, ok := structs[name]; ok {
			if old != t {
				return fmt.Errorf("%s and %s would both be written as %s: rename one", old, t, name)
			}
			return nil
		}
		structs[name] = t
		for _, f := range fields(t) {
			if err := visit(f.Type); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range g.roots {
		if err := visit(r); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	b.WriteString(header)
	var enums []Enum
	for _, e := range g.enums {
		enums = append(enums, e)
	}
	sort.Slice(enums, func(i, j int) bool { return g.name(enums[i].Type) < g.name(enums[j].Type) })
	for _, e := range enums {
		if e.Doc != "" {
			fmt.Fprintf(&b, "\n/** %s */\n", e.Doc)
		} else {
			b.WriteString("\n")
		}
		quoted := make([]string, len(e.Values))
		for i, v := range e.Values {
			quoted[i] = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, "export type %s = %s;\n", g.name(e.Type), strings.Join(quoted, " | "))
		fmt.Fprintf(&b, "export const %s_VALUES: readonly %s[] = [%s];\n", strings.ToUpper(g.name(e.Type)), g.name(e.Type), strings.Join(quoted, ", "))
	}
	names := make([]string, 0, len(structs))
	for n := range structs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := structs[n]
		fmt.Fprintf(&b, "\n/** Go: %s.%s */\nexport interface %s {\n", t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:], t.Name(), n)
		for _, f := range fields(t) {
			opt := ""
			if f.omitEmpty {
				opt = "?"
			}
			fmt.Fprintf(&b, "  %s%s: %s;\n", f.json, opt, g.ts(f.Type))
		}
		b.WriteString("}\n")
	}
	return b.String(), nil
}

func (g *Generator) name(t reflect.Type) string {
	if n, ok := g.Rename[t]; ok {
		return n
	}
	return t.Name()
}

// ts is the TypeScript type of a Go type as encoding/json writes it.
func (g *Generator) ts(t reflect.Type) string {
	if _, ok := g.enums[t]; ok {
		return g.name(t)
	}
	if t == reflect.TypeFor[time.Time]() {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Pointer:
		return g.ts(t.Elem()) + " | null"
	case reflect.Slice, reflect.Array:
		el := g.ts(t.Elem())
		if strings.Contains(el, " ") {
			el = "(" + el + ")"
		}
		return el + "[] | null" // a nil slice is written as null
	case reflect.Map:
		k := g.ts(t.Key())
		rec := "Record<" + k + ", " + g.ts(t.Elem()) + ">"
		if _, ok := g.enums[t.Key()]; ok {
			rec = "Partial<" + rec + ">" // only the keys present are written
		}
		return rec + " | null"
	case reflect.Interface:
		return "unknown"
	case reflect.Struct:
		return g.name(t)
	}
	return "unknown"
}

type field struct {
	reflect.StructField
	json      string
	omitEmpty bool
}

// fields lists a struct's JSON fields, embedded structs flattened as
// encoding/json does.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		// An embedded struct's fields are promoted, even when its type is unexported.
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, fields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{StructField: f, json: name, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	return out
}

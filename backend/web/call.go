package web

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
)

var (
	errorType   = reflect.TypeFor[error]()
	contextType = reflect.TypeFor[context.Context]()
)

// method is one of the App's exported methods that can be called over HTTP.
type method struct {
	name     string
	fn       reflect.Value  // bound to the App
	ctx      bool           // the first parameter is a context.Context
	params   []reflect.Type // decoded from JSON, after the context
	variadic bool
	result   bool // returns a value
	err      bool // returns an error last
}

// methodsOf finds the exported methods of app that the browser can call,
// by name. A method qualifies when it returns nothing, (T), (error) or
// (T, error), and its parameters, after an optional leading
// context.Context, can be decoded from JSON. Pass a pointer when the
// methods have pointer receivers.
func methodsOf(app any) map[string]*method {
	out := make(map[string]*method)
	if app == nil {
		return out
	}
	v := reflect.ValueOf(app)
	t := v.Type()
	for i := range t.NumMethod() {
		if m := describe(t.Method(i).Name, v.Method(i)); m != nil {
			out[m.name] = m
		}
	}
	return out
}

func describe(name string, fn reflect.Value) *method {
	ft := fn.Type()
	m := &method{name: name, fn: fn, variadic: ft.IsVariadic()}
	switch ft.NumOut() {
	case 0:
	case 1:
		if ft.Out(0) == errorType {
			m.err = true
		} else {
			m.result = true
		}
	case 2:
		if ft.Out(1) != errorType {
			return nil
		}
		m.result, m.err = true, true
	default:
		return nil
	}
	for i := range ft.NumIn() {
		p := ft.In(i)
		if i == 0 && p == contextType {
			m.ctx = true
			continue
		}
		if !decodable(p) {
			return nil
		}
		m.params = append(m.params, p)
	}
	return m
}

// decodable rules out parameter types JSON cannot fill.
func decodable(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return false
	}
	return t != contextType
}

// badArgs is a request the method cannot be called with (HTTP 400).
type badArgs struct{ msg string }

func (e *badArgs) Error() string { return e.msg }

// args decodes the JSON arguments into the method's parameter types.
func (m *method) args(ctx context.Context, raw []json.RawMessage) ([]reflect.Value, error) {
	n := len(m.params)
	switch {
	case m.variadic && len(raw) < n-1:
		return nil, &badArgs{fmt.Sprintf("%s takes at least %d arguments, got %d", m.name, n-1, len(raw))}
	case !m.variadic && len(raw) != n:
		return nil, &badArgs{fmt.Sprintf("%s takes %d arguments, got %d", m.name, n, len(raw))}
	}
	vals := make([]reflect.Value, 0, len(raw)+1)
	if m.ctx {
		vals = append(vals, reflect.ValueOf(ctx))
	}
	for i, r := range raw {
		t := m.paramType(i)
		p := reflect.New(t)
		if err := json.Unmarshal(r, p.Interface()); err != nil {
			return nil, &badArgs{fmt.Sprintf("argument %d of %s: %v", i+1, m.name, err)}
		}
		vals = append(vals, p.Elem())
	}
	return vals, nil
}

func (m *method) paramType(i int) reflect.Type {
	n := len(m.params)
	if m.variadic && i >= n-1 {
		return m.params[n-1].Elem()
	}
	return m.params[i]
}

// call runs the method; err is the method's own error, for the rider.
func (m *method) call(vals []reflect.Value) (result any, err error) {
	out := m.fn.Call(vals)
	if m.err {
		if e := out[len(out)-1]; !e.IsNil() {
			return nil, e.Interface().(error)
		}
	}
	if m.result {
		return out[0].Interface(), nil
	}
	return nil, nil
}

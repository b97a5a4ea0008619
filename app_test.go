package main

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// The Wails v2 window calls a bound method with exactly the arguments the
// page sends, each decoded from JSON; it cannot supply a context.Context or a
// channel or function. A method that wants one can never be called from the
// desktop window, although the browser transport would manage.
func TestAppMethodsCallableFromWindow(t *testing.T) {
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	typ := reflect.TypeOf(&App{})
	if typ.NumMethod() < 20 {
		t.Fatalf("App has %d exported methods; expected the rider actions", typ.NumMethod())
	}
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ { // 0 is the receiver
			in := m.Type.In(j)
			if in == ctxType || in.Implements(ctxType) {
				t.Errorf("App.%s takes a context.Context: the window cannot pass one", m.Name)
				continue
			}
			// The page sends JSON: a zero value of the type must round-trip.
			v := reflect.New(in)
			raw, err := json.Marshal(v.Elem().Interface())
			if err != nil {
				t.Errorf("App.%s argument %d (%s) cannot be sent as JSON: %v", m.Name, j, in, err)
				continue
			}
			if err := json.Unmarshal(raw, v.Interface()); err != nil {
				t.Errorf("App.%s argument %d (%s) cannot be decoded from JSON: %v", m.Name, j, in, err)
			}
		}
		// Wails returns at most a value and an error, the error last.
		switch n := m.Type.NumOut(); {
		case n > 2:
			t.Errorf("App.%s returns %d values; the window takes at most a value and an error", m.Name, n)
		case n == 2 && m.Type.Out(1) != errType:
			t.Errorf("App.%s: the second result must be an error", m.Name)
		}
	}
}

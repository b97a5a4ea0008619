package source

import (
	"fmt"
	"sort"
	"sync"
)

var (
	mu       sync.RWMutex
	registry = map[string]Descriptor{}
)

// Register announces a platform. Each platform package calls it from init.
func Register(d Descriptor) {
	mu.Lock()
	defer mu.Unlock()
	if d.Name == "" {
		panic("source: descriptor without a name")
	}
	if _, dup := registry[d.Name]; dup {
		panic(fmt.Sprintf("source: %q registered twice", d.Name))
	}
	registry[d.Name] = d
}

// Lookup finds a registered platform by name.
func Lookup(name string) (Descriptor, bool) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := registry[name]
	return d, ok
}

// All lists the registered platforms by name.
func All() []Descriptor {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Descriptor, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

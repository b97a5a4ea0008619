package folder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// conformanceFolder is a folder on disk as the conformance suite drives it.
type conformanceFolder struct {
	t    *testing.T
	name string // "folder" or "zwift"
	dir  string
	mu   sync.Mutex
	n    int
}

func (f *conformanceFolder) Config() source.Config {
	return source.Config{Settings: map[string]string{SettingFolder: f.dir, SettingSettle: "0s"}}
}

// AddRide writes the file (none for a ride without one) and finds the id
// the platform gives it, by path.
func (f *conformanceFolder) AddRide(r sourcetest.Ride) string {
	f.mu.Lock()
	f.n++
	name := fmt.Sprintf("%03d-%s", f.n, sourcetest.FileName(r.File))
	f.mu.Unlock()
	if r.File == nil {
		return name
	}
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, r.File, 0o644); err != nil {
		f.t.Fatal(err)
	}
	settled := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, settled, settled); err != nil {
		f.t.Fatal(err)
	}
	src, err := newSource(f.name, f.Config())
	if err != nil {
		f.t.Fatal(err)
	}
	id := name // not listed: the suite sees it refused
	err = src.List(context.Background(), source.Query{}, func(a source.Activity) error {
		if a.Extra["path"] == p {
			id = a.RemoteID
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestConformance(t *testing.T) {
	for name, accepts := range map[string][]sourcetest.Kind{
		// Any activity file a device or a rider leaves in the folder.
		"folder": {sourcetest.FIT, sourcetest.GzipFIT, sourcetest.TCX, sourcetest.GPX},
		// Zwift saves FIT files only; anything else in its folder is not a ride.
		"zwift": {sourcetest.FIT},
	} {
		t.Run(name, func(t *testing.T) {
			sourcetest.Run(t, sourcetest.Harness{
				Name: name,
				Start: func(t *testing.T) sourcetest.Fake {
					return &conformanceFolder{t: t, name: name, dir: t.TempDir()}
				},
				Accepts: accepts,
			})
		})
	}
}

package igpsport_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// conformanceFake is the iGPSport fake as the conformance suite drives it.
type conformanceFake struct {
	fake  *igpsportfake.Server
	url   string
	token string
	mu    sync.Mutex
	next  int64
}

func (f *conformanceFake) Config() source.Config {
	return source.Config{BaseURL: f.url, Token: "Bearer " + f.token, Settings: map[string]string{source.SettingMinInterval: "0s"}}
}

func (f *conformanceFake) add(id int64, r sourcetest.Ride) string {
	f.fake.AddRide(igpsportfake.Ride{RideID: id, Start: r.Start, Duration: 20 * time.Minute}, r.File)
	if r.File == nil {
		f.fake.RemoveObject(id) // storage has no file for it
	}
	return strconv.FormatInt(id, 10)
}

func (f *conformanceFake) AddRide(r sourcetest.Ride) string {
	f.mu.Lock()
	f.next++
	id := 1000 + f.next
	f.mu.Unlock()
	return f.add(id, r)
}

func (f *conformanceFake) AddRideZero(r sourcetest.Ride) string { return f.add(0, r) }
func (f *conformanceFake) ExpireSession()                       { f.fake.ExpireTokens() }

func TestConformance(t *testing.T) {
	sourcetest.Run(t, sourcetest.Harness{
		Name: "igpsport",
		Start: func(t *testing.T) sourcetest.Fake {
			fk := igpsportfake.New(igpsportfake.Options{})
			u := fk.Start()
			t.Cleanup(fk.Close)
			return &conformanceFake{fake: fk, url: u, token: fk.Token()}
		},
		// Storage serves FIT files, gzipped or not; TCX and GPX are not what iGPSport keeps.
		Accepts:  []sourcetest.Kind{sourcetest.FIT, sourcetest.GzipFIT},
		PageSize: 20,
		// Files come from storage; the gateway lives under /service/.
		IsFile: func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/service/") },
		// The list shows the day in China's zone.
		Day: 24 * time.Hour,
	})
}

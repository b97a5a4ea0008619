package mywhoosh

import (
	"net/http"
	"strings"
	"testing"

	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// conformanceFake is the MyWhoosh fake as the conformance suite drives it.
type conformanceFake struct {
	fake  *mywhooshfake.Server
	url   string
	token string
}

func (f *conformanceFake) Config() source.Config {
	return source.Config{BaseURL: f.url, Token: f.token, Settings: map[string]string{source.SettingMinInterval: "0s"}}
}

func (f *conformanceFake) AddRide(r sourcetest.Ride) string {
	return f.fake.AddRide(mywhooshfake.Ride{Start: r.Start, FIT: r.File, NoFile: r.File == nil}).ID
}

func (f *conformanceFake) ExpireSession() { f.fake.ExpireTokens() }

// DuplicateRow lists the ride a second time, with the same activity and file.
func (f *conformanceFake) DuplicateRow(id string) {
	r, ok := f.fake.Ride(id)
	if !ok {
		panic("no ride " + id)
	}
	f.fake.AddRide(r)
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, sourcetest.Harness{
		Name: Name,
		Start: func(t *testing.T) sourcetest.Fake {
			fk := mywhooshfake.New(mywhooshfake.Options{PageSize: 10})
			u := fk.Start()
			t.Cleanup(fk.Close)
			return &conformanceFake{fake: fk, url: u, token: fk.IssueToken()}
		},
		// MyWhoosh keeps the FIT files its app records.
		Accepts:  []sourcetest.Kind{sourcetest.FIT, sourcetest.GzipFIT},
		PageSize: 10,
		IsFile:   func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/s3/") },
	})
}

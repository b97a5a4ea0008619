package service

import (
	"context"
	"testing"

	"fitbridge/backend/fakes/releasesfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/update"
)

// The notice appears against a feed with a newer release, and never when the
// rider turned it off (setting or environment) or the feed has nothing newer.
func TestUpdateNotice(t *testing.T) {
	old := Version
	Version = "1.0.0"
	t.Cleanup(func() { Version = old })

	tests := []struct {
		name       string
		tag        string
		noCheck    string // FITBRIDGE_NO_UPDATE_CHECK
		settingOff bool
		want       bool
		requests   int
	}{
		{name: "newer release", tag: "v1.1.0", want: true, requests: 1},
		{name: "same release", tag: "v1.0.0", requests: 1},
		{name: "off by environment", tag: "v1.1.0", noCheck: "1"},
		{name: "off in settings", tag: "v1.1.0", settingOff: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := releasesfake.New(update.Repo, tt.tag)
			env := map[string]string{"FITBRIDGE_UPDATE_URL": fake.Start(), "FITBRIDGE_NO_UPDATE_CHECK": tt.noCheck}
			defer fake.Close()
			svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			if tt.settingOff {
				st := svc.Settings()
				st.NoUpdateCheck = true
				if _, err := svc.SaveSettings(st); err != nil {
					t.Fatal(err)
				}
			}
			n := svc.UpdateNotice(context.Background())
			if n.Available != tt.want {
				t.Fatalf("notice %+v, want available=%v", n, tt.want)
			}
			if got := len(fake.Requests()); got != tt.requests {
				t.Fatalf("the feed was asked %d times, want %d", got, tt.requests)
			}
			if tt.requests > 0 && fake.Requests()[0].UserAgent != "FitBridge/1.0.0" {
				t.Fatalf("User-Agent %q", fake.Requests()[0].UserAgent)
			}
		})
	}
}

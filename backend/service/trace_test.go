package service

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/source"
)

// A trace lists a few rides of every online source and downloads one,
// keeping each call's status and reply shape and no secret; a source that
// refuses is named with the call that failed.
func TestTraceListsAndDownloadsEachSource(t *testing.T) {
	now := time.Now().UTC()
	mw := mywhooshfake.New(mywhooshfake.Options{PageSize: 3})
	mw.Seed(12, now.AddDate(0, -6, 0), now.Add(-time.Hour), rand.New(rand.NewSource(1)))
	ig := igpsportfake.New(igpsportfake.Options{Region: "intl"})
	ig.Seed(12, now.AddDate(0, -6, 0), now.Add(-time.Hour), rand.New(rand.NewSource(2)))
	tp := trainingpeaksfake.New(trainingpeaksfake.Options{})
	tp.Seed(12, now.AddDate(0, -6, 0), now.Add(-24*time.Hour), rand.New(rand.NewSource(3)))
	env := map[string]string{}
	for k, f := range map[string]interface {
		Start() string
		Close()
	}{"FITBRIDGE_MYWHOOSH_URL": mw, "FITBRIDGE_IGPSPORT_URL": ig, "FITBRIDGE_TRAININGPEAKS_URL": tp} {
		env[k] = f.Start()
		t.Cleanup(f.Close)
	}
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	secretsSent := map[string]string{"mywhoosh": mw.IssueToken(), "igpsport": ig.Token(), "trainingpeaks": tp.IssueCookie()}
	for name, secret := range secretsSent {
		if _, err := svc.ConnectToken(ctx, name, map[string]string{"igpsport": "intl"}[name], secret); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetAccountSetting(name, source.SettingMinInterval, "0s"); err != nil {
			t.Fatal(err)
		}
	}
	// The download each trace makes, by the path its file comes from.
	download := map[string]string{"mywhoosh": "/s3/ride/", "igpsport": "/oss/", "trainingpeaks": "/rawfiledata/"}

	for _, refused := range []bool{false, true} {
		if refused {
			mw.ExpireTokens()
		}
		path := filepath.Join(t.TempDir(), "trace.txt")
		rep, err := svc.Trace(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Checks) != 3 {
			t.Fatalf("%d checks: %+v", len(rep.Checks), rep.Checks)
		}
		for _, c := range rep.Checks {
			wantOK := !(refused && c.Service == "mywhoosh")
			if c.OK != wantOK {
				t.Fatalf("refused %v: %s ok %v: %s", refused, c.Service, c.OK, c.Note)
			}
			fetched := false
			for _, ex := range c.Exchanges {
				fetched = fetched || (strings.Contains(ex.Path, download[c.Service]) && ex.Status == 200)
			}
			if fetched != wantOK || (wantOK && !strings.Contains(c.Note, "listed 5 rides")) {
				t.Errorf("refused %v: %s downloaded %v, note %q, calls %+v", refused, c.Service, fetched, c.Note, c.Exchanges)
			}
			if !wantOK && (c.Failed == nil || c.Failed.Status != 401 || c.Failed.Path != "/v2/rider/profile/activities" || c.Failed.Shape == nil || !c.NeedsSignIn) {
				t.Errorf("the refused source's failed call %+v", c.Failed)
			}
		}
		if refused && !strings.Contains(string(text), "failed call: POST ") {
			t.Errorf("the trace does not name the failed call:\n%s", text)
		}
		for name, secret := range secretsSent {
			if strings.Contains(string(text), secret) {
				t.Errorf("the trace holds the %s secret", name)
			}
		}
	}
}

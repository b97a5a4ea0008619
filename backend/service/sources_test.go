package service

import (
	"context"
	"testing"

	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/source"
	"fitbridge/backend/source/mywhoosh"
)

// A password sign-in keeps what MyWhoosh told about the account (the
// WhooshId) next to the settings the account already had.
func TestConnectPasswordKeepsLearntSettings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before map[string]string // settings of an earlier connection
	}{
		{name: "first connection"},
		{name: "reconnection", before: map[string]string{source.SettingMinInterval: "0s", mywhoosh.SettingWhooshID: "stale"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mw := mywhooshfake.New(mywhooshfake.Options{NoUserIDInTokens: true})
			env := map[string]string{"FITBRIDGE_MYWHOOSH_URL": mw.Start()}
			t.Cleanup(mw.Close)
			sec := secrets.NewMemory()
			svc, err := Open(Options{Home: t.TempDir(), Secrets: sec, Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close() })
			ctx := context.Background()
			if tc.before != nil {
				if _, err := svc.ConnectToken(ctx, mywhoosh.Name, "", mw.IssueToken()); err != nil {
					t.Fatal(err)
				}
				for k, v := range tc.before {
					if err := svc.SetAccountSetting(mywhoosh.Name, k, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := svc.ConnectPassword(ctx, mywhoosh.Name, "", mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword); err != nil {
				t.Fatal(err)
			}
			acc, err := svc.Store.Account(mywhoosh.Name)
			if err != nil {
				t.Fatal(err)
			}
			got := acc.SettingsMap()
			if got[mywhoosh.SettingWhooshID] != mywhooshfake.DefaultWhooshID {
				t.Errorf("settings %v: the WhooshId was not kept", got)
			}
			for k, v := range tc.before {
				if k != mywhoosh.SettingWhooshID && got[k] != v {
					t.Errorf("settings %v: %s=%q was lost", got, k, v)
				}
			}
			if tok, err := sec.Get(mywhoosh.Name); err != nil || tok == "" {
				t.Errorf("no session kept: %v", err)
			}
			if mw.Stats().Logins != 1 {
				t.Errorf("stats %+v", mw.Stats())
			}
		})
	}
}

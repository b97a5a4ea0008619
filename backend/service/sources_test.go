package service

import (
	"context"
	"strings"
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

// The sign-in check ends with the caller's context: a rider who gave up
// (the CLI's Ctrl-C, a closed window) keeps nothing half-connected.
func TestConnectTokenHonoursTheCallersContext(t *testing.T) {
	mw := mywhooshfake.New(mywhooshfake.Options{})
	env := map[string]string{"FITBRIDGE_MYWHOOSH_URL": mw.Start()}
	t.Cleanup(mw.Close)
	sec := secrets.NewMemory()
	svc, err := Open(Options{Home: t.TempDir(), Secrets: sec, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := svc.ConnectToken(ctx, mywhoosh.Name, "", mw.IssueToken()); err == nil {
		t.Fatal("a cancelled caller still connected the account")
	}
	if _, err := svc.Store.Account(mywhoosh.Name); err == nil {
		t.Error("the account was kept after the caller gave up")
	}
	if _, err := sec.Get(mywhoosh.Name); err == nil {
		t.Error("the session was kept after the caller gave up")
	}
}

// Settings are held to what the platform declares; secret ones go to the
// keyring and reach the platform's config, never the library.
func TestSetSourceSettingsFollowsTheDeclaration(t *testing.T) {
	const fake = "declared-settings-test"
	source.Register(source.Descriptor{
		Name: fake, DisplayName: "Declared", Kind: source.KindCloud,
		Settings: []source.Setting{
			{Key: "athlete", Label: "Coached athlete"},
			{Key: "unit", Label: "Unit", Choices: []source.Region{{ID: "km", Name: "Kilometres"}, {ID: "mi", Name: "Miles"}}},
			{Key: "pin", Label: "PIN", Secret: true},
		},
		New: func(source.Config) (source.Source, error) { return nil, nil },
	})
	sec := secrets.NewMemory()
	svc, err := Open(Options{Home: t.TempDir(), Secrets: sec, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	d, _ := source.Lookup(fake)
	if _, err := svc.SetSourceSettings(fake, map[string]string{"athlete": "1"}); err == nil {
		t.Error("settings of an account not connected were accepted")
	}
	if _, err := svc.ConnectToken(context.Background(), fake, "", "tok"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]string{{"region": "cn"}, {"unit": "furlongs"}} {
		if _, err := svc.SetSourceSettings(fake, bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
	info, err := svc.SetSourceSettings(fake, map[string]string{"athlete": " 42 ", "unit": "mi", "pin": "0000-secret"})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, s := range info.Settings {
		values[s.Key] = s.Value
	}
	if values["athlete"] != "42" || values["unit"] != "mi" || values["pin"] != "" {
		t.Errorf("shown settings %v", values)
	}
	acc, _ := svc.Store.Account(fake)
	if acc.Settings == "" || strings.Contains(acc.Settings, "0000-secret") || strings.Contains(acc.Settings, "pin") {
		t.Errorf("library settings %q", acc.Settings)
	}
	if v, err := sec.Get(fake + "/pin"); err != nil || v != "0000-secret" {
		t.Errorf("keyring pin %q %v", v, err)
	}
	if cfg := svc.sourceConfig(d, "", "tok", acc.SettingsMap()); cfg.Settings["pin"] != "0000-secret" || cfg.Settings["athlete"] != "42" {
		t.Errorf("platform config settings %v", cfg.Settings)
	}
	// Reconnecting opens the platform with the secret but keeps it out of the library.
	if _, err := svc.ConnectToken(context.Background(), fake, "", "tok2"); err != nil {
		t.Fatal(err)
	}
	if acc, _ := svc.Store.Account(fake); strings.Contains(acc.Settings, "0000-secret") {
		t.Errorf("after reconnecting, library settings %q", acc.Settings)
	}
	if err := svc.Disconnect(fake); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Get(fake + "/pin"); err == nil {
		t.Error("the secret setting outlived the account")
	}
}

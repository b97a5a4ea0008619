package service

import (
	"context"
	"testing"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
)

// The distance unit follows the athlete's own measurement_preference in
// Intervals.icu until the rider picks one in Settings.
func TestIntervalsUnitsFollowTheAthletesPreference(t *testing.T) {
	cases := []struct {
		name string
		pref any // nil: the field is absent
		want string
	}{
		{"meters", "meters", "km"},
		{"feet", "feet", "mi"},
		{"imperial", "IMPERIAL", "mi"},
		{"absent", nil, "km"},
		{"unknown value", "cubits", "km"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const key = "units-test-key-51aa"
			ivs := intervalsfake.New(intervalsfake.Options{APIKey: key, AthleteFields: map[string]any{"measurement_preference": c.pref}})
			url := ivs.Start()
			t.Cleanup(ivs.Close)
			env := map[string]string{"FITBRIDGE_INTERVALS_URL": url}
			svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close() })
			st, err := svc.ConnectIntervals(context.Background(), ivs.AthleteID(), key)
			if err != nil {
				t.Fatal(err)
			}
			if st.Units != c.want {
				t.Fatalf("measurement_preference %v: units %q, want %q", c.pref, st.Units, c.want)
			}
			if got := svc.intervalsStatus().Units; got != c.want {
				t.Fatalf("after a restart of the status: units %q, want %q", got, c.want)
			}
		})
	}
}

func TestSettingsKeepUnitsWeekStartAndLanguage(t *testing.T) {
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	def := svc.Settings()
	if def.Units != "" || def.WeekStart != "monday" || def.Language != "" {
		t.Fatalf("defaults: units %q, week %q, language %q", def.Units, def.WeekStart, def.Language)
	}
	want := def
	want.Units, want.WeekStart, want.Language = "mi", "sunday", "de"
	got, err := svc.SaveSettings(want)
	if err != nil {
		t.Fatal(err)
	}
	if got.Units != "mi" || got.WeekStart != "sunday" || got.Language != "de" {
		t.Fatalf("saved %+v", got)
	}
	bad := []struct {
		name string
		edit func(*Settings)
	}{
		{"units", func(s *Settings) { s.Units = "furlongs" }},
		{"week start", func(s *Settings) { s.WeekStart = "wednesday" }},
		{"language", func(s *Settings) { s.Language = "tlh" }},
	}
	for _, b := range bad {
		s := want
		b.edit(&s)
		kept, err := svc.SaveSettings(s)
		if err == nil {
			t.Fatalf("%s: a wrong value was accepted", b.name)
		}
		if kept.Units != "mi" || kept.WeekStart != "sunday" || kept.Language != "de" {
			t.Fatalf("%s: the refused change lost the saved settings: %+v", b.name, kept)
		}
	}
}

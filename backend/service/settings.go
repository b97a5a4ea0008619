package service

import (
	"errors"
	"strconv"

	"fitbridge/backend/capture"
)

// Settings reads the rider's settings, with defaults.
func (s *Service) Settings() Settings {
	st := Settings{ContinuousSync: true, PollMinutes: 30, Theme: "system", StravaMatchesDuplicate: true}
	if v := s.Store.Setting("continuous_sync"); v != "" {
		st.ContinuousSync = v == "true"
	}
	if v, err := strconv.Atoi(s.Store.Setting("poll_minutes")); err == nil && v > 0 {
		st.PollMinutes = v
	}
	if v := s.Store.Setting("theme"); v != "" {
		st.Theme = v
	}
	if v := s.Store.Setting("strava_matches_duplicate"); v != "" {
		st.StravaMatchesDuplicate = v == "true"
	}
	st.WorkoutsSync = s.Store.Setting(SettingWorkoutsSync) == "true"
	st.WizardDone = s.Store.Setting("wizard_done") == "true"
	st.WizardStep = s.Store.Setting("wizard_step")
	st.Units = s.Store.Setting("units")
	st.WeekStart = "monday"
	if v := s.Store.Setting("week_start"); v != "" {
		st.WeekStart = v
	}
	st.Language = s.Store.Setting("language")
	st.NoUpdateCheck = s.Store.Setting("no_update_check") == "true"
	return st
}

// SaveSettings stores the rider's settings.
func (s *Service) SaveSettings(st Settings) (Settings, error) {
	if st.PollMinutes < 5 || st.PollMinutes > 24*60 {
		return s.Settings(), errors.New("the sync interval must be between 5 minutes and a day")
	}
	switch st.Theme {
	case "system", "light", "dark":
	default:
		return s.Settings(), errors.New(`the theme must be "system", "light" or "dark"`)
	}
	switch st.Units {
	case "", "km", "mi":
	default:
		return s.Settings(), errors.New(`units must be "km", "mi" or empty (as in Intervals.icu)`)
	}
	switch st.WeekStart {
	case "":
		st.WeekStart = "monday"
	case "monday", "sunday":
	default:
		return s.Settings(), errors.New(`the week starts on "monday" or "sunday"`)
	}
	switch st.Language {
	case "", "en", "de":
	default:
		return s.Settings(), errors.New(`the language must be "en", "de" or empty (the system's)`)
	}
	set := map[string]string{
		"units":                    st.Units,
		"week_start":               st.WeekStart,
		"language":                 st.Language,
		"continuous_sync":          strconv.FormatBool(st.ContinuousSync),
		"poll_minutes":             strconv.Itoa(st.PollMinutes),
		"theme":                    st.Theme,
		"strava_matches_duplicate": strconv.FormatBool(st.StravaMatchesDuplicate),
		"wizard_done":              strconv.FormatBool(st.WizardDone),
		"wizard_step":              st.WizardStep,
		SettingWorkoutsSync:        strconv.FormatBool(st.WorkoutsSync),
		"no_update_check":          strconv.FormatBool(st.NoUpdateCheck),
	}
	for k, v := range set {
		if err := s.Store.SetSetting(k, v); err != nil {
			return s.Settings(), err
		}
	}
	return s.Settings(), nil
}

// Status is the app's overall state for the window.
func (s *Service) Status() Status {
	st := s.Settings()
	out := Status{
		FirstRun:   !st.WizardDone,
		WizardStep: st.WizardStep,
		Intervals:  s.intervalsStatus(),
		KeyringOK:  s.keyErr == nil,
		DataDir:    s.Home,
		Demo:       s.Demo,
		Version:    Version,
		Backfill:   s.Progress(),
		Settings:   st,
		Notices:    []Notice{},
	}
	if s.keyErr != nil {
		out.KeyringError = s.keyErr.Error()
	}
	if p, err := capture.FindBrowser(); err == nil {
		out.BrowserFound, out.BrowserPath = true, p
	}
	s.mu.Lock()
	out.Notices = append(out.Notices, s.notices...)
	s.mu.Unlock()
	return out
}

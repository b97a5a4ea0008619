package service

import (
	"errors"
	"path/filepath"
	"time"

	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// CrashedRide is a recording a crash left unfinished, offered for recovery.
type CrashedRide struct {
	Source  string  `json:"source"`
	Path    string  `json:"path"`
	Start   string  `json:"start"` // RFC 3339 UTC
	Minutes float64 `json:"minutes"`
	Records int     `json:"records"`
}

// CrashedRides lists the recordings connected folder sources can recover.
func (s *Service) CrashedRides() ([]CrashedRide, error) {
	accs, err := s.Store.Accounts()
	if err != nil {
		return nil, err
	}
	out := []CrashedRide{}
	for _, acc := range accs {
		d, ok := source.Lookup(acc.Name)
		if !ok || d.Unfinished == nil {
			continue
		}
		list, err := d.Unfinished(s.sourceConfig(d, acc.Region, "", acc.SettingsMap()))
		if err != nil {
			s.Log.Warn("look for crashed rides", "source", d.Name, "err", err)
			continue
		}
		for _, u := range list {
			if s.inLibrary(u.Start) {
				continue // recovered already
			}
			out = append(out, CrashedRide{Source: d.Name, Path: u.Path, Start: u.Start.UTC().Format(time.RFC3339),
				Minutes: u.End.Sub(u.Start).Minutes(), Records: u.Records})
		}
	}
	return out, nil
}

// inLibrary reports whether an activity starting at start (to the second,
// any source) is already in the library.
func (s *Service) inLibrary(start time.Time) bool {
	rows, err := s.Store.List(store.Filter{Since: start.Add(-time.Second), Until: start.Add(time.Second)})
	if err != nil {
		return false
	}
	for _, r := range rows {
		if r.Start != nil && r.Start.Sub(start).Abs() <= time.Second {
			return true
		}
	}
	return false
}

// RecoverRide turns a crashed recording into an activity in the library
// (the platform's own folder is left as it is).
func (s *Service) RecoverRide(name, path string) (ActivityView, error) {
	d, ok := source.Lookup(name)
	if !ok || d.Recover == nil {
		return ActivityView{}, errors.New("this source has no crashed rides to recover")
	}
	acc, err := s.Store.Account(name)
	if err != nil {
		return ActivityView{}, errors.New(d.DisplayName + " is not connected")
	}
	p, err := d.Recover(s.sourceConfig(d, acc.Region, "", acc.SettingsMap()), path, filepath.Join(s.Home, "recovered"))
	if err != nil {
		return ActivityView{}, err
	}
	res := s.Import([]string{p})
	return res.Activities[0], nil
}

package service

import (
	"errors"
	"fmt"
	"time"

	"fitbridge/backend/archive"
	"fitbridge/backend/localfile"
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

// RecoverRide turns a crashed recording into an activity in the library.
// It is one case of repairing a damaged FIT file: the recording's bytes go
// into the library as they are, and what goes up is their repaired copy
// (whole messages only, session rebuilt from the records, sizes and
// checksums recomputed). The platform's own folder is only read.
func (s *Service) RecoverRide(name, path string) (ActivityView, error) {
	d, ok := source.Lookup(name)
	if !ok || d.Unfinished == nil {
		return ActivityView{}, errors.New("this source has no crashed rides to recover")
	}
	acc, err := s.Store.Account(name)
	if err != nil {
		return ActivityView{}, errors.New(d.DisplayName + " is not connected")
	}
	// Only a recording the source itself offers is read, never any path.
	list, err := d.Unfinished(s.sourceConfig(d, acc.Region, "", acc.SettingsMap()))
	if err != nil {
		return ActivityView{}, fmt.Errorf("look for the crashed ride: %w", err)
	}
	var found *source.Unfinished
	for i := range list {
		if list[i].Path == path {
			found = &list[i]
		}
	}
	if found == nil {
		return ActivityView{}, fmt.Errorf("%s no longer holds this crashed ride (a newer ride may have replaced it)", d.DisplayName)
	}
	data, err := readRecording(path)
	if err != nil {
		return ActivityView{}, err
	}
	meta := &archive.Meta{Name: fmt.Sprintf("%s ride %s (recovered)", d.DisplayName, found.Start.Local().Format("2006-01-02 15:04"))}
	v := s.importBytesWith(path, "", data, meta) // not read again from the platform's folder: the next ride overwrites it
	s.Events.Emit("library", nil)
	if v.State != store.StateReady && v.Repaired == "" && v.ID == 0 {
		return v, errors.New(v.Reason)
	}
	return v, nil
}

// readRecording reads a crashed recording, bounded like any import.
func readRecording(path string) ([]byte, error) {
	data, err := localfile.ReadFile(path, localfile.MaxActivity)
	if err != nil {
		return nil, fmt.Errorf("read the crashed ride: %v", plainErr(err))
	}
	return data, nil
}

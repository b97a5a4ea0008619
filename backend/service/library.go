package service

import (
	"fmt"
	"time"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/store"
)

// Activities lists the library, newest first.
func (s *Service) Activities(f ActivityFilter) ([]ActivityView, error) {
	filter, err := toFilter(f)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.List(filter)
	if err != nil {
		return nil, err
	}
	out := make([]ActivityView, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.view(r))
	}
	return out, nil
}

func toFilter(f ActivityFilter) (store.Filter, error) {
	var out store.Filter
	var err error
	if out.Since, err = ParseDate(f.Since); err != nil {
		return out, err
	}
	if out.Until, err = ParseDate(f.Until); err != nil {
		return out, err
	}
	out.Sources, out.States = f.Sources, f.States
	return out, nil
}

// ParseDate reads YYYY-MM-DD (empty gives the zero time).
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%q is not a date like 2025-01-31", s)
	}
	return t, nil
}

// ActivityDetail is one activity with its chart and history.
func (s *Service) ActivityDetail(id uint) (ActivityDetail, error) {
	row, err := s.Store.Get(id)
	if err != nil {
		return ActivityDetail{}, err
	}
	d := ActivityDetail{Activity: s.view(*row), History: []StateChange{}, Places: []string{}}
	if places, err := s.Store.Places(row.ID); err == nil {
		d.Places = places
	}
	if row.Hash != "" {
		if data, err := s.Cache.Get(row.Hash); err == nil {
			if st, err := fitfile.ReadStreams(data, 400); err == nil {
				d.Streams = Streams{T: st.T, Power: st.Power, HR: st.HR}
			}
		}
	}
	hist, err := s.Store.History(id)
	if err != nil {
		return d, err
	}
	for _, h := range hist {
		d.History = append(d.History, StateChange{At: h.At.UTC().Format(time.RFC3339), State: h.State, Reason: h.Reason})
	}
	return d, nil
}

func (s *Service) view(r store.Activity) ActivityView {
	v := ActivityView{
		ID: r.ID, Source: r.Source, RemoteID: r.RemoteID, File: r.File, Name: r.Name,
		State: r.State, Reason: r.Reason, Permanent: r.Permanent, Sport: r.Sport,
		ElapsedS: r.ElapsedS, DistanceM: r.DistanceM, AvgPowerW: r.AvgPowerW, AvgHR: r.AvgHR,
		Device: r.Device, IntervalsID: r.IntervalsID, IntervalsURL: s.ActivityURL(r.IntervalsID),
		MatchedVia: r.MatchedVia, Repaired: r.Repaired,
	}
	if r.Start != nil {
		v.Start = r.Start.UTC().Format(time.RFC3339)
	} else if r.StartHint != nil {
		v.Start = r.StartHint.UTC().Format(time.RFC3339)
	}
	if r.NextTry != nil {
		v.NextTry = r.NextTry.UTC().Format(time.RFC3339)
	}
	return v
}

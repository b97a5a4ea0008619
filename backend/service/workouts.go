package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"fitbridge/backend/plan"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
	"fitbridge/backend/workouts"
)

// SettingWorkoutsSync turns on keeping planned workouts current during
// continuous sync ("on"); off by default.
const SettingWorkoutsSync = "workouts_sync"

// WorkoutsRequest says where planned workouts go and how far ahead.
type WorkoutsRequest struct {
	To     []string `json:"to"`   // platform names; empty means every connected one that takes them
	Days   int      `json:"days"` // 0: the default two weeks
	DryRun bool     `json:"dryRun"`
}

// WorkoutTargetInfo is one place planned workouts can go, for Settings.
type WorkoutTargetInfo struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Connected   bool   `json:"connected"`
	// Unavailable says why this platform cannot take workouts yet.
	Unavailable string `json:"unavailable,omitempty"`
}

// WorkoutTargets lists every platform that takes planned workouts, or that
// riders would expect to, with whether it is connected.
func (s *Service) WorkoutTargets() ([]WorkoutTargetInfo, error) {
	accs, err := s.Store.Accounts()
	if err != nil {
		return nil, err
	}
	connected := map[string]bool{}
	for _, a := range accs {
		connected[a.Name] = true
	}
	var out []WorkoutTargetInfo
	for _, d := range source.All() {
		if d.PlannedWorkouts == nil && d.NoPlannedWorkouts == "" {
			continue
		}
		info := WorkoutTargetInfo{Name: d.Name, DisplayName: d.DisplayName, Connected: connected[d.Name]}
		if d.PlannedWorkouts == nil {
			info.Unavailable = d.NoPlannedWorkouts
		}
		out = append(out, info)
	}
	return out, nil
}

// WorkoutTargetNames are the platform names `workouts --to` takes.
func WorkoutTargetNames() []string {
	var out []string
	for _, d := range source.All() {
		if d.PlannedWorkouts != nil || d.NoPlannedWorkouts != "" {
			out = append(out, d.Name)
		}
	}
	return out
}

// DeliverWorkouts brings the next days of planned workouts from the
// Intervals.icu calendar to the chosen places, or to every connected one
// that takes them.
func (s *Service) DeliverWorkouts(ctx context.Context, req WorkoutsRequest) ([]workouts.Result, error) {
	client, loc, err := s.intervalsClient()
	if err != nil {
		return nil, err
	}
	dests, err := s.workoutDestinations(req.To)
	if err != nil {
		return nil, err
	}
	if len(dests) == 0 {
		var takers []string
		for _, d := range source.All() {
			if d.PlannedWorkouts != nil {
				takers = append(takers, d.DisplayName)
			}
		}
		return nil, fmt.Errorf("nothing connected takes planned workouts: connect %s first", strings.Join(takers, " or "))
	}
	return workouts.Run(ctx, client, s.Store, dests, workouts.Options{Today: time.Now().In(loc), Days: req.Days, DryRun: req.DryRun})
}

func (s *Service) workoutDestinations(names []string) ([]workouts.Destination, error) {
	accs, err := s.Store.Accounts()
	if err != nil {
		return nil, err
	}
	byName := map[string]store.Account{}
	for _, a := range accs {
		byName[a.Name] = a
	}
	explicit := len(names) > 0
	if !explicit {
		for _, a := range accs {
			if d, ok := source.Lookup(a.Name); ok && d.PlannedWorkouts != nil {
				names = append(names, a.Name)
			}
		}
	}
	sort.Strings(names)
	var out []workouts.Destination
	for _, n := range names {
		d, ok := source.Lookup(n)
		if !ok || (d.PlannedWorkouts == nil && d.NoPlannedWorkouts == "") {
			return nil, fmt.Errorf("%q does not take planned workouts (these do: %s)", n, strings.Join(WorkoutTargetNames(), ", "))
		}
		dest := workouts.Destination{Name: d.Name, DisplayName: d.DisplayName, Unavailable: d.NoPlannedWorkouts}
		if d.PlannedWorkouts == nil {
			out = append(out, dest)
			continue
		}
		acc, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("%s is not connected: run `%s`", d.DisplayName, ConnectCommand(n))
		}
		token := ""
		if d.Kind == source.KindCloud {
			if token, err = s.secret(n); err != nil {
				if errors.Is(err, ErrNotConnected) {
					return nil, &SignInError{Account: n, Msg: reason.SignInAgain.Text(d.DisplayName)}
				}
				return nil, err
			}
		}
		target, err := d.PlannedWorkouts(s.sourceConfig(d, acc.Region, token, acc.SettingsMap()))
		if err != nil {
			if !explicit {
				s.Log.Warn("planned workouts target unavailable", "target", n, "err", err)
			}
			dest.Unavailable = err.Error()
		} else {
			dest.Target = target
		}
		out = append(out, dest)
	}
	return out, nil
}

// PlannedView is one planned workout on the calendar with where it went.
type PlannedView struct {
	ID         string             `json:"id"`
	Date       string             `json:"date"`
	Name       string             `json:"name"`
	Sport      string             `json:"sport"`
	Deliveries []PlannedDelivered `json:"deliveries"`
}

// PlannedDelivered is a planned workout's state at one place.
type PlannedDelivered struct {
	Target      string   `json:"target"`
	DisplayName string   `json:"displayName"`
	State       string   `json:"state"`
	Reason      string   `json:"reason,omitempty"`
	Changes     []string `json:"changes"`
}

// Planned lists the planned workouts recorded from one day to another
// (YYYY-MM-DD, inclusive), for the calendar's Planned layer.
func (s *Service) Planned(from, to string) ([]PlannedView, error) {
	rows, err := s.Store.PlannedBetween(from, to)
	if err != nil {
		return nil, err
	}
	out := []PlannedView{}
	at := map[string]int{}
	for _, r := range rows {
		if r.State == plan.StateRemoved {
			continue
		}
		i, ok := at[r.WorkoutID]
		if !ok {
			i = len(out)
			at[r.WorkoutID] = i
			out = append(out, PlannedView{ID: r.WorkoutID, Date: r.Date, Name: r.Name, Sport: r.Sport, Deliveries: []PlannedDelivered{}})
		}
		name := r.Target
		if d, ok := source.Lookup(r.Target); ok {
			name = d.DisplayName
		}
		changes := []string{}
		_ = json.Unmarshal([]byte(r.Changes), &changes) // unreadable: shown as none
		out[i].Deliveries = append(out[i].Deliveries, PlannedDelivered{Target: r.Target, DisplayName: name, State: r.State, Reason: r.Reason, Changes: changes})
	}
	return out, nil
}

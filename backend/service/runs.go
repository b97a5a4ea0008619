package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// RunInfo is one recorded run, as `fitbridge runs` and the window list it.
type RunInfo struct {
	ID       uint   `json:"id"`
	Started  string `json:"started"`
	Finished string `json:"finished"`
	Kind     string `json:"kind"` // manual, selection, continuous
	Uploaded int    `json:"uploaded"`
	Already  int    `json:"already"`
	Skipped  int    `json:"skipped"`
	Failed   int    `json:"failed"`
	// Undoable counts its uploads still in Intervals.icu.
	Undoable int    `json:"undoable"`
	Undone   string `json:"undone,omitempty"`
}

// Runs lists every recorded run, newest first.
func (s *Service) Runs() ([]RunInfo, error) {
	runs, err := s.Store.Runs()
	if err != nil {
		return nil, err
	}
	undoable, err := s.Store.UndoableByRun()
	if err != nil {
		return nil, err
	}
	out := make([]RunInfo, 0, len(runs))
	for _, r := range runs {
		ri := RunInfo{ID: r.ID, Started: r.Started.UTC().Format(time.RFC3339), Kind: r.Kind,
			Uploaded: r.Uploaded, Already: r.Already, Skipped: r.Skipped, Failed: r.Failed}
		if r.Finished != nil {
			ri.Finished = r.Finished.UTC().Format(time.RFC3339)
		}
		if r.Undone != nil {
			ri.Undone = r.Undone.UTC().Format(time.RFC3339)
		}
		ri.Undoable = undoable[r.ID]
		out = append(out, ri)
	}
	return out, nil
}

// ErrNoSuchRun is returned for a run id the library does not hold.
var ErrNoSuchRun = errors.New("no such run")

// UndoRun deletes from Intervals.icu what a run created (see backfill.Undo).
// edited confirms deleting activities the rider changed there since.
func (s *Service) UndoRun(ctx context.Context, runID uint, edited bool) (backfill.UndoResult, error) {
	run, err := s.Store.GetRun(runID)
	if errors.Is(err, store.ErrNotFound) {
		return backfill.UndoResult{Failures: []backfill.UndoFailure{}}, fmt.Errorf("%w: %d (`fitbridge runs` lists them)", ErrNoSuchRun, runID)
	}
	if err != nil {
		return backfill.UndoResult{Failures: []backfill.UndoFailure{}}, err
	}
	rows, err := s.Store.RunUploads(run.ID)
	if err != nil {
		return backfill.UndoResult{Failures: []backfill.UndoFailure{}}, err
	}
	res, err := s.undo(ctx, rows, edited)
	if err == nil && res.Failed == 0 {
		now := time.Now().UTC()
		run.Undone = &now
		if serr := s.Store.SaveRun(run); serr != nil {
			return res, serr
		}
	}
	return res, err
}

// UndoActivities deletes single uploads of FitBridge's from Intervals.icu
// (the drawer's "Undo this upload").
func (s *Service) UndoActivities(ctx context.Context, ids []uint, edited bool) (backfill.UndoResult, error) {
	var rows []store.Activity
	for _, id := range ids {
		a, err := s.Store.Get(id)
		if err != nil {
			return backfill.UndoResult{Failures: []backfill.UndoFailure{}}, err
		}
		if a.State == store.StateUploaded && a.IntervalsID != "" {
			rows = append(rows, *a)
		}
	}
	return s.undo(ctx, rows, edited)
}

func (s *Service) undo(ctx context.Context, rows []store.Activity, edited bool) (backfill.UndoResult, error) {
	c, _, err := s.intervalsClient()
	if err != nil {
		return backfill.UndoResult{Failures: []backfill.UndoFailure{}}, err
	}
	s.runLock.Lock()
	res, err := backfill.Undo(ctx, s.Store, c, rows, edited)
	s.runLock.Unlock()
	if errors.Is(err, backfill.ErrIntervalsRefused) {
		_ = s.Store.SetAccountState(intervalsAccount, store.AccountNeedsSignIn, err.Error())
		err = s.signInError([]string{intervalsAccount})
	}
	s.Events.Emit(events.Library, nil)
	return res, err
}

// KeepOut keeps activities out of Intervals.icu for good: no run takes them
// up again unless the rider selects them ("Upload anyway").
func (s *Service) KeepOut(ids []uint) error {
	for _, id := range ids {
		a, err := s.Store.Get(id)
		if err != nil {
			return err
		}
		if a.State == store.StateUploaded || a.State == store.StateAlready {
			continue // in Intervals.icu: undo is the way to take it out
		}
		if err := s.Store.SetState(id, store.Transition{State: store.StateSkipped, Permanent: true,
			Reason: reason.KeptOutChosen.Text()}); err != nil {
			return err
		}
	}
	s.Events.Emit(events.Library, nil)
	return nil
}

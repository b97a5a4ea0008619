package backfill

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// Remover is what undo needs from Intervals.icu; *intervals.Client has it.
type Remover interface {
	GetActivity(ctx context.Context, id string) (intervals.Activity, error)
	DeleteActivity(ctx context.Context, id string) error
}

// UndoResult sums up an undo: deleted from Intervals.icu, kept there (not
// FitBridge's own, or edited by the rider since), failed.
type UndoResult struct {
	Deleted  int           `json:"deleted"`
	Kept     int           `json:"kept"`
	Failed   int           `json:"failed"`
	Failures []UndoFailure `json:"failures"`
}

// UndoFailure is one upload that was not deleted, with why.
type UndoFailure struct {
	ID          uint   `json:"id"`
	IntervalsID string `json:"intervals_id"`
	Name        string `json:"name"`
	Reason      string `json:"reason"`
	// Kept: left in Intervals.icu on purpose (not a failure of the call).
	Kept bool `json:"kept"`
}

// ErrIntervalsRefused: Intervals.icu refused the key during an undo.
var ErrIntervalsRefused = errors.New("Intervals.icu refused the API key")

// Undo deletes from Intervals.icu the given uploads of FitBridge's and marks
// them kept out. It deletes only an activity that carries FitBridge's own
// external_id for that row (never one that was already there), and leaves
// one the rider edited there since (name, type or description changed)
// unless edited confirms it. Deleted rows leave the run, so undoing twice
// deletes nothing the second time.
func Undo(ctx context.Context, st *store.Store, ivl Remover, rows []store.Activity, edited bool) (UndoResult, error) {
	res := UndoResult{Failures: []UndoFailure{}}
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		keep := func(reason string) {
			res.Kept++
			res.Failures = append(res.Failures, UndoFailure{ID: row.ID, IntervalsID: row.IntervalsID, Name: row.Name, Reason: reason, Kept: true})
		}
		fail := func(err error) error {
			var api *intervals.APIError
			if errors.As(err, &api) && api.Auth() {
				return fmt.Errorf("%w: connect Intervals.icu again", ErrIntervalsRefused)
			}
			res.Failed++
			res.Failures = append(res.Failures, UndoFailure{ID: row.ID, IntervalsID: row.IntervalsID, Name: row.Name, Reason: err.Error()})
			return nil
		}
		gone := false
		a, err := ivl.GetActivity(ctx, row.IntervalsID)
		switch {
		case isNotFound(err):
			gone = true // deleted there already: nothing to do but remember
		case err != nil:
			if ferr := fail(err); ferr != nil {
				return res, ferr
			}
			continue
		case a.ExternalID != row.ExternalID:
			keep("not created by FitBridge: it was in Intervals.icu before")
			continue
		case !edited:
			if what := editedSince(row, a); what != "" {
				keep("you changed its " + what + " in Intervals.icu since: confirm to delete it anyway")
				continue
			}
		}
		if !gone {
			if err := ivl.DeleteActivity(ctx, row.IntervalsID); err != nil && !isNotFound(err) {
				if ferr := fail(err); ferr != nil {
					return res, ferr
				}
				continue
			}
		}
		res.Deleted++
		err = st.SetState(row.ID, store.Transition{State: store.StateSkipped, Permanent: true,
			Reason: reason.KeptOutUndone.Text(),
			Set:    store.Changes{IntervalsID: new(""), RunID: new(uint(0)), ClearUploadAt: true}})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// editedSince names what the rider changed on an upload of ours: the
// activity read back no longer carries what FitBridge sent. The API has no
// "modified" time for activities, so the fields FitBridge set are compared.
func editedSince(row store.Activity, a intervals.Activity) string {
	if row.Name != "" && a.Name != row.Name {
		return "name"
	}
	if want := sportOf(row.Sport, row.FileSport); want != "" && a.Type != "" && a.Type != want && a.Type != row.FileSport {
		return "type"
	}
	if a.Description != "" && !ourDescription(row, a.Description) {
		return "description"
	}
	return ""
}

// ourDescription: the description is still the one FitBridge gave the upload
// (uploadDescription: an export's own text, a platform's line).
func ourDescription(row store.Activity, got string) bool {
	d, ok := source.Lookup(row.Source)
	if ok || row.Description != "" {
		return got == uploadDescription(row, d, ok)
	}
	// A platform this FitBridge no longer has: its line, whatever its name.
	return strings.HasPrefix(got, "From ") && strings.HasSuffix(got, fmt.Sprintf("(id %s)%s", row.RemoteID, descriptionTail))
}

func isNotFound(err error) bool {
	var api *intervals.APIError
	return errors.As(err, &api) && api.Status == 404
}

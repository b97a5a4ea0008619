package backfill

import (
	"context"
	"errors"
	"strings"
	"time"

	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// Estimate is what a source holds in a date range before anything is
// downloaded, in the categories a run's totals use: Found = Already +
// ToUpload + Skipped, and Skipped is the sum of its reasons.
type Estimate struct {
	Found    int `json:"found"`
	Already  int `json:"already_in_intervals"`
	ToUpload int `json:"to_upload"`
	Skipped  int `json:"skipped"`
	// Reasons for skipping.
	NoFile      int `json:"no_file"`      // the platform keeps no file for it
	Manual      int `json:"manual_entry"` // typed in by hand, no recording
	NeedsReview int `json:"needs_review"` // probably in Intervals.icu: the rider decides
	KeptOut     int `json:"kept_out"`     // the rider kept it out
	Unusable    int `json:"unusable"`     // unreadable, not an activity, or refused before
	// StravaCopies: of Already, rides Intervals.icu holds only as Strava
	// copies. With StravaUpload they count in ToUpload instead.
	StravaCopies int `json:"strava_copies"`
}

// Discover lists one source into the library without downloading (its
// first listing sets what it held as history).
func (e *Engine) Discover(ctx context.Context, c Connected) error {
	err := e.discover(ctx, c, source.Query{}, &tracker{e: e, req: Request{}})
	if errors.Is(err, source.ErrNeedsSignIn) {
		e.markSignIn(c.Desc.Name, err)
	}
	return err
}

// Preview lists one source into the library and estimates, for the dates in
// q, what a backfill would do: from decided states where known, else from
// the listing's start times against Intervals.icu (files decide for real
// during the run). progress hears "page N, M found" while listing.
func (e *Engine) Preview(ctx context.Context, c Connected, q source.Query, progress func(source string, found, page int)) (Estimate, error) {
	var est Estimate
	prog := &tracker{e: e, req: Request{}, listing: progress}
	if err := e.discover(ctx, c, q, prog); err != nil {
		if errors.Is(err, source.ErrNeedsSignIn) {
			e.markSignIn(c.Desc.Name, err)
		}
		return est, err
	}
	rows, err := e.Store.List(store.Filter{Sources: []string{c.Desc.Name}, Since: q.Since, Until: q.Until})
	if err != nil {
		return est, err
	}
	upload := e.Options.StravaCopies == StravaUpload
	var open []store.Activity
	for _, r := range rows {
		switch r.State {
		case store.StateAlready, store.StateUploaded:
			if r.MatchedVia == StravaVia && r.State == store.StateAlready {
				if upload {
					est.ToUpload++
					continue
				}
				est.StravaCopies++
			}
			est.Already++
		case store.StateNeedsReview:
			est.NeedsReview++
		case store.StateSkipped:
			switch {
			case strings.HasPrefix(r.Reason, store.KeptOutReason):
				est.KeptOut++
			case !r.Permanent:
				est.NeedsReview++ // held for review by an older FitBridge
			case strings.Contains(r.Reason, "manual entry"):
				est.Manual++
			default:
				est.NoFile++
			}
		case store.StateNotAnActivity, store.StateUnreadable:
			est.Unusable++
		case store.StateFailed:
			if r.Permanent {
				est.Unusable++
				continue
			}
			open = append(open, r)
		default:
			open = append(open, r)
		}
	}
	est.Found = len(rows)
	if e.Intervals != nil && len(open) > 0 {
		ix := newWindowIndex(e.Intervals, e.Location, e.log())
		if err := ix.prefetch(ctx, open); err != nil {
			return est, err
		}
		for _, r := range open {
			t := r.Start
			if t == nil && !r.StartHintDateOnly {
				// A day alone (a listing that shows "2025.06.02") is midnight to the
				// clock: it would match whatever started around then.
				t = r.StartHint
			}
			if t == nil || !ix.startsNear(*t, 10*time.Minute) {
				est.ToUpload++
				continue
			}
			if ix.onlyStravaNear(*t, 10*time.Minute) {
				if upload {
					est.ToUpload++
					continue
				}
				est.StravaCopies++
			}
			est.Already++
		}
	} else {
		est.ToUpload += len(open)
	}
	est.Skipped = est.NoFile + est.Manual + est.NeedsReview + est.KeptOut + est.Unusable
	return est, nil
}

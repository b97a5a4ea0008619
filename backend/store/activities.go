package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fitbridge/backend/reason"
)

// Discover records an activity a source listed. An existing row keeps its
// state and history; only what the listing may have corrected (name, start
// hint, download data) is refreshed while the row is unfinished. It returns
// the stored row and whether it is new.
func (s *Store) Discover(a *Activity) (*Activity, bool, error) {
	var out Activity
	created := false
	err := s.db.Transaction(func(tx *gorm.DB) error {
		err := tx.Where("source = ? AND remote_id = ?", a.Source, a.RemoteID).First(&out).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			if a.State == "" {
				a.State = StateDiscovered
			}
			if err := tx.Create(a).Error; err != nil {
				return err
			}
			created = true
			out = *a
			return tx.Create(&StateChange{ActivityID: a.ID, At: now(), State: a.State, Reason: a.Reason}).Error
		}
		if err != nil {
			return err
		}
		if out.State == StateDiscovered {
			upd := map[string]any{"name": a.Name, "start_hint": a.StartHint, "start_hint_date_only": a.StartHintDateOnly, "extra": a.Extra}
			if a.Sport != "" {
				upd["sport"] = a.Sport
			}
			if err := tx.Model(&out).Updates(upd).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("record %s activity %s: %w", a.Source, a.RemoteID, err)
	}
	return &out, created, nil
}

// Known maps each remote id of a source already in the library to its
// state, so a listing writes only what is new (one query, not one per row).
func (s *Store) Known(source string) (map[string]State, error) {
	var rows []struct {
		RemoteID string
		State    State
	}
	if err := s.db.Model(&Activity{}).Select("remote_id, state").Where("source = ?", source).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read known %s activities: %w", source, err)
	}
	out := make(map[string]State, len(rows))
	for _, r := range rows {
		out[r.RemoteID] = r.State
	}
	return out, nil
}

// Get reads one activity.
func (s *Store) Get(id uint) (*Activity, error) {
	var a Activity
	if err := s.db.First(&a, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("activity %d: %w", id, ErrNotFound)
		}
		return nil, err
	}
	return &a, nil
}

// FindBySource finds an activity by its source and remote id.
func (s *Store) FindBySource(source, remoteID string) (*Activity, error) {
	var a Activity
	err := s.db.Where("source = ? AND remote_id = ?", source, remoteID).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Transition is a state change with its reason.
type Transition struct {
	State     State
	Reason    string
	Permanent bool
	NextTry   *time.Time
	// Set are other columns to set in the same write.
	Set Changes
}

// SetState moves an activity to a new state and writes the history line in
// one transaction, so a killed process never leaves one without the other.
func (s *Store) SetState(id uint, t Transition) error {
	upd := map[string]any{"state": t.State, "reason": t.Reason, "permanent": t.Permanent, "next_try": t.NextTry}
	for k, v := range t.Set.columns() {
		upd[k] = v
	}
	err := s.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Activity{ID: id}).Updates(upd).Error; err != nil {
			return err
		}
		return tx.Create(&StateChange{ActivityID: id, At: now(), State: t.State, Reason: t.Reason}).Error
	})
	if err != nil {
		return fmt.Errorf("set activity %d to %s: %w", id, t.State, err)
	}
	return nil
}

// Update sets columns without a state change.
func (s *Store) Update(id uint, c Changes) error {
	cols := c.columns()
	if len(cols) == 0 {
		return nil
	}
	if err := s.db.Model(&Activity{ID: id}).Updates(cols).Error; err != nil {
		return fmt.Errorf("update activity %d: %w", id, err)
	}
	return nil
}

// Filter selects activities. Zero fields mean "all".
type Filter struct {
	Since, Until time.Time // on the start (or the listing's hint before download); Until inclusive of its day
	Sources      []string
	States       []State
	IDs          []uint
	Limit        int
	// NewOnly leaves out history (what a source held when connected) the
	// rider has not chosen: continuous sync's view.
	NewOnly bool
	// MatchedVia keeps what Intervals.icu was found to hold through it
	// ("Strava").
	MatchedVia string
}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	if len(f.Sources) > 0 {
		q = q.Where("source IN ?", f.Sources)
	}
	if len(f.States) > 0 {
		q = q.Where("state IN ?", f.States)
	}
	if len(f.IDs) > 0 {
		q = q.Where("id IN ?", f.IDs)
	}
	if f.NewOnly {
		q = q.Where("history = ?", false)
	}
	if f.MatchedVia != "" {
		q = q.Where("matched_via = ?", f.MatchedVia)
	}
	// Rows without any start (not read yet, no hint) stay in every range:
	// leaving them out would hide work a run still has to do.
	if !f.Since.IsZero() {
		q = q.Where("COALESCE(start, start_hint) IS NULL OR COALESCE(start, start_hint) >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("COALESCE(start, start_hint) IS NULL OR COALESCE(start, start_hint) < ?", f.Until.UTC().AddDate(0, 0, 1))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	return q
}

// List returns the activities the filter selects, newest first.
func (s *Store) List(f Filter) ([]Activity, error) {
	var out []Activity
	q := f.apply(s.db.Model(&Activity{})).Order("COALESCE(start, start_hint) DESC, id DESC")
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	return out, nil
}

// ListOldestFirst is List in upload order.
func (s *Store) ListOldestFirst(f Filter) ([]Activity, error) {
	var out []Activity
	q := f.apply(s.db.Model(&Activity{})).Order("COALESCE(start, start_hint) ASC, id ASC")
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	return out, nil
}

// Count returns how many activities the filter selects.
func (s *Store) Count(f Filter) (int, error) {
	var n int64
	if err := f.apply(s.db.Model(&Activity{})).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count activities: %w", err)
	}
	return int(n), nil
}

// Counts returns how many activities are in each state, per source.
func (s *Store) Counts(f Filter) (map[string]map[State]int, error) {
	type row struct {
		Source string
		State  State
		N      int
	}
	var rows []row
	q := f.apply(s.db.Model(&Activity{})).Select("source, state, COUNT(*) AS n").Group("source, state")
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count activities: %w", err)
	}
	out := map[string]map[State]int{}
	for _, r := range rows {
		if out[r.Source] == nil {
			out[r.Source] = map[State]int{}
		}
		out[r.Source][r.State] = r.N
	}
	return out, nil
}

// History returns an activity's state changes, oldest first.
func (s *Store) History(id uint) ([]StateChange, error) {
	var out []StateChange
	if err := s.db.Where("activity_id = ?", id).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("history of activity %d: %w", id, err)
	}
	return out, nil
}

// DoneWithHash finds another activity with the same file content that is
// already in Intervals.icu (the ledger's rule 1).
func (s *Store) DoneWithHash(hash string, exceptID uint) (*Activity, error) {
	var a Activity
	err := s.db.Where("hash = ? AND id <> ? AND state IN ? AND intervals_id <> ''", hash, exceptID, []State{StateUploaded, StateAlready}).
		Order("id").First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Reset puts activities back to a state a run picks up (retry).
func (s *Store) Reset(ids []uint, state State) error {
	for _, id := range ids {
		if err := s.SetState(id, Transition{State: state, Reason: reason.RetryAsked.Text()}); err != nil {
			return err
		}
	}
	return nil
}

// Upsert-free bulk helper used by imports: create or return the existing row.
func (s *Store) CreateOrGet(a *Activity) (*Activity, bool, error) {
	res := s.db.Clauses(clause.OnConflict{DoNothing: true}).Create(a)
	if res.Error != nil {
		return nil, false, fmt.Errorf("record %s activity %s: %w", a.Source, a.RemoteID, res.Error)
	}
	if res.RowsAffected == 1 {
		if err := s.db.Create(&StateChange{ActivityID: a.ID, At: now(), State: a.State, Reason: a.Reason}).Error; err != nil {
			return nil, false, err
		}
		return a, true, nil
	}
	got, err := s.FindBySource(a.Source, a.RemoteID)
	return got, false, err
}

func now() time.Time { return time.Now().UTC() }

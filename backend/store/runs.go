package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Run kinds: who asked for it.
const (
	RunManual     = "manual"     // a backfill the rider started
	RunSelection  = "selection"  // "Upload selected" / "Upload anyway"
	RunContinuous = "continuous" // continuous sync, on its own
)

// Run is one backfill or continuous-sync pass that could upload: when, who
// asked, and what it decided. Its uploads are the activities whose RunID is
// its ID.
type Run struct {
	ID       uint `gorm:"primaryKey"`
	Kind     string
	Started  time.Time
	Finished *time.Time
	Uploaded int
	Already  int
	Skipped  int
	Failed   int
	// Undone is when the rider undid it (nil: never).
	Undone *time.Time
}

// StartRun records a run as it starts.
func (s *Store) StartRun(kind string) (*Run, error) {
	r := &Run{Kind: kind, Started: now()}
	if err := s.db.Create(r).Error; err != nil {
		return nil, fmt.Errorf("record a %s run: %w", kind, err)
	}
	return r, nil
}

// SaveRun writes a run's totals and times.
func (s *Store) SaveRun(r *Run) error {
	if err := s.db.Save(r).Error; err != nil {
		return fmt.Errorf("record run %d: %w", r.ID, err)
	}
	return nil
}

// DeleteRun forgets a run that did nothing worth listing.
func (s *Store) DeleteRun(id uint) error {
	if err := s.db.Delete(&Run{}, id).Error; err != nil {
		return fmt.Errorf("forget run %d: %w", id, err)
	}
	return nil
}

// Runs lists every run, newest first.
func (s *Store) Runs() ([]Run, error) {
	var out []Run
	if err := s.db.Order("started DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// GetRun reads one run.
func (s *Store) GetRun(id uint) (*Run, error) {
	var r Run
	if err := s.db.First(&r, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("run %d: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	return &r, nil
}

// RunUploads lists the activities a run put in Intervals.icu that are still there.
func (s *Store) RunUploads(runID uint) ([]Activity, error) {
	var out []Activity
	err := s.db.Where("run_id = ? AND state = ? AND intervals_id <> ''", runID, StateUploaded).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list uploads of run %d: %w", runID, err)
	}
	return out, nil
}

// UndoableByRun counts, per run, the uploads an undo would look at (those
// RunUploads lists), in one query for the whole list of runs.
func (s *Store) UndoableByRun() (map[uint]int, error) {
	var rows []struct {
		RunID uint
		N     int
	}
	err := s.db.Model(&Activity{}).Select("run_id, COUNT(*) AS n").
		Where("run_id <> 0 AND state = ? AND intervals_id <> ''", StateUploaded).Group("run_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count uploads per run: %w", err)
	}
	out := make(map[uint]int, len(rows))
	for _, r := range rows {
		out[r.RunID] = r.N
	}
	return out, nil
}

// MarkHistory marks a source's unfinished activities as history: called once,
// when its first listing after connecting sets what it already held.
func (s *Store) MarkHistory(source string) error {
	err := s.db.Model(&Activity{}).Where("source = ? AND state IN ?", source,
		[]State{StateDiscovered, StateReady, StateNeedsReview}).Update("history", true).Error
	if err != nil {
		return fmt.Errorf("mark %s history: %w", source, err)
	}
	return nil
}

package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// PlannedWorkout is one planned workout from the Intervals.icu calendar at
// one place it goes (a target), with where it was delivered and its state.
type PlannedWorkout struct {
	ID        uint   `gorm:"primaryKey"`
	Target    string `gorm:"uniqueIndex:idx_planned_target_workout;not null"`
	WorkoutID string `gorm:"uniqueIndex:idx_planned_target_workout;not null"` // the calendar event's id
	Date      string `gorm:"index"`                                           // YYYY-MM-DD, the rider's day
	Name      string
	Sport     string
	State     string // plan.State*
	Changes   string // JSON list of what was changed to fit the target
	Reason    string // why it failed, or why it cannot be removed
	// Fingerprint is of the workout as delivered: the same one means
	// nothing to write again.
	Fingerprint string
	Ref         string // where it is: a file path, a remote id
	UpdatedAt   time.Time
}

// PlannedWorkouts lists what is recorded for a target, by day.
func (s *Store) PlannedWorkouts(target string) ([]PlannedWorkout, error) {
	var out []PlannedWorkout
	err := s.db.Where("target = ?", target).Order("date, workout_id").Find(&out).Error
	return out, err
}

// PlannedBetween lists every target's planned workouts from one day to
// another (inclusive, YYYY-MM-DD), for the calendar.
func (s *Store) PlannedBetween(from, to string) ([]PlannedWorkout, error) {
	var out []PlannedWorkout
	err := s.db.Where("date >= ? AND date <= ?", from, to).Order("date, workout_id, target").Find(&out).Error
	return out, err
}

// SavePlanned records a planned workout's state at its target, by its
// (target, workout) key.
func (s *Store) SavePlanned(p *PlannedWorkout) error {
	var existing PlannedWorkout
	err := s.db.Where("target = ? AND workout_id = ?", p.Target, p.WorkoutID).First(&existing).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		p.ID = 0
		return s.db.Create(p).Error
	case err != nil:
		return err
	}
	p.ID = existing.ID
	return s.db.Save(p).Error
}

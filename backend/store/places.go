package store

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Place is one more spot the same file was found: a second folder, a second
// import of the same bytes. The activity stays one; its places are listed.
type Place struct {
	ID         uint   `gorm:"primaryKey"`
	ActivityID uint   `gorm:"uniqueIndex:idx_place"`
	Location   string `gorm:"uniqueIndex:idx_place"`
}

// AddPlace remembers where an activity's file was also found; a place
// already known is not added twice.
func (s *Store) AddPlace(activityID uint, where string) error {
	if where == "" {
		return nil
	}
	err := s.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Place{ActivityID: activityID, Location: where}).Error
	if err != nil {
		return fmt.Errorf("remember where activity %d was found: %w", activityID, err)
	}
	return nil
}

// Places lists where an activity's file was found, in the order found.
func (s *Store) Places(activityID uint) ([]string, error) {
	var rows []Place
	if err := s.db.Where("activity_id = ?", activityID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("places of activity %d: %w", activityID, err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Location)
	}
	return out, nil
}

// WithHash finds the first activity, of any source, whose cached file has
// these bytes; nil when there is none.
func (s *Store) WithHash(hash string) (*Activity, error) {
	if hash == "" {
		return nil, nil
	}
	var a Activity
	err := s.db.Where("hash = ?", hash).Order("id").First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for the same file in the library: %w", err)
	}
	return &a, nil
}

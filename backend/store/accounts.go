package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SaveAccount creates or replaces an account.
func (s *Store) SaveAccount(a *Account) error {
	if err := s.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(a).Error; err != nil {
		return fmt.Errorf("save account %s: %w", a.Name, err)
	}
	return nil
}

// Account reads one account; ErrNotFound when it is not connected.
func (s *Store) Account(name string) (*Account, error) {
	var a Account
	err := s.db.First(&a, "name = ?", name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read account %s: %w", name, err)
	}
	return &a, nil
}

// Accounts lists every connected account.
func (s *Store) Accounts() ([]Account, error) {
	var out []Account
	if err := s.db.Order("name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// SetAccountState marks an account connected or needing sign-in.
func (s *Store) SetAccountState(name, state, reason string) error {
	return s.db.Model(&Account{Name: name}).Updates(map[string]any{"state": state, "state_reason": reason}).Error
}

// DeleteAccount forgets an account (its activities stay in the library).
func (s *Store) DeleteAccount(name string) error {
	return s.db.Delete(&Account{Name: name}).Error
}

// AccountSettings decodes an account's settings map.
func (a *Account) SettingsMap() map[string]string {
	m := map[string]string{}
	if a.Settings != "" {
		_ = json.Unmarshal([]byte(a.Settings), &m)
	}
	return m
}

// SetSettingsMap encodes an account's settings map.
func (a *Account) SetSettingsMap(m map[string]string) {
	b, _ := json.Marshal(m)
	a.Settings = string(b)
}

// Setting reads a window setting ("" when unset).
func (s *Store) Setting(key string) string {
	var st Setting
	if err := s.db.First(&st, "key = ?", key).Error; err != nil {
		return ""
	}
	return st.Value
}

// SetSetting writes a window setting.
func (s *Store) SetSetting(key, value string) error {
	return s.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: value}).Error
}

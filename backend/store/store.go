// Package store keeps FitBridge's local library in SQLite: accounts, every
// activity with its sync state and history, and settings. It is the only
// package that touches the database.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the library database.
type Store struct {
	db *gorm.DB
}

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// Open opens (creating if needed) fitbridge.db in dir, in WAL mode, and
// brings its tables up to date.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, "fitbridge.db")
	// busy_timeout lets a second process (the CLI while the window runs) wait
	// instead of failing; WAL keeps readers from blocking the writer.
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// One writer at a time is what SQLite allows anyway; a single connection
	// avoids "database is locked" between our own goroutines. (gorm's
	// prepared-statement cache must stay off with one connection: preparing
	// waits for the connection while its holder waits for the cache.)
	sqlDB.SetMaxOpenConns(1)
	if err := db.AutoMigrate(&Activity{}, &StateChange{}, &Account{}, &Setting{}, &Run{}, &PlannedWorkout{}, &Place{}); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("update library tables: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// DB exposes the handle for queries this package does not wrap (benchmarks, diagnostics).
func (s *Store) DB() *gorm.DB { return s.db }

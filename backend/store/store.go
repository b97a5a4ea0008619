// Package store keeps FitBridge's local library in SQLite: accounts, every
// activity with its sync state and history, and settings. It is the only
// package that touches the database.
package store

import (
	"context"
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
	db  *gorm.DB
	dir string
}

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// DBFile is the library database's name in the data folder.
const DBFile = "fitbridge.db"

// Open opens (creating if needed) fitbridge.db in dir, in WAL mode, and
// brings its tables up to date. A database file that exists but is empty or
// not a database is refused with a *DamagedError, never started over.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dir, err)
	}
	// Whatever the folder was before, it holds accounts and history: this
	// user's only.
	_ = os.Chmod(dir, 0o700)
	path := filepath.Join(dir, DBFile)
	// Processes starting at once (four imports on a new computer) take
	// turns creating the tables, instead of racing to "table already exists".
	setup, err := lockWithin(context.Background(), filepath.Join(dir, setupLockFile), 60*time.Second)
	if err != nil {
		return nil, fmt.Errorf("open library %s: another FitBridge is still opening it: %w", path, err)
	}
	defer func() { _ = unlockFile(setup); setup.Close() }()
	if err := checkFile(path); err != nil {
		return nil, err
	}
	// busy_timeout lets a second process (the CLI while the window runs) wait
	// instead of failing; WAL keeps readers from blocking the writer.
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		return nil, openError(path, err)
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
		return nil, openError(path, fmt.Errorf("update library tables: %w", err))
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Chmod(f, 0o600) // SQLite creates them after the umask
	}
	return &Store{db: db, dir: dir}, nil
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

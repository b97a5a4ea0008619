package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// BackupDir is where the rolling backups live, inside the data folder.
const BackupDir = "backups"

// KeepBackups is how many daily backups are kept.
const KeepBackups = 7

const backupLayout = "2006-01-02T150405Z"

// Backup is one saved copy of the library.
type Backup struct {
	Path  string
	Taken time.Time
	Size  int64
}

// Backups lists the data folder's backups, newest first. It reads no
// database, so it works when fitbridge.db itself is damaged.
func Backups(dir string) ([]Backup, error) {
	ents, err := os.ReadDir(filepath.Join(dir, BackupDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []Backup
	for _, e := range ents {
		name := e.Name()
		stamp, ok := strings.CutPrefix(strings.TrimSuffix(name, ".db"), "fitbridge-")
		if !ok || !strings.HasSuffix(name, ".db") || !e.Type().IsRegular() {
			continue
		}
		t, err := time.Parse(backupLayout, stamp)
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Backup{Path: filepath.Join(dir, BackupDir, name), Taken: t, Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Taken.After(out[j].Taken) })
	return out, nil
}

// BackupIfDue writes a backup when the newest is older than every (a day
// for the app), keeping the newest KeepBackups. It returns the new backup's
// path, "" when none was due.
func (s *Store) BackupIfDue(now time.Time, every time.Duration) (string, error) {
	list, err := Backups(s.dir)
	if err != nil {
		return "", err
	}
	if len(list) > 0 && now.Sub(list[0].Taken) < every {
		return "", nil
	}
	return s.BackupNow(now)
}

// BackupNow copies the library with VACUUM INTO (a consistent copy even
// while it is being written) and drops the oldest beyond KeepBackups.
func (s *Store) BackupNow(now time.Time) (string, error) {
	bdir := filepath.Join(s.dir, BackupDir)
	if err := os.MkdirAll(bdir, 0o700); err != nil {
		return "", fmt.Errorf("create backup folder: %w", err)
	}
	final := filepath.Join(bdir, "fitbridge-"+now.UTC().Format(backupLayout)+".db")
	tmp := final + ".partial"
	_ = os.Remove(tmp)
	if err := s.db.Exec("VACUUM INTO ?", tmp).Error; err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("back up the library: %w", err)
	}
	_ = os.Chmod(tmp, 0o600)
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("back up the library: %w", err)
	}
	list, err := Backups(s.dir)
	if err == nil {
		for _, old := range list[min(len(list), KeepBackups):] {
			_ = os.Remove(old.Path)
		}
	}
	return final, nil
}

// CheckBackup opens a backup read-only and says whether it is a whole
// library, with how many activities it holds.
func CheckBackup(path string) (activities int64, err error) {
	if err := checkFile(path); err != nil {
		return 0, err
	}
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	db, err := gorm.Open(sqlite.Open(path+"?mode=ro&_pragma=query_only(1)"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return 0, openError(path, err)
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	var check string
	if err := db.Raw("PRAGMA quick_check").Scan(&check).Error; err != nil {
		return 0, openError(path, err)
	}
	if check != "ok" {
		return 0, &DamagedError{Path: path, Reason: "is damaged (" + check + ")"}
	}
	if err := db.Raw("SELECT count(*) FROM activities").Scan(&activities).Error; err != nil {
		return 0, fmt.Errorf("%s is not a FitBridge library: %w", path, err)
	}
	return activities, nil
}

// Restore puts a backup in place of dir's fitbridge.db. The caller holds the
// library's lock (no other FitBridge is using it). The file it replaces is
// kept beside it as fitbridge.db.replaced-TIME, never deleted.
func Restore(dir, backup string, now time.Time) (replaced string, err error) {
	if _, err := CheckBackup(backup); err != nil {
		return "", err
	}
	path := filepath.Join(dir, DBFile)
	tmp := path + ".restoring"
	if err := copyFile(backup, tmp); err != nil {
		return "", fmt.Errorf("restore %s: %w", backup, err)
	}
	if _, err := os.Stat(path); err == nil {
		replaced = path + ".replaced-" + now.UTC().Format(backupLayout)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(path + suffix); err == nil {
				if err := os.Rename(path+suffix, replaced+suffix); err != nil {
					_ = os.Remove(tmp)
					return "", fmt.Errorf("move the current library aside: %w", err)
				}
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return replaced, fmt.Errorf("restore %s: %w", backup, err)
	}
	return replaced, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	return out.Close()
}

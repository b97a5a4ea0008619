package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// DamagedError means fitbridge.db exists but cannot be used: FitBridge stops
// rather than start an empty library over the rider's history.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the library %s %s. FitBridge will not start a new, empty library on top of it. "+
		"Run `fitbridge restore` to see the backups and bring one back, "+
		"or move the file elsewhere to start a new library (your connected accounts would have to be connected again)",
		e.Path, e.Reason)
}

var sqliteHeader = []byte("SQLite format 3\x00")

// checkFile refuses a database file that is there but empty or not SQLite.
// A missing file is fine: it is a new library.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open library %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open library %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return &DamagedError{Path: path, Reason: "is not a file"}
	}
	if st.Size() == 0 {
		return &DamagedError{Path: path, Reason: "is empty (0 bytes): it was cut short or overwritten"}
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return &DamagedError{Path: path, Reason: "is damaged: it is not a database any more"}
	}
	return nil
}

// openError turns SQLite's words for a damaged file into a DamagedError.
func openError(path string, err error) error {
	msg := err.Error()
	for _, sign := range []string{"file is not a database", "database disk image is malformed", "SQLITE_CORRUPT", "SQLITE_NOTADB"} {
		if strings.Contains(msg, sign) {
			return &DamagedError{Path: path, Reason: "is damaged (" + sign + ")"}
		}
	}
	return fmt.Errorf("open library %s: %w", path, err)
}

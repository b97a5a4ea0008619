package main

import (
	"os"
	"strconv"
	"sync"
	"time"
)

var paintedOnce sync.Once

// Painted is called by the page once its first screen shows the library's
// data. With FITBRIDGE_PAINT_MARK set (the start-up benchmark) the moment is
// written to that file, as Unix seconds; otherwise it does nothing.
func (a *App) Painted() {
	path := os.Getenv("FITBRIDGE_PAINT_MARK")
	if path == "" {
		return
	}
	paintedOnce.Do(func() {
		now := float64(time.Now().UnixNano()) / 1e9
		_ = os.WriteFile(path, []byte(strconv.FormatFloat(now, 'f', 3, 64)+"\n"), 0o600)
	})
}

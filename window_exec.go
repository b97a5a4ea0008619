//go:build !desktop && unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// windowProgram is the desktop window, installed beside this program. The
// command line, `serve` and `watch` are built without the GUI libraries, so
// they never load them: on Linux those are some 170 shared libraries and
// about 50 MB of every process's memory, for a window they do not open.
const windowProgram = "fitbridge-window"

// runWindow hands this process over to the desktop window, arguments and
// environment as they are.
func runWindow() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	win := filepath.Join(filepath.Dir(exe), windowProgram)
	if _, err := os.Stat(win); err != nil {
		return errors.New("the desktop window is not installed with this FitBridge: run `fitbridge serve` to use it in your browser")
	}
	return syscall.Exec(win, append([]string{win}, os.Args[1:]...), os.Environ())
}

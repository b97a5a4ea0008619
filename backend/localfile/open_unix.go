//go:build unix

package localfile

import (
	"os"
	"syscall"
)

// openNonblocking opens read-only with O_NONBLOCK: opening a FIFO then
// returns at once instead of waiting for a writer. Regular files ignore
// the flag.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

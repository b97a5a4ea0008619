// Package localfile opens files the rider points FitBridge at (imports,
// watched folders, export archives) so that nothing they name can hang or
// exhaust the app: only regular files are read, the check never blocks (a
// FIFO with no writer would), and every read and every decompression has a
// fixed byte budget.
package localfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"fitbridge/backend/reason"
)

// MaxActivity is the budget for one activity file, read or unpacked. Real
// rides, even day-long ones with every sensor, are a few tens of MB; the
// budget keeps a stray disk image or a decompression bomb from claiming
// the computer's memory.
const MaxActivity = 64 << 20

// NotRegularError says why a path is not read: it names a folder, a device,
// a pipe or a socket rather than a file.
type NotRegularError struct {
	Path string
	Kind string // "a folder", "a device", "a pipe (FIFO)", "a socket", "not a regular file"
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a file FitBridge can read", e.Path, e.Kind)
}

// TooLargeError says a file or its unpacked content is over its budget.
type TooLargeError struct {
	Limit int64
	// Unpacked is true when the content grew past the limit while being
	// decompressed.
	Unpacked bool
}

func (e *TooLargeError) Error() string {
	if e.Unpacked {
		return reason.TooLargeUnpacked.Text(Size(e.Limit))
	}
	return reason.TooLarge.Text(Size(e.Limit))
}

// Size is n bytes in words.
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// kindOf names what a non-regular file is, "" for a regular file.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	}
	return "not a regular file"
}

// Check says whether path (after symlinks) is a regular file, without
// opening it.
func Check(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if k := kindOf(st.Mode()); k != "" {
		return st, &NotRegularError{Path: path, Kind: k}
	}
	return st, nil
}

// Open opens path for reading only if it is a regular file. It is opened
// without blocking (a FIFO swapped in after a check would otherwise wait
// for a writer forever) and checked again on the open descriptor, so a
// file replaced between the two looks is still caught.
func Open(path string) (*os.File, fs.FileInfo, error) {
	if _, err := Check(path); err != nil {
		return nil, nil, err
	}
	f, err := openNonblocking(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if k := kindOf(st.Mode()); k != "" {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Kind: k}
	}
	return f, st, nil
}

// ReadFile reads a regular file of at most limit bytes. A file whose size
// says it is over the limit is refused before reading; one that grows while
// read is cut off at the limit and refused.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return ReadAll(f, limit, st.Size())
}

// ReadAll reads r to its end, refusing more than limit bytes. sizeHint,
// when known, sizes the buffer once instead of letting it double.
func ReadAll(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	if sizeHint < 0 || sizeHint > limit {
		sizeHint = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint+bytes.MinRead))
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return buf.Bytes(), nil
}

// Gunzip unpacks a gzip stream (every member) to at most limit bytes; a
// bomb is stopped as soon as it passes the limit, having used no more than
// that.
func Gunzip(r io.Reader, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := ReadAll(zr, limit, 0)
	var tl *TooLargeError
	if errors.As(err, &tl) {
		tl.Unpacked = true
	}
	return out, err
}

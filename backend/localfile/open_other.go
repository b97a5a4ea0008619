//go:build !unix

package localfile

import "os"

// openNonblocking: Windows has no FIFOs in the file system; named pipes live
// under \\.\pipe\ and Stat already refuses them as not regular.
func openNonblocking(path string) (*os.File, error) { return os.Open(path) }

//go:build !linux

package capture

// killLeftovers has nothing to do here: on Windows and macOS the helpers end
// with the main browser process.
func killLeftovers(string) {}

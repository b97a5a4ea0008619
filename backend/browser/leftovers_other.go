//go:build !linux

package browser

// killLeftovers has nothing to do here: on Windows and macOS the helpers end
// with the main browser process.
func killLeftovers(string) {}

//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package secrets

// sessionBusMissing is nil where the keyring is not reached over D-Bus.
func sessionBusMissing() error { return nil }

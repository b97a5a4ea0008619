//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"errors"
	"fmt"
	"os"
)

// sessionBusMissing reports the absence of a D-Bus session bus before
// go-keyring is called: without one, godbus would run dbus-launch and leave
// a stray bus behind whose Secret Service nobody can unlock.
func sessionBusMissing() error {
	return busMissing(os.Getenv, fmt.Sprintf("/run/user/%d", os.Getuid()), fileExists)
}

// busMissing looks where godbus looks: the environment, then the per-user
// runtime directory that systemd and similar session managers create.
func busMissing(getenv func(string) string, runtimeDir string, exists func(string) bool) error {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	if exists(runtimeDir+"/bus") || exists(runtimeDir+"/dbus-session") {
		return nil
	}
	return errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is empty and " + runtimeDir + "/bus does not exist")
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

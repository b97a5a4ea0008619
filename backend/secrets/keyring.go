package secrets

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// ServiceName is the keyring service every FitBridge secret is filed under.
const ServiceName = "FitBridge"

// DefaultTimeout bounds one keyring operation. A locked keyring may wait for
// the rider to type a password in the desktop's prompt, so it is generous;
// without it a keyring that never answers would hang FitBridge for good.
const DefaultTimeout = 45 * time.Second

// unavailableMessage says what to install; lockedMessage what to unlock.
// Both are for the rider, on their own system, and say that FitBridge keeps
// no key in a plain file instead.
var (
	unavailableMessage = missingKeyringMessage(runtime.GOOS)
	lockedMessage      = lockedKeyringMessage(runtime.GOOS)
)

func missingKeyringMessage(goos string) string {
	const why = "FitBridge keeps your sign-ins only in the system keyring, never in a plain file, and "
	switch goos {
	case "darwin":
		return why + "the macOS keychain did not answer: open Keychain Access, make sure the login keychain exists and is unlocked, then start FitBridge again."
	case "windows":
		return why + "Windows Credential Manager did not answer: make sure the Credential Manager service is running, then start FitBridge again."
	}
	return why + "this desktop has no Secret Service running. Install gnome-keyring (Debian and Ubuntu: sudo apt install gnome-keyring; " +
		"Fedora: sudo dnf install gnome-keyring), or turn on KeePassXC's Secret Service integration, then log out and back in and start FitBridge again."
}

func lockedKeyringMessage(goos string) string {
	const why = "FitBridge keeps your sign-ins only in the system keyring, never in a plain file, and "
	switch goos {
	case "darwin":
		return why + "your login keychain is locked: unlock it in Keychain Access (or allow FitBridge when macOS asks), then start FitBridge again."
	case "windows":
		return why + "Credential Manager refused access: sign in to Windows with your password, then start FitBridge again."
	}
	return why + "your keyring is locked: unlock the Login keyring in Passwords and Keys (Seahorse), or in KeePassXC if it provides the Secret Service, " +
		"and accept FitBridge's request when the unlock prompt appears, then start FitBridge again."
}

// ErrUnavailable says there is no usable system keyring. Its message is
// written for the rider; errors.Is(err, ErrUnavailable) holds for every
// *UnavailableError.
var ErrUnavailable = errors.New(unavailableMessage)

// UnavailableError is the keyring being unusable. Error() is the plain
// message for the rider; Cause is the technical reason, for the log.
type UnavailableError struct {
	Cause error
	// Locked: a keyring exists but is locked (or its unlock prompt was
	// dismissed or left waiting), so the rider must unlock, not install.
	Locked bool
}

func (e *UnavailableError) Error() string {
	if e.Locked {
		return lockedMessage
	}
	return unavailableMessage
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the technical cause.
func (e *UnavailableError) Unwrap() error { return e.Cause }

// Keyring is the Store over the operating system's keyring: the Secret
// Service on Linux, the keychain on macOS, Credential Manager on Windows.
type Keyring struct {
	// Service is the name secrets are filed under; ServiceName when empty.
	// Tests use another one so they never touch a rider's real entries.
	Service string
	// Timeout bounds each operation; DefaultTimeout when zero.
	Timeout time.Duration
}

// NewKeyring returns the Keyring for FitBridge's own service name.
func NewKeyring() *Keyring { return &Keyring{Service: ServiceName} }

func (k *Keyring) service() string {
	if k.Service == "" {
		return ServiceName
	}
	return k.Service
}

// Get implements Store.
func (k *Keyring) Get(account string) (string, error) {
	if err := checkAccount(account); err != nil {
		return "", err
	}
	var v string
	err := k.do(account, func() error {
		var err error
		v, err = keyring.Get(k.service(), account)
		return err
	})
	if err != nil {
		return "", err
	}
	return v, nil
}

// Set implements Store.
func (k *Keyring) Set(account, secret string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return k.do(account, func() error { return keyring.Set(k.service(), account, secret) })
}

// Delete implements Store.
func (k *Keyring) Delete(account string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return k.do(account, func() error { return keyring.Delete(k.service(), account) })
}

// probeAccount is a name no platform uses.
const probeAccount = "fitbridge:probe"

// Probe checks at start-up that the keyring works end to end: it stores,
// reads back and deletes a throwaway entry. It returns nil or an error for
// the rider (an *UnavailableError when there is no usable keyring).
func (k *Keyring) Probe() error {
	want := "probe-" + rand.Text()
	if err := k.Set(probeAccount, want); err != nil {
		return err
	}
	got, getErr := k.Get(probeAccount)
	delErr := k.Delete(probeAccount) // even when Get failed, so no entry is left behind
	switch {
	case getErr != nil:
		return getErr
	case delErr != nil:
		return delErr
	case got != want:
		return &UnavailableError{Cause: errors.New("the keyring returned a different value than it was given")}
	}
	return nil
}

// serial lets one keyring operation run at a time: parallel calls against a
// locked keyring would each raise their own unlock prompt.
var serial = make(chan struct{}, 1)

// do runs one keyring operation with the bus check, the time limit and the
// error mapping every operation shares.
func (k *Keyring) do(account string, op func() error) error {
	if err := sessionBusMissing(); err != nil {
		return &UnavailableError{Cause: err}
	}
	return k.run(account, op)
}

func (k *Keyring) run(account string, op func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	late := &UnavailableError{Locked: true, Cause: fmt.Errorf("the keyring did not answer within %s (is it locked, waiting for a password?)", timeout)}
	select {
	case serial <- struct{}{}:
	case <-timer.C:
		return late
	}
	done := make(chan error, 1)
	go func() {
		// The call cannot be cancelled: after a timeout it runs on, and
		// holds the turn, until the keyring answers.
		defer func() { <-serial }()
		done <- op()
	}()
	select {
	case err := <-done:
		return classify(account, err)
	case <-timer.C:
		return late
	}
}

// classify maps go-keyring's and D-Bus's errors onto this package's.
func classify(account string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return notFound(account)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%s: the key is too long for the system keyring: %w", account, err)
	case unavailable(err):
		return &UnavailableError{Cause: err, Locked: locked(err)}
	}
	return fmt.Errorf("%s: system keyring: %w", account, err)
}

// unavailableDBusNames are the D-Bus error names that mean no usable Secret
// Service: none installed, none running, not answering, or no default
// collection to keep secrets in.
var unavailableDBusNames = []string{
	"org.freedesktop.DBus.Error.ServiceUnknown",
	"org.freedesktop.DBus.Error.NameHasNoOwner",
	"org.freedesktop.DBus.Error.NoReply",
	"org.freedesktop.DBus.Error.NoServer",
	"org.freedesktop.DBus.Error.Disconnected",
	"org.freedesktop.DBus.Error.Timeout",
	"org.freedesktop.DBus.Error.TimedOut",
	"org.freedesktop.DBus.Error.UnknownObject",
	"org.freedesktop.DBus.Error.UnknownMethod",
	"org.freedesktop.DBus.Error.Spawn.", // a prefix: every activation failure
	"org.freedesktop.Secret.Error.IsLocked",
	"org.freedesktop.Secret.Error.NoSession",
}

// locked tells a locked keyring (unlock it) from a missing one (install one).
func locked(err error) bool {
	var dv dbus.Error
	var dp *dbus.Error
	switch {
	case errors.As(err, &dv) && dv.Name == "org.freedesktop.Secret.Error.IsLocked":
		return true
	case errors.As(err, &dp) && dp != nil && dp.Name == "org.freedesktop.Secret.Error.IsLocked":
		return true
	}
	return strings.Contains(strings.ToLower(err.Error()), "failed to unlock correct collection")
}

// unavailableMessages are substrings of errors that carry no D-Bus name.
var unavailableMessages = []string{
	"org.freedesktop.secrets was not provided", // ServiceUnknown, when the name is lost on the way
	"failed to unlock correct collection",      // go-keyring: the unlock prompt was dismissed
	"cannot autolaunch d-bus",
	"x11 initialization failed",
}

func unavailable(err error) bool {
	var named string
	var dv dbus.Error
	var dp *dbus.Error
	switch {
	case errors.As(err, &dv):
		named = dv.Name
	case errors.As(err, &dp) && dp != nil:
		named = dp.Name
	}
	if named != "" {
		for _, n := range unavailableDBusNames {
			if named == n || (strings.HasSuffix(n, ".") && strings.HasPrefix(named, n)) {
				return true
			}
		}
	}
	var opErr *net.OpError
	var execErr *exec.Error
	if errors.As(err, &opErr) || errors.As(err, &execErr) ||
		errors.Is(err, dbus.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
		return true
	}
	msg := strings.ToLower(err.Error())
	// godbus reports its connection and authentication failures with plain
	// errors that all start this way.
	if strings.HasPrefix(msg, "dbus: ") {
		return true
	}
	for _, m := range unavailableMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

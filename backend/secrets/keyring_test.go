package secrets

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// testService keeps the tests' entries apart from a rider's real ones when
// they run on a desktop.
const testService = "FitBridge-test"

// requireBus skips a test that needs the real Secret Service when there is
// no session bus, unless FITBRIDGE_REQUIRE_KEYRING=1 (as in CI) makes that a
// failure. It never starts a bus.
func requireBus(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	const why = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is empty): the keyring tests need a real, unlocked Secret Service; " +
		"run them as CI does: dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; make test'"
	if os.Getenv("FITBRIDGE_REQUIRE_KEYRING") == "1" {
		t.Fatal(why + " (FITBRIDGE_REQUIRE_KEYRING=1 forbids skipping)")
	}
	t.Skip(why)
}

// testStore runs the Store contract against s.
func testStore(t *testing.T, s Store) {
	t.Helper()
	p := "test-" + strings.ToLower(rand.Text()[:8]) + ":"
	a, b, regional := p+"intervals", p+"igpsport", p+"igpsport:cn"
	t.Cleanup(func() {
		for _, acct := range []string{a, b, regional} {
			_ = s.Delete(acct)
		}
	})
	type step struct {
		op      string // get, set, del
		account string
		value   string
		want    string
		wantErr error
	}
	steps := []step{
		{op: "get", account: a, wantErr: ErrNotFound},
		{op: "del", account: a, wantErr: ErrNotFound},
		{op: "set", account: a, value: "key-1"},
		{op: "get", account: a, want: "key-1"},
		{op: "set", account: a, value: "key-2"}, // replaces
		{op: "get", account: a, want: "key-2"},
		{op: "set", account: b, value: "ünïcode ✓ token with spaces"},
		{op: "set", account: regional, value: "cn-token"},
		{op: "get", account: b, want: "ünïcode ✓ token with spaces"},
		{op: "get", account: regional, want: "cn-token"},
		{op: "del", account: b},
		{op: "get", account: b, wantErr: keyring.ErrNotFound}, // ErrNotFound wraps go-keyring's
		{op: "get", account: regional, want: "cn-token"},
		{op: "get", account: a, want: "key-2"},
		{op: "get", account: "", wantErr: errAny},
		{op: "set", account: "bad\naccount", value: "x", wantErr: errAny},
	}
	for i, st := range steps {
		var got string
		var err error
		switch st.op {
		case "get":
			got, err = s.Get(st.account)
		case "set":
			err = s.Set(st.account, st.value)
		case "del":
			err = s.Delete(st.account)
		}
		label := fmt.Sprintf("step %d: %s %q", i, st.op, st.account)
		switch {
		case st.wantErr == errAny:
			if err == nil {
				t.Errorf("%s: no error, want one", label)
			}
		case st.wantErr != nil:
			if !errors.Is(err, st.wantErr) {
				t.Errorf("%s: error %v, want %v", label, err, st.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", label, err)
		case got != st.want:
			t.Errorf("%s = %q, want %q", label, got, st.want)
		}
	}
}

var errAny = errors.New("any error")

func TestMemoryStore(t *testing.T) {
	testStore(t, NewMemory())
	var zero Memory
	testStore(t, &zero)
}

func TestKeyringStore(t *testing.T) {
	requireBus(t)
	testStore(t, &Keyring{Service: testService, Timeout: 20 * time.Second})
}

func TestKeyringProbe(t *testing.T) {
	requireBus(t)
	k := &Keyring{Service: testService, Timeout: 20 * time.Second}
	if err := k.Probe(); err != nil {
		var u *UnavailableError
		if errors.As(err, &u) {
			t.Fatalf("Probe: %v (cause: %v)", err, u.Cause)
		}
		t.Fatalf("Probe: %v", err)
	}
	// Probe leaves nothing behind.
	if _, err := k.Get(probeAccount); !errors.Is(err, ErrNotFound) {
		t.Fatalf("probe entry left behind: %v", err)
	}
}

func TestRedactingStore(t *testing.T) {
	r := NewRedactor()
	mem := NewMemory()
	if err := mem.Set("mywhoosh", "stored-before-start"); err != nil {
		t.Fatal(err)
	}
	s := Redacting(mem, r)
	steps := []struct {
		do     func() error
		secret string
		known  bool
	}{
		{do: func() error { _, err := s.Get("mywhoosh"); return err }, secret: "stored-before-start", known: true},
		{do: func() error { return s.Set("intervals", "fresh-api-key") }, secret: "fresh-api-key", known: true},
		{do: func() error { return s.Delete("intervals") }, secret: "fresh-api-key", known: false},
		{do: func() error { _, err := s.Get("missing"); return err }, secret: "stored-before-start", known: true},
	}
	for i, st := range steps {
		err := st.do()
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("step %d: %v", i, err)
		}
		if known := r.String(st.secret) == Redacted; known != st.known {
			t.Errorf("step %d: %q known = %v, want %v", i, st.secret, known, st.known)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		unavailable bool
		locked      bool // the rider must unlock, not install
		notFound    bool
	}{
		{name: "nil", err: nil},
		{name: "not found", err: keyring.ErrNotFound, notFound: true},
		{name: "no secret service", err: dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
			Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, unavailable: true},
		{name: "no secret service, pointer", err: &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, unavailable: true},
		{name: "activation failed", err: dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited", Body: []any{"Process org.freedesktop.secrets exited with status 1"}}, unavailable: true},
		{name: "no default collection", err: dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, unavailable: true},
		{name: "locked", err: dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, unavailable: true, locked: true},
		{name: "locked, pointer", err: &dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, unavailable: true, locked: true},
		{name: "message only", err: errors.New("The name org.freedesktop.secrets was not provided by any .service files"), unavailable: true},
		{name: "no bus address", err: errors.New("dbus: couldn't determine address of session bus"), unavailable: true},
		{name: "auth failed", err: errors.New("dbus: authentication failed"), unavailable: true},
		{name: "socket missing", err: &net.OpError{Op: "dial", Net: "unix", Err: syscall.ENOENT}, unavailable: true},
		{name: "refused", err: fmt.Errorf("x: %w", syscall.ECONNREFUSED), unavailable: true},
		{name: "bus went away", err: io.EOF, unavailable: true},
		{name: "prompt dismissed", err: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), unavailable: true, locked: true},
		{name: "dbus-launch missing", err: &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, unavailable: true},
		{name: "other dbus error", err: dbus.Error{Name: "org.freedesktop.DBus.Error.InvalidArgs", Body: []any{"bad"}}},
		{name: "too big", err: keyring.ErrSetDataTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify("intervals", tt.err)
			if (got == nil) != (tt.err == nil) {
				t.Fatalf("classify(%v) = %v", tt.err, got)
			}
			if errors.Is(got, ErrUnavailable) != tt.unavailable {
				t.Errorf("classify(%v) = %v: unavailable %v, want %v", tt.err, got, !tt.unavailable, tt.unavailable)
			}
			if errors.Is(got, ErrNotFound) != tt.notFound {
				t.Errorf("classify(%v) = %v: not found %v, want %v", tt.err, got, !tt.notFound, tt.notFound)
			}
			if tt.unavailable {
				want := unavailableMessage
				if tt.locked {
					want = lockedMessage
				}
				if got.Error() != want {
					t.Errorf("message %q, want %q", got.Error(), want)
				}
				var u *UnavailableError
				if !errors.As(got, &u) || !reflect.DeepEqual(u.Cause, tt.err) {
					t.Errorf("cause not kept: %#v", got)
				}
			}
		})
	}
}

func TestKeyringTimeoutAndTurns(t *testing.T) {
	k := &Keyring{Timeout: 50 * time.Millisecond}
	release, started := make(chan struct{}), make(chan struct{})
	hung := make(chan error, 1)
	go func() {
		hung <- k.run("intervals", func() error { close(started); <-release; return nil })
	}()
	<-started

	// A second call waits for its turn, then gives up; it never runs.
	ran := make(chan struct{}, 1)
	err := k.run("mywhoosh", func() error { ran <- struct{}{}; return nil })
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(errors.Unwrap(err).Error(), "did not answer") {
		t.Errorf("second call: %v (%v)", err, errors.Unwrap(err))
	}
	if err := <-hung; !errors.Is(err, ErrUnavailable) {
		t.Errorf("hung call: %v, want unavailable", err)
	}
	close(release)
	// Once the keyring answers, the next call gets its turn.
	if err := (&Keyring{Timeout: time.Second}).run("intervals", func() error { return nil }); err != nil {
		t.Fatalf("after release: %v", err)
	}
	select {
	case <-ran:
		t.Fatal("the call that timed out ran later anyway")
	default:
	}
}

// On a bare Linux desktop the rider reads what to install; on a locked one
// what to unlock; neither offers a plain-file fallback.
func TestKeyringMessagesNameTheFix(t *testing.T) {
	tests := []struct {
		goos    string
		missing []string
		locked  []string
	}{
		{"linux", []string{"Secret Service", "gnome-keyring", "apt install gnome-keyring", "KeePassXC"}, []string{"locked", "Login keyring", "Seahorse"}},
		{"darwin", []string{"Keychain Access"}, []string{"locked", "Keychain Access"}},
		{"windows", []string{"Credential Manager"}, []string{"Credential Manager"}},
	}
	for _, tt := range tests {
		m, l := missingKeyringMessage(tt.goos), lockedKeyringMessage(tt.goos)
		for _, w := range tt.missing {
			if !strings.Contains(m, w) {
				t.Errorf("%s, no keyring: %q lacks %q", tt.goos, m, w)
			}
		}
		for _, w := range tt.locked {
			if !strings.Contains(l, w) {
				t.Errorf("%s, locked: %q lacks %q", tt.goos, l, w)
			}
		}
		for _, msg := range []string{m, l} {
			if !strings.Contains(msg, "never in a plain file") {
				t.Errorf("%s: %q does not say there is no plain-file fallback", tt.goos, msg)
			}
		}
	}
	if m, l := missingKeyringMessage("linux"), lockedKeyringMessage("linux"); strings.Contains(l, "apt install") || strings.Contains(m, "is locked") {
		t.Errorf("the messages are mixed up:\n%s\n%s", m, l)
	}
}

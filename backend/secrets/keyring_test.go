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
		notFound    bool
	}{
		{name: "nil", err: nil},
		{name: "not found", err: keyring.ErrNotFound, notFound: true},
		{name: "no secret service", err: dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
			Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, unavailable: true},
		{name: "no secret service, pointer", err: &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, unavailable: true},
		{name: "activation failed", err: dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited", Body: []any{"Process org.freedesktop.secrets exited with status 1"}}, unavailable: true},
		{name: "no default collection", err: dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, unavailable: true},
		{name: "locked", err: dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, unavailable: true},
		{name: "message only", err: errors.New("The name org.freedesktop.secrets was not provided by any .service files"), unavailable: true},
		{name: "no bus address", err: errors.New("dbus: couldn't determine address of session bus"), unavailable: true},
		{name: "auth failed", err: errors.New("dbus: authentication failed"), unavailable: true},
		{name: "socket missing", err: &net.OpError{Op: "dial", Net: "unix", Err: syscall.ENOENT}, unavailable: true},
		{name: "refused", err: fmt.Errorf("x: %w", syscall.ECONNREFUSED), unavailable: true},
		{name: "bus went away", err: io.EOF, unavailable: true},
		{name: "prompt dismissed", err: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), unavailable: true},
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
				if got.Error() != unavailableMessage {
					t.Errorf("message %q, want the plain one", got.Error())
				}
				var u *UnavailableError
				if !errors.As(got, &u) || !reflect.DeepEqual(u.Cause, tt.err) {
					t.Errorf("cause not kept: %#v", got)
				}
			}
		})
	}
}

func TestBusMissing(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		files   []string
		missing bool
	}{
		{name: "address set", env: "unix:path=/run/user/1000/bus"},
		{name: "nothing", missing: true},
		{name: "autolaunch only", env: "autolaunch:", missing: true},
		{name: "runtime bus socket", files: []string{"/run/user/7/bus"}},
		{name: "runtime session file", files: []string{"/run/user/7/dbus-session"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "DBUS_SESSION_BUS_ADDRESS" {
					return tt.env
				}
				return ""
			}
			exists := func(p string) bool {
				for _, f := range tt.files {
					if f == p {
						return true
					}
				}
				return false
			}
			if err := busMissing(getenv, "/run/user/7", exists); (err != nil) != tt.missing {
				t.Fatalf("busMissing = %v, want missing %v", err, tt.missing)
			}
		})
	}
}

// TestUnavailableWithoutBus runs a keyring probe in a child process whose
// session bus cannot be reached, through the real go-keyring and godbus
// code, and checks the rider gets the plain message.
func TestUnavailableWithoutBus(t *testing.T) {
	if os.Getenv("FITBRIDGE_SECRETS_CHILD") == "1" {
		err := (&Keyring{Service: testService, Timeout: 10 * time.Second}).Probe()
		var u *UnavailableError
		if !errors.As(err, &u) {
			fmt.Printf("FAIL: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("MESSAGE=%s\nCAUSE=%v\n", err.Error(), u.Cause)
		os.Exit(0)
	}
	tests := []struct {
		name string
		bus  *string // nil: variable removed
	}{
		{name: "unreachable socket", bus: ptr("unix:path=/nonexistent/fitbridge-test/bus")},
		{name: "no variable", bus: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bus == nil && fileExists(fmt.Sprintf("/run/user/%d/bus", os.Getuid())) {
				t.Skip("this machine has a per-user bus that godbus finds without the variable")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestUnavailableWithoutBus$", "-test.count=1")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
					env = append(env, kv)
				}
			}
			env = append(env, "FITBRIDGE_SECRETS_CHILD=1")
			if tt.bus != nil {
				env = append(env, "DBUS_SESSION_BUS_ADDRESS="+*tt.bus)
			}
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "MESSAGE="+unavailableMessage+"\n") {
				t.Fatalf("child output lacks the plain message:\n%s", out)
			}
			t.Logf("%s", out)
		})
	}
}

func ptr[T any](v T) *T { return &v }

//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

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

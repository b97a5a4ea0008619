package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFirstLaunchLockedKeyring starts the built app on a desktop whose
// Secret Service is there but locked, with no unlock prompt that could
// appear (as on a session that logged in without the keyring's password),
// and reads what the window is told: the keyring is unusable, and the rider
// is to unlock the Login keyring, not to install anything. It runs the app
// in a session bus of its own with a throwaway keyring, never the rider's,
// so it runs with the installation tests (`make test-install`).
func TestFirstLaunchLockedKeyring(t *testing.T) {
	bin := os.Getenv("FITBRIDGE_APP_BIN")
	if bin == "" {
		t.Skip("set FITBRIDGE_APP_BIN to the built app (make test-install does)")
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "gdbus"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	// Unlock once (which creates the Login keyring), lock it, start the app.
	const session = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "[objectpath '/org/freedesktop/secrets/collection/login']" >/dev/null &&
exec "$0" serve --addr 127.0.0.1:0`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", session, bin)
	env := []string{"FITBRIDGE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(), "FITBRIDGE_NO_UPDATE_CHECK=1", "DISPLAY="}
	for _, kv := range os.Environ() {
		k := kv[:strings.IndexByte(kv, '=')]
		if !strings.HasPrefix(k, "FITBRIDGE_") && !strings.HasPrefix(k, "DBUS_") && k != "XDG_DATA_HOME" && k != "DISPLAY" {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the app in its own session: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`FitBridge is running at (http://\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				return
			}
		}
	}()
	var url string
	select {
	case url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("the app printed no address within 60 s")
	}

	// The page's own way in: the key travels in the address's fragment and
	// goes back as a header, never as a cookie.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := neturl.ParseQuery(u.Fragment)
	req, _ := http.NewRequest(http.MethodPost, u.Scheme+"://"+u.Host+"/api/call/Status", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+frag.Get("token"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Result struct {
			KeyringOK    bool   `json:"keyring_ok"`
			KeyringError string `json:"keyring_error"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("Status: %d, %v", resp.StatusCode, err)
	}
	st := body.Result
	t.Logf("the window is told: %s", st.KeyringError)
	if st.KeyringOK {
		t.Fatal("a locked keyring was reported usable")
	}
	for _, want := range []string{"locked", "unlock the Login keyring", "never in a plain file"} {
		if !strings.Contains(st.KeyringError, want) {
			t.Errorf("the window is told %q; it lacks %q", st.KeyringError, want)
		}
	}
	if strings.Contains(st.KeyringError, "apt install") {
		t.Errorf("a locked keyring is described as missing: %q", st.KeyringError)
	}
}

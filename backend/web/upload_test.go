package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fitbridge/backend/localfile"
)

func TestUploadInParts(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "incoming")
	f := start(t, Options{UploadDir: parent})
	resp, body := f.do(t, req{method: "POST", path: "/api/upload", bearer: testToken})
	if resp.StatusCode != 200 {
		t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	var started struct {
		Result struct {
			ID   string
			Part int
		}
	}
	if err := json.Unmarshal([]byte(body), &started); err != nil || started.Result.ID == "" || started.Result.Part != maxPart {
		t.Fatalf("start answered %s", body)
	}
	id := started.Result.ID
	// 10 MB in parts: more than one call may carry.
	content := bytes.Repeat([]byte("0123456789"), 1<<20)
	for off := 0; off < len(content); off += maxPart {
		end := min(off+maxPart, len(content))
		resp, body := f.do(t, req{method: "POST", path: "/api/upload/" + id + "?offset=" + itoa(off), body: string(content[off:end]), bearer: testToken})
		if resp.StatusCode != 200 {
			t.Fatalf("part at %d: %d %s", off, resp.StatusCode, body)
		}
	}
	cases := []struct {
		name string
		r    req
		want int
	}{
		{"without the token", req{method: "POST", path: "/api/upload/" + id + "?offset=" + itoa(len(content)), body: "x"}, http.StatusUnauthorized},
		{"out of order", req{method: "POST", path: "/api/upload/" + id + "?offset=5", body: "x", bearer: testToken}, http.StatusConflict},
		{"unknown upload", req{method: "POST", path: "/api/upload/" + strings.Repeat("a", 32) + "?offset=0", body: "x", bearer: testToken}, http.StatusNotFound},
		{"a path for an id", req{method: "POST", path: "/api/upload/..%2f..%2fetc?offset=0", body: "x", bearer: testToken}, http.StatusBadRequest},
		{"part too large", req{method: "POST", path: "/api/upload/" + id + "?offset=" + itoa(len(content)), body: strings.Repeat("x", maxPart+1), bearer: testToken}, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if resp, body := f.do(t, c.r); resp.StatusCode != c.want {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, c.want)
			}
		})
	}
	p, err := f.s.UploadPath(id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("assembled %d bytes (%v), want %d", len(got), err, len(content))
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("upload file mode %v", st.Mode())
	}
	if filepath.Dir(filepath.Dir(p)) != parent {
		t.Errorf("upload kept at %s, not under %s", p, parent)
	}
	f.s.DiscardUpload(id)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("discarded upload still there: %v", err)
	}
	if _, err := f.s.UploadPath(id); err == nil {
		t.Fatal("a discarded upload still has a path")
	}
	_ = f.s.Close()
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Fatalf("uploads left behind after Close: %v", ents)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// An export archive may go past an activity file's 64 MiB: a ZIP is read
// where it lands. Anything else is refused at the part that crosses it.
func TestUploadBeyondTheActivityBudgetOnlyForAZip(t *testing.T) {
	f := start(t, Options{UploadDir: filepath.Join(t.TempDir(), "incoming")})
	send := func(head string) (int, string) {
		t.Helper()
		_, body := f.do(t, req{method: "POST", path: "/api/upload", bearer: testToken})
		var started struct{ Result struct{ ID string } }
		if err := json.Unmarshal([]byte(body), &started); err != nil || started.Result.ID == "" {
			t.Fatalf("start answered %s", body)
		}
		part := []byte(strings.Repeat("x", maxPart))
		copy(part, head)
		for off := 0; off < localfile.MaxActivity+maxPart; off += maxPart {
			resp, body := f.do(t, req{method: "POST", path: "/api/upload/" + started.Result.ID + "?offset=" + itoa(off), body: string(part), bearer: testToken})
			if resp.StatusCode != 200 {
				return off, body
			}
			copy(part, "xxxx") // only the first part starts the file
		}
		return -1, ""
	}
	if at, body := send("PK\x03\x04"); at >= 0 {
		t.Fatalf("a ZIP was refused at %d bytes: %s", at, body)
	}
	at, body := send("0123")
	if at != localfile.MaxActivity || !strings.Contains(body, "larger than 64 MiB") {
		t.Fatalf("a file that is no ZIP: refused at %d (%s), want at %d saying it is larger than 64 MiB", at, body, localfile.MaxActivity)
	}
}

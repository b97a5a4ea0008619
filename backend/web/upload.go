package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/localfile"
)

// Files chosen in the browser come up in parts, each a request of its own
// under the size a call may have, into a temporary file here; the window
// then imports them by id. Any number of files of any size (up to the
// activity budget each) get through, with progress between parts.

// maxPart bounds one part of an upload.
const maxPart = 4 << 20

// maxUploads bounds the files waiting to be imported at once: an unpacked
// export folder of many years comes up as one import.
const maxUploads = 65536

// maxArchive bounds a ZIP sent up (a Strava or Garmin export is read where
// it lands, member by member, so only the disk holds it).
const maxArchive = 64 << 30

var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

type uploads struct {
	mu     sync.Mutex
	parent string // where dir is made; the temporary folder when empty
	dir    string
	files  map[string]int64 // id -> bytes received
}

func (u *uploads) path(id string) string { return filepath.Join(u.dir, id) }

// ensureDir makes the private folder the parts go into, on first use.
func (u *uploads) ensureDir() error {
	if u.dir != "" {
		return nil
	}
	if u.parent != "" {
		if err := os.MkdirAll(u.parent, 0o700); err != nil {
			return err
		}
		// Parts left by a run that ended without closing: only one serve
		// writes a library at a time, so none of them is in use.
		old, _ := filepath.Glob(filepath.Join(u.parent, "uploads-*"))
		for _, d := range old {
			_ = os.RemoveAll(d)
		}
	}
	dir, err := os.MkdirTemp(u.parent, "uploads-")
	if err != nil {
		return err
	}
	u.dir = dir
	return nil
}

func (u *uploads) removeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.dir != "" {
		_ = os.RemoveAll(u.dir)
	}
	u.files = nil
}

// startUpload answers POST /api/upload with a new upload's id.
func (s *Server) startUpload(w http.ResponseWriter, r *http.Request) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.files) >= maxUploads {
		writeError(w, http.StatusTooManyRequests, "too many files waiting to be imported: import those first")
		return
	}
	if err := u.ensureDir(); err != nil {
		s.log.Error("upload folder", "err", err)
		writeError(w, http.StatusInternalServerError, "FitBridge could not make room for the file")
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	f, err := os.OpenFile(u.path(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		s.log.Error("upload file", "err", err)
		writeError(w, http.StatusInternalServerError, "FitBridge could not make room for the file")
		return
	}
	f.Close()
	if u.files == nil {
		u.files = map[string]int64{}
	}
	u.files[id] = 0
	writeResult(w, map[string]any{"id": id, "part": maxPart, "limit": localfile.MaxActivity, "archive_limit": maxArchive})
}

// uploadPart answers POST /api/upload/{id}?offset=N: the bytes from N on.
// A part sent again (the browser retrying) is accepted when it starts where
// the file ends; any other offset is refused, so a file is never assembled
// out of order.
func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	offset, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	if !uploadID.MatchString(id) || err != nil || offset < 0 {
		writeError(w, http.StatusBadRequest, "a part needs its upload id and ?offset=")
		return
	}
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock() // parts of different files wait their turn: the disk is the limit anyway
	have, ok := u.files[id]
	if !ok {
		writeError(w, http.StatusNotFound, "no such upload: start the file again")
		return
	}
	if offset != have {
		writeError(w, http.StatusConflict, fmt.Sprintf("this file has %d bytes so far, not %d", have, offset))
		return
	}
	f, err := os.OpenFile(u.path(id), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such upload: start the file again")
		return
	}
	limit := uploadLimit(u.path(id), have)
	room := limit - have
	n, err := io.Copy(f, io.LimitReader(http.MaxBytesReader(w, r.Body, maxPart), room+1))
	cerr := f.Close()
	if err == nil {
		err = cerr
	}
	if err == nil && n > room {
		err = &localfile.TooLargeError{Limit: limit}
	}
	if err != nil {
		// A part that did not arrive whole is cut off again, so the browser
		// can resend it from the same offset.
		_ = os.Truncate(u.path(id), have)
		var tl *localfile.TooLargeError
		var mb *http.MaxBytesError
		switch {
		case errors.As(err, &tl):
			writeError(w, http.StatusRequestEntityTooLarge, tl.Error())
		case errors.As(err, &mb):
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a part may be at most %d bytes", maxPart))
		default:
			writeError(w, http.StatusBadRequest, "the part did not arrive whole: send it again")
		}
		return
	}
	u.files[id] = have + n
	writeResult(w, map[string]any{"size": have + n})
}

// uploadLimit is how large the upload at p, with have bytes so far, may
// grow: an activity file's budget, or an archive's once it starts like a ZIP
// (a first part is always within both).
func uploadLimit(p string, have int64) int64 {
	const head = 4
	if have < head {
		return localfile.MaxActivity
	}
	f, err := os.Open(p)
	if err != nil {
		return localfile.MaxActivity
	}
	defer f.Close()
	b := make([]byte, head)
	if _, err := io.ReadFull(f, b); err != nil || !fitfile.IsZip(b) {
		return localfile.MaxActivity
	}
	return maxArchive
}

// UploadPath is where an upload's bytes are, for importing them.
func (s *Server) UploadPath(id string) (string, error) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.files[id]; !ok || !uploadID.MatchString(id) {
		return "", errors.New("this file did not finish uploading: add it again")
	}
	return u.path(id), nil
}

// DiscardUpload removes an upload once imported (its bytes are in the
// library's own cache by then, when they were an activity).
func (s *Server) DiscardUpload(id string) {
	u := &s.uploads
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.files[id]; ok {
		delete(u.files, id)
		_ = os.Remove(u.path(id))
	}
}

func writeResult(w http.ResponseWriter, v any) {
	out, _ := json.Marshal(map[string]any{"result": v})
	writeJSON(w, http.StatusOK, out)
}

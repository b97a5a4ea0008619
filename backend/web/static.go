package web

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
)

// static serves the built frontend. Paths without a file extension that
// match no file get index.html, so the window's own routes survive a
// reload; a missing file with an extension is a real 404, never HTML in
// place of a script.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the window's files are read with GET", http.StatusMethodNotAllowed)
		return
	}
	if s.assets == nil {
		http.NotFound(w, r)
		return
	}
	name := path.Clean("/" + r.URL.Path)[1:]
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(s.assets, name); err == nil && st.IsDir() {
		name = path.Join(name, "index.html")
	}
	if _, err := fs.Stat(s.assets, name); errors.Is(err, fs.ErrNotExist) {
		if path.Ext(name) != "" && path.Base(name) != "index.html" {
			http.NotFound(w, r)
			return
		}
		name = "index.html"
	}
	s.serveFile(w, r, name)
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, err := s.assets.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if path.Base(name) == "index.html" {
		// The shell names the hashed bundles; it must be fetched fresh.
		w.Header().Set("Cache-Control", "no-cache")
	}
	var content io.ReadSeeker
	if rs, ok := f.(io.ReadSeeker); ok {
		content = rs
	} else {
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "could not read "+name, http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(b)
	}
	http.ServeContent(w, r, name, st.ModTime(), content)
}

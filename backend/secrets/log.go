package secrets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
)

// maxPending bounds what Writer holds while it waits for the end of a line.
const maxPending = 64 << 10

// Writer returns a writer that redacts everything written through it before
// it reaches w. It works a line at a time, so a secret split across two
// writes is still seen whole; text after the last newline waits for the
// next write. The returned writer also has Flush() error, which writes out
// (redacted) any unfinished line: call it before w is closed. Safe for
// concurrent use.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return &lineWriter{w: w, r: r}
}

type lineWriter struct {
	mu      sync.Mutex
	w       io.Writer
	r       *Redactor
	pending []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.pending = append(lw.pending, p...)
	cut := bytes.LastIndexByte(lw.pending, '\n') + 1
	if cut == 0 && len(lw.pending) > maxPending {
		// A line this long without an end is not a log line; cut it at a
		// blank, which no secret or credential value contains, or else
		// give up waiting.
		cut = bytes.LastIndexAny(lw.pending, " \t") + 1
		if cut == 0 {
			cut = len(lw.pending)
		}
	}
	if cut == 0 {
		return len(p), nil
	}
	err := lw.emit(lw.pending[:cut])
	lw.pending = append(lw.pending[:0], lw.pending[cut:]...)
	return len(p), err
}

// Flush writes out the unfinished line, redacted.
func (lw *lineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.pending) == 0 {
		return nil
	}
	err := lw.emit(lw.pending)
	lw.pending = lw.pending[:0]
	return err
}

func (lw *lineWriter) emit(b []byte) error {
	_, err := io.WriteString(lw.w, lw.r.String(string(b)))
	return err
}

// NewLogger returns a text logger writing to w at the given level whose
// every message and attribute value passes through r first.
func NewLogger(w io.Writer, level slog.Level, r *Redactor) *slog.Logger {
	return slog.New(r.Handler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
}

// Handler wraps h so that messages and attribute values (strings, errors,
// URLs, Stringers, anything else once formatted, inside groups too) are
// redacted before h sees them. Values under keys that name a credential
// ("token", "password", "cookie"...) are replaced whatever they are.
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	return &redactHandler{inner: h, r: r}
}

type redactHandler struct {
	inner slog.Handler
	r     *Redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactHandler{inner: h.inner.WithAttrs(red), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{inner: h.inner.WithGroup(name), r: h.r}
}

// sensitiveKeys are attribute keys whose values are credentials by name.
var sensitiveKeys = map[string]bool{
	"password": true, "passwd": true, "token": true, "access_token": true,
	"refresh_token": true, "id_token": true, "secret": true, "apikey": true,
	"api_key": true, "authorization": true, "cookie": true, "set-cookie": true,
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		group := v.Group()
		red := make([]slog.Attr, len(group))
		for i, g := range group {
			red[i] = h.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(red...)}
	}
	if sensitiveKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, Redacted)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindAny:
		return slog.String(a.Key, h.any(v.Any()))
	}
	// Numbers, booleans, times and durations carry no secret.
	return slog.Attr{Key: a.Key, Value: v}
}

func (h *redactHandler) any(x any) string {
	switch x := x.(type) {
	case nil:
		return "<nil>"
	case *url.URL:
		if x == nil {
			return "<nil>"
		}
		return h.r.URL(x.String())
	case url.URL:
		return h.r.URL(x.String())
	case []byte:
		return h.r.String(string(x))
	case error, fmt.Stringer:
		// fmt survives a method on a nil pointer; a direct call would not.
		return h.r.String(fmt.Sprint(x))
	}
	// Anything else is formatted here, where it can be redacted, rather
	// than by the inner handler, where it could not.
	return h.r.String(fmt.Sprintf("%+v", x))
}

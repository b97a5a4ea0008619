package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const (
	apiKey   = "4x7qk2m9zt3w8v1n5b6c"                                     // an Intervals.icu-like API key
	password = `p@ss w+rd/"<tag>"&more`                                   // a password full of characters that get escaped
	jwt      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXBhcnQ" // header.payload.signature
)

func knownRedactor() *Redactor {
	r := NewRedactor()
	r.Add(apiKey, password)
	return r
}

func TestRedactorKnownSecrets(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("API_KEY:" + apiKey))
	tests := []struct {
		name, in string
		gone     []string // must not survive
		want     string   // exact output, when given
	}{
		{name: "raw", in: "loaded key " + apiKey + " ok", want: "loaded key [redacted] ok"},
		{name: "twice on a line", in: apiKey + "/" + apiKey, want: "[redacted]/[redacted]"},
		{name: "basic form without its scheme", in: "creds " + basic, gone: []string{basic, strings.TrimRight(basic, "=")}},
		{name: "base64 of the key alone", in: "x " + base64.RawURLEncoding.EncodeToString([]byte(apiKey)), want: "x [redacted]"},
		{name: "query escaped", in: "p=" + url.QueryEscape(password), want: "p=[redacted]"},
		{name: "path escaped", in: "/u/" + url.PathEscape(password) + "/x", want: "/u/[redacted]/x"},
		{name: "json escaped", in: `{"pw":` + mustJSON(password) + `}`, want: `{"pw":"[redacted]"}`},
		{name: "go quoted", in: fmt.Sprintf("pw=%q", password), want: `pw="[redacted]"`},
		{name: "unrelated text stays", in: "uploaded 3 activities, page=2&limit=50", want: "uploaded 3 activities, page=2&limit=50"},
	}
	r := knownRedactor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.String(tt.in)
			if tt.want != "" && got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, s := range append(tt.gone, apiKey, password) {
				if strings.Contains(got, s) {
					t.Errorf("String(%q) = %q still holds %q", tt.in, got, s)
				}
			}
			if again := r.String(got); again != got {
				t.Errorf("not stable: %q then %q", got, again)
			}
		})
	}
}

func mustJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRedactorAddRemove(t *testing.T) {
	tests := []struct {
		name   string
		add    []string
		remove []string
		in     string
		want   string
	}{
		{name: "added", add: []string{"sekrit-1"}, in: "a sekrit-1 b", want: "a [redacted] b"},
		{name: "removed", add: []string{"sekrit-1"}, remove: []string{"sekrit-1"}, in: "a sekrit-1 b", want: "a sekrit-1 b"},
		{name: "remove keeps the others", add: []string{"sekrit-1", "sekrit-2"}, remove: []string{"sekrit-1"}, in: "sekrit-1 sekrit-2", want: "sekrit-1 [redacted]"},
		{name: "too short to be a secret", add: []string{"abc", ""}, in: "abc abcd", want: "abc abcd"},
		{name: "longest first", add: []string{"abcd", "abcdefgh"}, in: "abcdefgh", want: "[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRedactor()
			r.Add(tt.add...)
			r.Remove(tt.remove...)
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorPatterns(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"jwt", "cookie jwt " + jwt + " end", "cookie jwt [redacted] end"},
		{"jwt without signature", "t=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "t=[redacted]"},
		{"bearer", "sent Bearer abc.DEF-123_x~/+= to api", "sent Bearer [redacted] to api"},
		{"bearer prose", "the bearer of bad news", "the bearer of bad news"},
		{"authorization header", "Authorization: Basic QVBJX0tFWTp4eXo=", "Authorization: [redacted]"},
		{"authorization in a Go map", "map[Accept:[*/*] Authorization:[Bearer abcdefgh]]", "map[Accept:[*/*] Authorization:[[redacted]]]"},
		{"authorization in JSON", `{"Authorization":["Bearer abcdefgh"],"X":["y"]}`, `{"Authorization":["[redacted]"],"X":["y"]}`},
		{"cookie header", "Cookie: a=1; Production_tpAuth=zzz", "Cookie: [redacted]"},
		{"set-cookie header", "Set-Cookie: sid=abc; Path=/; HttpOnly", "Set-Cookie: [redacted]"},
		{"tp cookie", "jar Production_tpAuth=CfDJ8abc; other=1", "jar Production_tpAuth=[redacted]; other=1"},
		{"basic", "used Basic dXNlcjpwYXNz here", "used Basic [redacted] here"},
		{"basic prose", "Basic settings saved", "Basic settings saved"},
		{"password form", "email=a%40b.c&password=hunter22&remember=1", "email=a%40b.c&password=[redacted]&remember=1"},
		{"token query", "/api?page=1&token=abc123&limit=5", "/api?page=1&token=[redacted]&limit=5"},
		{"key query", "GET /x?key=K1&pageNo=2", "GET /x?key=[redacted]&pageNo=2"},
		{"apikey mixed case", "apiKey=QQQQ", "apiKey=[redacted]"},
		{"cookie query", "cookie=a%3Db", "cookie=[redacted]"},
		{"access_token", "#access_token=xyz&expires_in=3600", "#access_token=[redacted]&expires_in=3600"},
		{"word ending in key stays", "monkey=banana", "monkey=banana"},
		{"json field", `{"email":"a@b.c","password":"p\"w","token":"t"}`, `{"email":"a@b.c","password":"[redacted]","token":"[redacted]"}`},
		{"empty value stays", "token=&page=1", "token=&page=1"},
		{"already redacted header", "Authorization: [redacted]", "Authorization: [redacted]"},
		{"already redacted in a Go map", "map[Cookie:[[redacted]]]", "map[Cookie:[[redacted]]]"},
		{"already redacted query", "token=[redacted]&page=1", "token=[redacted]&page=1"},
		{"redacted bearer inside a header", "Authorization: Bearer [redacted]", "Authorization: [redacted]"},
		{"cookie with a known part redacted", "Cookie: sid=[redacted]; other=UNKNOWN", "Cookie: [redacted]"},
	}
	var r *Redactor // nil: patterns only
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := r.String(got); again != got {
				t.Errorf("not stable: %q then %q", got, again)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://intervals.icu/api/v1/athlete/i1/activities?oldest=2024-01-01&newest=2024-02-01", "https://intervals.icu/api/v1/athlete/i1/activities?oldest=2024-01-01&newest=2024-02-01"},
		{"https://h/x?page=2&pageSize=50&sessionToken=abc&limit=9", "https://h/x?page=2&pageSize=50&sessionToken=[redacted]&limit=9"},
		{"https://h/x?pageNo=1&startDate=a&endDate=b&uid=42", "https://h/x?pageNo=1&startDate=a&endDate=b&uid=[redacted]"},
		{"/?token=0123456789abcdef", "/?token=[redacted]"},
		{"/?abcdef0123456789", "/?[redacted]"},
		{"https://user:hunter2@h/p", "https://user:[redacted]@h/p"},
		{"https://h/cb#access_token=xyz&state=1", "https://h/cb#[redacted]"},
		{"https://h/dl/" + jwt + "/file.fit", "https://h/dl/[redacted]/file.fit"},
		{"https://h/x?a=", "https://h/x?a="},
		{"%zz?token=abc", "%zz?token=[redacted]"}, // unparsable: patterns only
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriterSplitWrites(t *testing.T) {
	line := "GET /x Authorization: Basic QVBJX0tFWTp4eXo= key " + apiKey + " jwt " + jwt + "\n"
	tests := []struct {
		name   string
		chunks []string
	}{
		{"whole", []string{line}},
		{"secret split", []string{line[:40], line[40:62], line[62:]}},
		{"byte by byte", strings.Split(line, "")},
		{"two lines in one write", []string{line + line}},
		{"line end alone", []string{strings.TrimSuffix(line, "\n"), "\n"}},
	}
	r := knownRedactor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := r.Writer(&out)
			for _, c := range tt.chunks {
				if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			got := out.String()
			for _, s := range []string{apiKey, jwt, "QVBJX0tFWTp4eXo"} {
				if strings.Contains(got, s) {
					t.Errorf("output %q holds %q", got, s)
				}
			}
			if !strings.HasSuffix(got, "\n") || !strings.Contains(got, "[redacted]") {
				t.Errorf("output %q: want whole redacted lines", got)
			}
		})
	}
}

func TestWriterFlushAndLongLines(t *testing.T) {
	r := knownRedactor()
	var out bytes.Buffer
	w := r.Writer(&out)
	if _, err := fmt.Fprintf(w, "no newline yet %s", apiKey); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatalf("unfinished line written early: %q", out.String())
	}
	if err := w.(interface{ Flush() error }).Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "no newline yet [redacted]" {
		t.Fatalf("after Flush: %q", got)
	}

	out.Reset()
	long := strings.Repeat("x", maxPending) + " " + apiKey + " tail"
	if _, err := w.Write([]byte(long)); err != nil {
		t.Fatal(err)
	}
	if err := w.(interface{ Flush() error }).Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Contains(got, apiKey) || len(got) < maxPending {
		t.Fatalf("long line: %d bytes, holds key: %v", len(got), strings.Contains(got, apiKey))
	}
}

func TestWriterConcurrent(t *testing.T) {
	r := knownRedactor()
	var out bytes.Buffer
	w := r.Writer(&out)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := fmt.Fprintf(w, "key=%s\n", apiKey); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := out.String(); strings.Contains(got, apiKey) || strings.Count(got, "\n") != 400 {
		t.Fatalf("lines %d, leaked %v", strings.Count(got, "\n"), strings.Contains(got, apiKey))
	}
}

type stringer struct{ s string }

func (s *stringer) String() string { return s.s }

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("lv " + apiKey) }

func TestLoggerRedacts(t *testing.T) {
	u, _ := url.Parse("https://intervals.icu/api/v1/athlete/0/activities?oldest=2024-01-01&api_key=" + apiKey)
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want []string // must appear
	}{
		{"message", func(l *slog.Logger) { l.Info("got key " + apiKey) }, []string{`msg="got key [redacted]"`}},
		{"string attr", func(l *slog.Logger) { l.Info("m", "value", apiKey) }, []string{"value=[redacted]"}},
		{"error attr", func(l *slog.Logger) {
			l.Error("m", "err", fmt.Errorf("login: %w", errors.New("bad password "+password)))
		}, []string{`err="login: bad password [redacted]"`}},
		{"url attr", func(l *slog.Logger) { l.Info("m", "url", u) }, []string{"oldest=2024-01-01", "api_key=[redacted]"}},
		{"nested groups", func(l *slog.Logger) {
			l.Info("m", slog.Group("req", slog.String("path", "/x"), slog.Group("auth", slog.String("h", "Bearer "+apiKey))))
		}, []string{"req.path=/x", `req.auth.h="Bearer [redacted]"`}},
		{"with attrs and group", func(l *slog.Logger) {
			l.With("acct", "key "+apiKey).WithGroup("g").Info("m", "v", password)
		}, []string{`acct="key [redacted]"`, "g.v=[redacted]"}},
		{"sensitive key of any kind", func(l *slog.Logger) { l.Info("m", "token", 12345678, "Password", true) }, []string{"token=[redacted]", "Password=[redacted]"}},
		{"bytes, stringer, struct, valuer", func(l *slog.Logger) {
			l.Info("m", "b", []byte(apiKey), "s", &stringer{apiKey}, "st", struct{ K string }{apiKey}, "lv", valuer{})
		}, []string{"b=[redacted]", "s=[redacted]", "st={K:[redacted]}", `lv="lv [redacted]"`}},
		{"nil stringer", func(l *slog.Logger) { l.Info("m", "s", (*stringer)(nil)) }, []string{"s=<nil>"}},
		{"below level dropped", func(l *slog.Logger) { l.Debug("quiet " + apiKey) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.log(NewLogger(&out, slog.LevelInfo, knownRedactor()))
			got := out.String()
			for _, s := range []string{apiKey, password, url.QueryEscape(password)} {
				if strings.Contains(got, s) {
					t.Errorf("log %q holds a secret", got)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("log %q lacks %q", got, w)
				}
			}
			if tt.want == nil && got != "" {
				t.Errorf("log %q, want nothing", got)
			}
		})
	}
}

func TestHandlerKeepsGroupsForJSON(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(knownRedactor().Handler(slog.NewJSONHandler(&out, nil)))
	l.Info("m", slog.Group("outer", slog.Group("inner", "k", apiKey, "n", 3)))
	want := `"outer":{"inner":{"k":"[redacted]","n":3}}`
	if !strings.Contains(out.String(), want) {
		t.Fatalf("got %s, want it to contain %s", out.String(), want)
	}
}

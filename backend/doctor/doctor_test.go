package doctor

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/secrets"
)

const (
	apiKey      = "sk_live_7f3a9c21d4e8b6a0"
	cookieValue = "tpAuthCookie9b8c7d6e5f4a3b2c1d0e"
	password    = "hunter2-correct-horse"
)

// testJWT builds an unsigned token with the given claims; the signature
// part is a fixed, recognisable string that must never show up.
func testJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJlLW11c3Qtbm90LWxlYWs"
}

func get(t *testing.T, c *http.Client, req *http.Request) []byte {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShapeJSON(t *testing.T) {
	iat := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tok := testJWT(map[string]any{"sub": "rider-42", "email": "a@b.c", "iat": iat.Unix(), "exp": iat.Add(2 * time.Hour).Unix()})
	dl := "https://bucket.s3.amazonaws.com/f.fit?X-Amz-Expires=600&X-Amz-Signature=abcdef"
	body := `{"code":200,"error":false,"message":"ok","data":{"token":"` + tok + `",
		"rows":[{"id":1,"name":"Morning ride","distance":12.5,"tags":[]},{"id":2,"name":"x","distance":1,"tags":["a"]},{"id":3}],
		"totalPages":7,"download":"` + dl + `","premium":true,"empty":null}}`
	got := Shape("application/json", "", []byte(body), false)
	want := map[string]any{
		"code":    "number 200",
		"error":   "bool false",
		"message": "string(len 2)",
		"data": map[string]any{
			"token": "jwt(len " + itoa(len(tok)) + ", claims email,exp,iat,sub, iat 2026-03-01T10:00:00Z, exp 2026-03-01T12:00:00Z, lifetime 2h0m0s)",
			"rows": []any{"array(len 3, 1 with other keys than the first)", map[string]any{
				"id": "number", "name": "string(len 12)", "distance": "number", "tags": []any{"array(len 0)"},
			}},
			"totalPages": "number 7",
			"download":   "url(len " + itoa(len(dl)) + ", host bucket.s3.amazonaws.com, query keys X-Amz-Expires,X-Amz-Signature, X-Amz-Expires 600)",
			"premium":    "bool",
			"empty":      "null",
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("shape:\n%s\nwant:\n%s", g, w)
	}
	j, _ := json.Marshal(got)
	for _, leak := range []string{"Morning ride", "rider-42", "a@b.c", "abcdef", "12.5", "c2lnbmF0dXJl"} {
		if strings.Contains(string(j), leak) {
			t.Errorf("shape holds the value %q: %s", leak, j)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestShapeOtherBodies(t *testing.T) {
	fit := append([]byte{14, 0x10, 0x6c, 0x08, 0x10, 0, 0, 0}, []byte(".FIT\x00\x01\x02")...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"a":"secret value"}`))
	zw.Close()
	s3 := []byte(`<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>`)
	page := []byte("<!DOCTYPE html><html><title>Sign in</title></html>")
	plain := []byte("Access denied for key " + apiKey)
	cases := []struct {
		name, ctype, enc string
		body             []byte
		truncated        bool
		want             any
	}{
		{"empty", "application/json", "", nil, false, "empty"},
		{"fit", "application/octet-stream", "", fit, false, "binary, application/octet-stream, 15 bytes, head 0e106c08100000002e464954, looks like FIT"},
		{"gzip file", "application/x-gzip", "", gz.Bytes(), false, "binary, application/x-gzip, " + itoa(gz.Len()) + " bytes, head " + hexHead(gz.Bytes()) + ", looks like gzip"},
		{"gzip encoding", "application/json", "gzip", gz.Bytes(), false, map[string]any{"a": "string(len 12)"}},
		{"s3 error", "application/xml", "", s3, false, "xml(root Error), application/xml, " + itoa(len(s3)) + " bytes"},
		{"html", "text/html; charset=utf-8", "", page, false, "html, text/html, " + itoa(len(page)) + " bytes"},
		{"plain", "", "", plain, false, "text, no content type, " + itoa(len(plain)) + " bytes"},
		{"truncated json", "application/json", "", []byte(`{"a":1,`), true, "text, application/json, more than 7 bytes, not parsed"},
		{"top-level list", "application/json", "", []byte(`[]`), false, []any{"array(len 0)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Shape(c.ctype, c.enc, c.body, c.truncated)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func hexHead(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b[:min(12, len(b))] {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

// A service that echoes every secret it can: in headers, cookies, bodies,
// redirects. Nothing of it may reach the report.
func leakyServer(t *testing.T, tok string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/athlete", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Api-Key", apiKey)
		w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		w.Header().Add("Set-Cookie", "Production_tpAuth="+cookieValue+"; Path=/; HttpOnly")
		w.Header().Set("Retry-After", "7")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "i4242", "name": "Jane Rider", "api_key": apiKey, "access_token": tok,
			"echo": r.Header.Get("Authorization"), "cookie": r.Header.Get("Cookie"), "password": password,
			"zwift_sync_activities": false, "timezone": "Europe/Berlin",
		})
	})
	mux.HandleFunc("/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+apiKey+`.fit.gz"`)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte("FIT data " + apiKey))
		zw.Close()
		w.Write(gz.Bytes())
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/athlete?token="+tok+"#access_token="+tok, http.StatusFound)
	})
	mux.HandleFunc("/refuse", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Www-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "bad key "+apiKey, http.StatusUnauthorized)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestRecorderKeepsNoSecrets(t *testing.T) {
	tok := testJWT(map[string]any{"sub": "42", "iat": 1767261600, "exp": 1767265200})
	srv := leakyServer(t, tok)
	rec := NewRecorder(nil)
	hc := rec.Client(5 * time.Second)

	req, _ := http.NewRequest("GET", srv.URL+"/api/athlete?api_key="+apiKey+"&oldest=2026-01-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Cookie", "Production_tpAuth="+cookieValue)
	body := get(t, hc, req)
	if !strings.Contains(string(body), apiKey) {
		t.Fatal("the caller must still get the whole body")
	}

	req, _ = http.NewRequest("GET", srv.URL+"/download?sig="+apiKey, nil)
	if b := get(t, hc, req); !isGzip(b) {
		t.Fatal("the download must reach the caller untouched")
	}
	req, _ = http.NewRequest("POST", srv.URL+"/login", strings.NewReader("password="+password))
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("API_KEY:"+apiKey)))
	get(t, hc, req)
	req, _ = http.NewRequest("GET", srv.URL+"/refuse", nil)
	req.Header.Set("X-Api-Key", apiKey)
	get(t, hc, req)

	exs := rec.Take()
	if len(exs) != 5 { // athlete, download, login, its redirect, refuse
		t.Fatalf("got %d exchanges, want 5: %+v", len(exs), exs)
	}
	ath := exs[0]
	if ath.Method != "GET" || ath.Path != "/api/athlete" || ath.Status != 200 || ath.Auth != "Bearer, cookie" {
		t.Errorf("athlete exchange: %+v", ath)
	}
	if !reflect.DeepEqual(ath.QueryKeys, []string{"api_key", "oldest"}) {
		t.Errorf("query keys %v", ath.QueryKeys)
	}
	if ath.Headers["Retry-After"] != "7" || ath.Headers["Content-Type"] != "application/json" {
		t.Errorf("headers %v", ath.Headers)
	}
	shape := ath.Shape.(map[string]any)
	if shape["access_token"] != DescribeString(tok) || !strings.HasPrefix(shape["access_token"].(string), "jwt(len ") {
		t.Errorf("access_token shape %v", shape["access_token"])
	}
	if shape["zwift_sync_activities"] != "bool" || shape["api_key"] != "string(len 24)" {
		t.Errorf("shape %v", shape)
	}
	dl := exs[1]
	if got := dl.Headers["Content-Disposition"]; got != `attachment; filename=<len 31, extension ".fit.gz">` {
		t.Errorf("disposition %q", got)
	}
	if s, _ := dl.Shape.(string); !strings.Contains(s, "head 1f8b") || !strings.Contains(s, "looks like gzip") {
		t.Errorf("download shape %v", dl.Shape)
	}
	if exs[2].Status != 302 || !strings.HasSuffix(exs[2].Headers["Location"], "/api/athlete?token") || exs[2].Auth != "Basic" {
		t.Errorf("redirect %+v", exs[2])
	}
	if exs[4].Status != 401 || exs[4].Auth != "X-Api-Key header" || exs[4].Headers["Www-Authenticate"] == "" {
		t.Errorf("refusal %+v", exs[4])
	}

	c := Check{Service: "test", Call: "GET /api/athlete", OK: true, Note: "key " + apiKey + " cookie Production_tpAuth=" + cookieValue}
	c.SetExchanges(exs)
	if c.Status != 401 {
		t.Errorf("check status %d, want the last answer's", c.Status)
	}
	red := secrets.NewRedactor()
	red.Add(apiKey, cookieValue)
	rep := Report{Generated: "2026-03-01T10:00:00Z", Version: "test", OS: "linux/amd64", Checks: []Check{c}}.Redacted(red)
	text := rep.Text()
	js, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	payload := strings.Split(tok, ".")[1]
	for _, out := range []string{text, string(js)} {
		for _, leak := range []string{apiKey, cookieValue, password, tok, payload, sig, "Jane Rider", "i4242",
			base64.StdEncoding.EncodeToString([]byte("API_KEY:" + apiKey))} {
			if strings.Contains(out, leak) {
				t.Errorf("report holds %q:\n%s", leak, out)
			}
		}
	}
	for _, want := range []string{"/api/athlete?api_key&oldest -> 200", "Retry-After: 7", `"access_token": "jwt(len `, "sent Bearer, cookie", "Set-Cookie: 1 cookie(s), not recorded"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "note: key [redacted] cookie Production_tpAuth=[redacted]") {
		t.Errorf("note not redacted:\n%s", text)
	}
}

func TestRecorderTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rec := NewRecorder(nil)
	_, err := rec.Client(time.Second).Get(url + "/gone?token=" + apiKey)
	if err == nil {
		t.Fatal("want a transport error")
	}
	exs := rec.Exchanges()
	if len(exs) != 1 || exs[0].Status != 0 || exs[0].Error == "" {
		t.Fatalf("exchanges %+v", exs)
	}
	if strings.Contains(exs[0].Error, apiKey) {
		t.Errorf("error holds the query value: %s", exs[0].Error)
	}
}

func TestRecorderLargeBodyPassesThrough(t *testing.T) {
	big := bytes.Repeat([]byte(`{"a":1}`), 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(big)
	}))
	defer srv.Close()
	rec := NewRecorder(nil)
	rec.maxBody = 64
	req, _ := http.NewRequest("GET", srv.URL, nil)
	if got := get(t, rec.Client(time.Second), req); !bytes.Equal(got, big) {
		t.Fatalf("caller got %d bytes, want %d", len(got), len(big))
	}
	ex := rec.Exchanges()[0]
	if ex.Bytes != int64(len(big)) || !strings.Contains(ex.Shape.(string), "not parsed") {
		t.Errorf("exchange %+v", ex)
	}
}

func TestReportVerdicts(t *testing.T) {
	rep := Report{Checks: []Check{{Service: "a", OK: true}, {Service: "b", OK: false, NeedsSignIn: true, Answers: map[string]string{"11": "lifetime 1h", "5": "x"}, Questions: map[string]string{"11": "How long does the session last?"}}}}
	if rep.OK() {
		t.Error("a failed check must make the report not OK")
	}
	if n := rep.NeedsSignIn(); len(n) != 1 || n[0].Service != "b" {
		t.Errorf("needs sign-in: %+v", n)
	}
	text := rep.Text()
	if !strings.Contains(text, "NEEDS SIGN-IN") || strings.Index(text, "open question 5") > strings.Index(text, "open question 11 ") ||
		!strings.Contains(text, "open question 11 (How long does the session last?)\n      lifetime 1h") || !strings.Contains(text, "open question 5: x") {
		t.Errorf("text:\n%s", text)
	}
}

func TestSetFailedNamesTheFailedCall(t *testing.T) {
	list := Exchange{Method: "POST", Host: "h", Path: "/list", Status: 200, Shape: map[string]any{"data": "object"}}
	refused := Exchange{Method: "POST", Host: "h", Path: "/list", Status: 403, Shape: map[string]any{"error": "true"}}
	cut := Exchange{Method: "GET", Host: "h", Path: "/file", Error: "connection reset"}
	retry := Exchange{Method: "POST", Host: "h", Path: "/other", Status: 200, Shape: "empty"}
	tests := []struct {
		name string
		ex   []Exchange
		want *Exchange
	}{
		{"no calls", nil, nil},
		{"a refusal inside a 200: the last call", []Exchange{list, retry}, &retry},
		{"the last refused call, not the one after it", []Exchange{list, refused, retry}, &refused},
		{"no answer at all", []Exchange{list, cut}, &cut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Check{Service: "s", Call: "c"}
			c.SetExchanges(tt.ex)
			c.SetFailed()
			if tt.want == nil {
				if c.Failed != nil {
					t.Fatalf("failed %+v", c.Failed)
				}
				return
			}
			if c.Failed == nil || c.Failed.Path != tt.want.Path || c.Status != tt.want.Status || c.Failed.Status != tt.want.Status {
				t.Fatalf("failed %+v, status %d; want %+v", c.Failed, c.Status, tt.want)
			}
			text := Report{Checks: []Check{c}}.Text()
			if !strings.Contains(text, "failed call: "+tt.want.Method+" h"+tt.want.Path+" -> "+StatusText(tt.want.Status)) {
				t.Fatalf("text does not name the call:\n%s", text)
			}
		})
	}
}

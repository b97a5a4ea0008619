package igpsport

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"fitbridge/backend/source"
)

func TestCleanToken(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJtZW1iZXJpZCI6NDJ9.c2ln"
	state := func() string {
		global, _ := json.Marshal(map[string]any{"token": "Bearer " + jwt, "lang": "en"})
		b, _ := json.Marshal(map[string]string{"global": string(global), "_persist": `{"version":-1,"rehydrated":true}`})
		return string(b)
	}()
	quotedState, _ := json.Marshal(state)
	cases := []struct{ name, in string }{
		{"bare", jwt},
		{"bearer", "Bearer " + jwt},
		{"lower-case bearer and blanks", "  bearer   " + jwt + "\n"},
		{"quoted", `"Bearer ` + jwt + `"`},
		{"single quotes", "'" + jwt + "'"},
		{"header line", "authorization: Bearer " + jwt},
		{"persist:app-store value", state},
		{"persist:app-store copied as a string literal", string(quotedState)},
		{"login answer", `{"code":0,"message":"success","data":{"access_token":"` + jwt + `","token_type":"Bearer"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CleanToken(c.in); got != jwt {
				t.Fatalf("CleanToken(%q) = %q", c.in, got)
			}
		})
	}
	if got := CleanToken(`{"global":"{\"lang\":\"en\"}"}`); got != `{"global":"{\"lang\":\"en\"}"}` {
		t.Fatalf("state without a token must not become a token: %q", got)
	}
}

func TestParseListTime(t *testing.T) {
	sh := time.FixedZone("UTC+8", 8*3600)
	cases := []struct {
		in       string
		want     time.Time
		dateOnly bool
	}{
		{"2025.06.02", time.Date(2025, 6, 2, 0, 0, 0, 0, sh), true},
		{"2025-06-02 07:15:09", time.Date(2025, 6, 2, 7, 15, 9, 0, sh), false},
		{"2025.06.02 07:15:09", time.Date(2025, 6, 2, 7, 15, 9, 0, sh), false},
		{"2025-06-02", time.Date(2025, 6, 2, 0, 0, 0, 0, sh), true},
		{"2025/06/02", time.Date(2025, 6, 2, 0, 0, 0, 0, sh), true},
		{"2025-06-01T23:15:09Z", time.Date(2025, 6, 1, 23, 15, 9, 0, time.UTC), false},
		{"1748819709", time.Unix(1748819709, 0), false},
		{"1748819709000", time.Unix(1748819709, 0), false},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, c := range cases {
		if got, dateOnly := parseListTime(c.in, sh); !got.Equal(c.want) || dateOnly != c.dateOnly {
			t.Errorf("parseListTime(%q) = %v, %v, want %v, %v", c.in, got, dateOnly, c.want, c.dateOnly)
		}
	}
}

func TestRideIDKeepsZero(t *testing.T) {
	cases := []struct {
		row    string
		id     string
		listed bool
	}{
		{`{"rideId":0}`, "0", true},
		{`{"rideId":"0"}`, "0", true},
		{`{"rideId":31234567}`, "31234567", true},
		{`{"rideId":null}`, "", false},
		{`{"title":"no id"}`, "", false},
		{`{"rideId":"abc"}`, "", false},
	}
	c, err := New(testConfig(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		a, ok := c.activity(json.RawMessage(tc.row))
		if ok != tc.listed || a.RemoteID != tc.id {
			t.Errorf("row %s: listed %v id %q", tc.row, ok, a.RemoteID)
		}
	}
}

func testConfig() source.Config { return source.Config{BaseURL: "http://127.0.0.1:9"} }

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

package intervals

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrAuth matches (errors.Is) every *APIError whose Auth() is true.
var ErrAuth = errors.New("the Intervals.icu API key was rejected")

// Is makes errors.Is(err, ErrAuth) work through wrapping.
func (e *APIError) Is(target error) bool { return target == ErrAuth && e.Auth() }

// IsPermanent reports an error that retrying the same request will not fix
// (a 4xx other than 401, 403 and 429: a corrupt file, a refused update).
func IsPermanent(err error) bool {
	ae, ok := asAPIError(err)
	return ok && ae.Permanent()
}

func asAPIError(err error) (*APIError, bool) {
	var ae *APIError
	ok := errors.As(err, &ae)
	return ae, ok
}

// newAPIError keeps the service's own words: the "error" of a
// {status,error} body (plus a Spring "message"), else the trimmed text.
func newAPIError(op string, status int, body []byte, key string) *APIError {
	msg := ""
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && (e.Error != "" || e.Message != "") {
		msg = e.Error
		if e.Message != "" && e.Message != e.Error {
			if msg != "" {
				msg += ": "
			}
			msg += e.Message
		}
	} else if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '<' {
		msg = string(t)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	// Redact before cutting: a key cut in two would escape redaction, and
	// "[redacted]" is longer than some keys, so it could outgrow the cut.
	return &APIError{Op: op, Status: status, Message: snippet([]byte(redact(msg, key)), 300)}
}

// snippet collapses whitespace and cuts text to n runes for messages and logs.
func snippet(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// flexString reads an id that may arrive as a JSON string or number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

// wireActivity is a listing row; every field may be absent (fields= drops nulls).
type wireActivity struct {
	ID              flexString `json:"id"`
	StartDate       string     `json:"start_date"`
	StartDateLocal  string     `json:"start_date_local"`
	Timezone        string     `json:"timezone"`
	ElapsedTime     float64    `json:"elapsed_time"`
	MovingTime      float64    `json:"moving_time"`
	Distance        float64    `json:"distance"`
	Type            string     `json:"type"`
	ExternalID      flexString `json:"external_id"`
	Source          string     `json:"source"`
	OAuthClientName string     `json:"oauth_client_name"`
	DeviceName      string     `json:"device_name"`
	Name            string     `json:"name"`
	Description     string     `json:"description"`
}

func (w wireActivity) activity() Activity {
	a := Activity{
		ID:              string(w.ID),
		ElapsedS:        w.ElapsedTime,
		MovingS:         w.MovingTime,
		DistanceM:       w.Distance,
		Type:            w.Type,
		ExternalID:      string(w.ExternalID),
		Source:          w.Source,
		OAuthClientName: w.OAuthClientName,
		DeviceName:      w.DeviceName,
		Name:            w.Name,
		Description:     w.Description,
		Timezone:        w.Timezone,
	}
	a.StartUTC, _ = parseUTC(w.StartDate)
	a.StartLocal, _ = parseLocal(w.StartDateLocal)
	return a
}

// Layouts the service uses: ISO-8601 with or without fraction and zone.
var isoLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseUTC reads start_date: UTC, sometimes without the 'Z'.
func parseUTC(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	var err error
	for _, l := range isoLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// parseLocal reads start_date_local, a wall clock without zone, into a time
// whose UTC fields are that wall clock. A stray offset is ignored, not applied.
func parseLocal(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	var err error
	for _, l := range isoLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return WallClock(t), nil
		}
	}
	return time.Time{}, err
}

// WallClock returns t's wall clock in its own location, as UTC fields: the
// form Activity.StartLocal uses, so local times compare with plain arithmetic.
func WallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// localParam formats a window bound as the service's local date-time.
func localParam(t time.Time) string { return t.Format("2006-01-02T15:04:05") }

// uploadResponse is UploadResponse: the top-level id and one entry per
// activity created or matched.
type uploadResponse struct {
	AthleteID  string     `json:"icu_athlete_id"`
	ID         flexString `json:"id"`
	Activities []struct {
		ID flexString `json:"id"`
	} `json:"activities"`
}

// parseUploadIDs reads activities[].id first, then the top-level id; a bare
// list is accepted too, because clients disagree on the shape.
func parseUploadIDs(body []byte) (ids []string, top string, err error) {
	body = bytes.TrimSpace(body)
	var r uploadResponse
	if len(body) > 0 && body[0] == '[' {
		err = json.Unmarshal(body, &r.Activities)
	} else if len(body) > 0 {
		err = json.Unmarshal(body, &r)
	}
	for _, a := range r.Activities {
		if a.ID != "" {
			ids = append(ids, string(a.ID))
		}
	}
	if len(ids) == 0 && r.ID != "" {
		ids = []string{string(r.ID)}
	}
	return ids, string(r.ID), err
}

// Kinds of activity file, recognised by content.
const (
	kindFIT = "fit"
	kindTCX = "tcx"
	kindGPX = "gpx"
	kindGZ  = "gz"
	kindZIP = "zip"
)

// sniff recognises what the service accepts: FIT, TCX, GPX, gzip, zip.
func sniff(data []byte) string {
	switch {
	case len(data) >= 12 && (data[0] == 12 || data[0] == 14) && string(data[8:12]) == ".FIT":
		return kindFIT
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		return kindGZ
	case len(data) >= 4 && string(data[:4]) == "PK\x03\x04":
		return kindZIP
	}
	head := data[:min(len(data), 4096)]
	switch {
	case bytes.Contains(head, []byte("<TrainingCenterDatabase")):
		return kindTCX
	case bytes.Contains(head, []byte("<gpx")):
		return kindGPX
	}
	return ""
}

// uploadFilename gives the multipart part a name whose extension matches the
// bytes ("ride" + gzipped FIT → "ride.fit.gz"); the service may go by it.
func uploadFilename(name string, data []byte) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if base == "." || base == "/" || base == "" {
		base = "activity"
	}
	kind := sniff(data)
	want := ""
	switch kind {
	case "":
		return base
	case kindGZ:
		want = ".gz"
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			head, _ := io.ReadAll(io.LimitReader(zr, 4096))
			if inner := sniff(head); inner == kindFIT || inner == kindTCX || inner == kindGPX {
				want = "." + inner + ".gz"
			}
		}
	default:
		want = "." + kind
	}
	if strings.HasSuffix(strings.ToLower(base), want) {
		return base
	}
	stem := base
	for {
		ext := strings.ToLower(path.Ext(stem))
		if ext != ".fit" && ext != ".tcx" && ext != ".gpx" && ext != ".gz" && ext != ".zip" && ext != ".xml" {
			break
		}
		stem = stem[:len(stem)-len(ext)]
	}
	if stem == "" {
		stem = "activity"
	}
	return stem + want
}

// athleteWire is the part of the athlete record FitBridge reads.
type athleteWire struct {
	ID               flexString `json:"id"`
	Name             string     `json:"name"`
	FirstName        string     `json:"firstname"`
	LastName         string     `json:"lastname"`
	Timezone         string     `json:"timezone"`
	Measurement      string     `json:"measurement_preference"`
	Status           string     `json:"status"`
	GarminSync       *bool      `json:"icu_garmin_sync_activities"`
	StravaAuthorized *bool      `json:"strava_authorized"`
	StravaSync       *bool      `json:"strava_sync_activities"`
	ZwiftUserID      flexString `json:"zwift_user_id"`
	ZwiftSync        *bool      `json:"zwift_sync_activities"`
	WahooUserID      flexString `json:"wahoo_user_id"`
	WahooSync        *bool      `json:"wahoo_sync_activities"`
}

func (w athleteWire) athlete() Athlete {
	name := w.Name
	if name == "" {
		name = strings.TrimSpace(w.FirstName + " " + w.LastName)
	}
	a := Athlete{
		ID:         string(w.ID),
		Name:       name,
		Timezone:   w.Timezone,
		Imperial:   imperial(w.Measurement),
		GarminSync: isTrue(w.GarminSync),
		ZwiftSync:  isTrue(w.ZwiftSync),
		WahooSync:  isTrue(w.WahooSync),
	}
	// strava_sync_activities is the feed switch; when it is missing, a
	// connected Strava account is the best hint that rides arrive from it.
	if w.StravaSync != nil {
		a.StravaSync = *w.StravaSync
	} else {
		a.StravaSync = isTrue(w.StravaAuthorized)
	}
	return a
}

func isTrue(b *bool) bool { return b != nil && *b }

// imperial reads measurement_preference: "meters" is metric; "feet" (the
// value Strava's athlete uses) and "imperial" mean miles. Anything else,
// or nothing, stays metric.
func imperial(pref string) bool {
	switch strings.ToLower(strings.TrimSpace(pref)) {
	case "feet", "imperial":
		return true
	}
	return false
}

func boolAttr(b *bool) string {
	if b == nil {
		return "absent"
	}
	return strconv.FormatBool(*b)
}

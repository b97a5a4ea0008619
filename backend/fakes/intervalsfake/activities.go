package intervalsfake

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Activity is a stored activity. Source "STRAVA" makes it a stub: the API
// shows only its id, start_date_local and source.
type Activity struct {
	ID              string    // assigned when empty: "i…" for stored activities, numeric for stubs
	StartDate       time.Time // UTC; unused for stubs
	StartDateLocal  time.Time // its wall clock in its own location is kept; derived from StartDate when zero
	Timezone        string    // default the athlete's
	ElapsedTime     int       // s
	MovingTime      int       // s
	Distance        float64   // m
	Type            string
	Name            string
	Description     string
	DeviceName      string
	ExternalID      string
	Source          string // STRAVA, UPLOAD, GARMIN_CONNECT, OAUTH_CLIENT, MANUAL...
	OAuthClientName string
	FileType        string
	Trainer         bool
	FileSportIndex  int
	// FileHash is the hex SHA-256 upload dedup compares (see Server.FileHash).
	FileHash string
	// Extra holds fields set by PUT that have no column here.
	Extra map[string]any
}

// IsStub reports a Strava stub.
func (a *Activity) IsStub() bool { return a.Source == "STRAVA" }

func (a *Activity) clone() Activity {
	c := *a
	if a.Extra != nil {
		c.Extra = make(map[string]any, len(a.Extra))
		for k, v := range a.Extra {
			c.Extra[k] = v
		}
	}
	return c
}

// AddActivity stores a, filling the id and local start when missing, and
// returns the id. A FileHash makes uploads of the same bytes answer 200.
func (s *Server) AddActivity(a Activity) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(&a)
}

func (s *Server) insertLocked(a *Activity) string {
	if a.ID == "" {
		if a.IsStub() {
			a.ID = strconv.FormatInt(s.nextStubID, 10)
			s.nextStubID += 7919
		} else {
			a.ID = "i" + strconv.FormatInt(s.nextID, 10)
			s.nextID++
		}
	}
	a.StartDate = a.StartDate.UTC()
	if a.StartDateLocal.IsZero() && !a.StartDate.IsZero() {
		a.StartDateLocal = wall(a.StartDate.In(s.tz))
	} else {
		a.StartDateLocal = wall(a.StartDateLocal)
	}
	if a.Timezone == "" {
		a.Timezone = s.opts.Timezone
	}
	s.acts[a.ID] = a
	if a.FileHash != "" && !a.IsStub() {
		s.byHash[a.FileHash] = append(s.byHash[a.FileHash], a.ID)
	}
	return a.ID
}

// Activities is a snapshot of every stored activity, newest first.
func (s *Server) Activities() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Activity, 0, len(s.acts))
	for _, a := range s.sortedLocked() {
		out = append(out, a.clone())
	}
	return out
}

// Activity returns one stored activity.
func (s *Server) Activity(id string) (Activity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acts[id]
	if !ok {
		return Activity{}, false
	}
	return a.clone(), true
}

func (s *Server) sortedLocked() []*Activity {
	out := make([]*Activity, 0, len(s.acts))
	for _, a := range s.acts {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Activity) int {
		if c := b.StartDateLocal.Compare(a.StartDateLocal); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// renderLocked is the activity as JSON: all fields with nulls, or with
// fields given, only those that are set. Stubs never show more than Hidden.
func (s *Server) renderLocked(a *Activity, fields map[string]bool) map[string]any {
	var m map[string]any
	if a.IsStub() {
		m = map[string]any{
			"id": a.ID, "icu_athlete_id": s.opts.AthleteID,
			"start_date_local": a.StartDateLocal.Format(localLayout), "source": a.Source,
		}
	} else {
		m = map[string]any{
			"id":                a.ID,
			"icu_athlete_id":    s.opts.AthleteID,
			"start_date":        a.StartDate.Format("2006-01-02T15:04:05Z"),
			"start_date_local":  a.StartDateLocal.Format(localLayout),
			"timezone":          a.Timezone,
			"elapsed_time":      a.ElapsedTime,
			"moving_time":       a.MovingTime,
			"distance":          a.Distance,
			"icu_distance":      a.Distance,
			"type":              a.Type,
			"name":              nullIfEmpty(a.Name),
			"description":       nullIfEmpty(a.Description),
			"device_name":       nullIfEmpty(a.DeviceName),
			"external_id":       nullIfEmpty(a.ExternalID),
			"source":            a.Source,
			"oauth_client_name": nullIfEmpty(a.OAuthClientName),
			"file_type":         nullIfEmpty(a.FileType),
			"trainer":           a.Trainer,
			"file_sport_index":  a.FileSportIndex,
			"strava_id":         nil,
			"paired_event_id":   nil,
		}
		for k, v := range a.Extra {
			m[k] = v
		}
	}
	if fields != nil {
		for k, v := range m {
			if !fields[k] || v == nil {
				delete(m, k)
			}
		}
	}
	if a.IsStub() {
		m["_note"] = "STRAVA activities are not available via the API"
	}
	return m
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const localLayout = "2006-01-02T15:04:05"

// wall keeps t's wall clock as UTC fields.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// parseLocalParam reads oldest/newest: a date, or a date-time without zone.
// A date-only newest means the end of that day.
func parseLocalParam(v string, endOfDay bool) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return t, true
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("oldest") == "" {
		writeError(w, http.StatusUnprocessableEntity, "Required request parameter 'oldest' is not present")
		return
	}
	oldest, ok := parseLocalParam(q.Get("oldest"), false)
	if !ok {
		writeError(w, http.StatusUnprocessableEntity, "Invalid date: "+q.Get("oldest"))
		return
	}
	newest := wall(s.opts.Now().In(s.tz))
	if v := q.Get("newest"); v != "" {
		if newest, ok = parseLocalParam(v, true); !ok {
			writeError(w, http.StatusUnprocessableEntity, "Invalid date: "+v)
			return
		}
	} else if s.opts.RequireNewest {
		writeError(w, http.StatusUnprocessableEntity, "Required request parameter 'newest' is not present")
		return
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusUnprocessableEntity, "Invalid limit: "+v)
			return
		}
		limit = n
	}
	fields := parseFields(q.Get("fields"))

	s.mu.Lock()
	out := []map[string]any{}
	for _, a := range s.sortedLocked() {
		if a.StartDateLocal.Before(oldest) || a.StartDateLocal.After(newest) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		if s.opts.SilentCap > 0 && len(out) == s.opts.SilentCap {
			break
		}
		out = append(out, s.renderLocked(a, fields))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func parseFields(v string) map[string]bool {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	m := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			m[f] = true
		}
	}
	return m
}

// listByIDs skips missing ids silently, as documented.
func (s *Server) listByIDs(w http.ResponseWriter, r *http.Request) {
	fields := parseFields(r.URL.Query().Get("fields"))
	s.mu.Lock()
	out := []map[string]any{}
	for _, id := range strings.Split(r.PathValue("ids"), ",") {
		if a, ok := s.acts[strings.TrimSpace(id)]; ok {
			out = append(out, s.renderLocked(a, fields))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getActivity(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a, ok := s.acts[r.PathValue("id")]
	var body map[string]any
	if ok {
		body = s.renderLocked(a, nil)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Activity not found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// Activity types the fake accepts in updates (the spec's sport enum, abridged).
var knownTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`Ride VirtualRide GravelRide MountainBikeRide Cyclocross TrackRide
		EBikeRide EMountainBikeRide Handcycle Velomobile Run VirtualRun TrailRun Walk Hike Swim
		OpenWaterSwim Rowing VirtualRow NordicSki VirtualSki WeightTraining Workout Transition Other
		AlpineSki BackcountrySki Elliptical Yoga StairStepper Crossfit HighIntensityIntervalTraining`) {
		knownTypes[t] = true
	}
}

func (s *Server) putActivity(w http.ResponseWriter, r *http.Request) {
	var patch map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&patch); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Invalid JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acts[r.PathValue("id")]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "Activity not found")
		return
	case a.IsStub():
		writeError(w, http.StatusUnprocessableEntity, "STRAVA activities cannot be updated via the API")
		return
	}
	if t, ok := patch["type"]; ok {
		ts, _ := t.(string)
		if !knownTypes[ts] {
			writeError(w, http.StatusUnprocessableEntity, "Invalid activity type: "+strings.TrimSpace(jsonText(t)))
			return
		}
	}
	for k, v := range patch {
		str, _ := v.(string)
		switch k {
		case "id", "icu_athlete_id", "source", "start_date", "start_date_local":
			// read-only here
		case "type":
			a.Type = str
		case "name":
			a.Name = str
		case "description":
			a.Description = str
		case "device_name":
			a.DeviceName = str
		case "external_id":
			a.ExternalID = str
		case "trainer":
			b, _ := v.(bool)
			a.Trainer = b
		default:
			if a.Extra == nil {
				a.Extra = map[string]any{}
			}
			a.Extra[k] = v
		}
	}
	writeJSON(w, http.StatusOK, s.renderLocked(a, nil))
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Server) deleteActivity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acts[id]
	if !ok {
		writeError(w, http.StatusNotFound, "Activity not found")
		return
	}
	delete(s.acts, id)
	if a.FileHash != "" {
		ids := slices.DeleteFunc(s.byHash[a.FileHash], func(x string) bool { return x == id })
		if len(ids) == 0 {
			delete(s.byHash, a.FileHash)
		} else {
			s.byHash[a.FileHash] = ids
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"icu_athlete_id": s.opts.AthleteID, "id": id})
}

func contextWith(r *http.Request, rec *Request) context.Context {
	return context.WithValue(r.Context(), ctxKey{}, rec)
}

func requestRecord(r *http.Request) *Request {
	rec, _ := r.Context().Value(ctxKey{}).(*Request)
	return rec
}

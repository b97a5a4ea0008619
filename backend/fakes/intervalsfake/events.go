package intervalsfake

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Event is a calendar event: a planned workout with its structured steps.
type Event struct {
	ID          int64
	Day         time.Time // the planned day; only its date counts
	Category    string    // WORKOUT (default), NOTE, RACE_A...
	Name        string
	Type        string // Ride, Run...
	Description string
	// Steps is the workout_doc's steps as the service writes them:
	// {"duration":600,"power":{"value":60,"units":"%ftp"},"warmup":true},
	// {"reps":3,"steps":[...]}, {"hr":{"start":80,"end":90,"units":"%lthr"}}.
	Steps []map[string]any
	FTP   int // the workout_doc's ftp; default 250
	// MovingTime is the planned length in seconds; default the steps' total.
	MovingTime int
}

// powerZones are the upper bounds of the default power zones, % of FTP,
// used to resolve "power_zone" targets the way the service does with the
// athlete's own zones.
var powerZones = []float64{55, 75, 90, 105, 120, 150, 300}

// AddEvent puts a planned workout on the calendar and returns its id.
func (s *Server) AddEvent(e Event) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events == nil {
		s.events = map[int64]*Event{}
		s.nextEvent = 55500000
	}
	s.nextEvent++
	e.ID = s.nextEvent
	if e.Category == "" {
		e.Category = "WORKOUT"
	}
	if e.FTP == 0 {
		e.FTP = 250
	}
	s.events[e.ID] = &e
	return e.ID
}

// EditEvent changes a planned workout (move it, change its steps).
func (s *Server) EditEvent(id int64, edit func(*Event)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if ok {
		edit(e)
	}
	return ok
}

// DeleteEvent takes a planned workout off the calendar.
func (s *Server) DeleteEvent(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.events, id)
}

// listEvents is GET /athlete/{id}/events: oldest is required, dates are
// local days (YYYY-MM-DD; a time part is accepted and ignored), category
// filters, resolve=true adds each step's absolute targets.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	day := func(v string) (time.Time, bool) {
		t, err := time.Parse("2006-01-02", strings.SplitN(v, "T", 2)[0])
		return t, err == nil
	}
	oldest, ok := day(q.Get("oldest"))
	if !ok {
		writeError(w, http.StatusUnprocessableEntity, "oldest: required, as YYYY-MM-DD")
		return
	}
	newest := oldest.AddDate(0, 0, 7)
	if v := q.Get("newest"); v != "" {
		if newest, ok = day(v); !ok {
			writeError(w, http.StatusUnprocessableEntity, "newest: expected YYYY-MM-DD")
			return
		}
	}
	cats := map[string]bool{}
	for _, c := range strings.Split(q.Get("category"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			cats[c] = true
		}
	}
	resolve := q.Get("resolve") == "true"
	s.mu.Lock()
	var list []*Event
	for _, e := range s.events {
		d, _ := day(e.Day.Format("2006-01-02"))
		if d.Before(oldest) || d.After(newest) || (len(cats) > 0 && !cats[e.Category]) {
			continue
		}
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Day.Before(list[j].Day) || list[i].Day.Equal(list[j].Day) && list[i].ID < list[j].ID
	})
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		out = append(out, e.render(resolve))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (e *Event) render(resolve bool) map[string]any {
	// A deep copy through JSON, so resolving never writes into the event.
	raw, _ := json.Marshal(e.Steps)
	var steps []map[string]any
	_ = json.Unmarshal(raw, &steps)
	if resolve {
		resolveSteps(steps, float64(e.FTP))
	}
	duration := 0.0
	for _, st := range steps {
		duration += stepSeconds(st)
	}
	moving := duration
	if e.MovingTime > 0 {
		moving = float64(e.MovingTime)
	}
	return map[string]any{
		"id": e.ID, "category": e.Category, "moving_time": moving, "start_date_local": e.Day.Format("2006-01-02") + "T00:00:00",
		"name": e.Name, "type": e.Type, "description": e.Description,
		"workout_doc": map[string]any{"steps": steps, "ftp": e.FTP, "duration": duration},
	}
}

func resolveSteps(steps []map[string]any, ftp float64) {
	for _, st := range steps {
		if inner, ok := st["steps"].([]any); ok {
			var sub []map[string]any
			for _, x := range inner {
				if m, ok := x.(map[string]any); ok {
					sub = append(sub, m)
				}
			}
			resolveSteps(sub, ftp)
		}
		p, ok := st["power"].(map[string]any)
		if !ok {
			continue
		}
		res := map[string]any{}
		for _, k := range []string{"value", "start", "end"} {
			v, ok := p[k].(float64)
			if !ok {
				continue
			}
			switch p["units"] {
			case "%ftp":
				res[k] = v * ftp / 100
			case "w":
				res[k] = v
			case "power_zone":
				z := int(v)
				if z >= 1 && z <= len(powerZones) {
					lo := 0.0
					if z > 1 {
						lo = powerZones[z-2]
					}
					res["start"], res["end"] = lo*ftp/100, powerZones[z-1]*ftp/100
				}
			}
		}
		if len(res) > 0 {
			st["_power"] = res
		}
	}
}

func stepSeconds(st map[string]any) float64 {
	if reps, ok := st["reps"].(float64); ok {
		inner, _ := st["steps"].([]any)
		total := 0.0
		for _, x := range inner {
			if m, ok := x.(map[string]any); ok {
				total += stepSeconds(m)
			}
		}
		return reps * total
	}
	d, _ := st["duration"].(float64)
	return d
}

package igpsportfake

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The app's custom-workout calls (docs/services/igpsport.md).
const (
	pathEditWorkout  = "/service/mobile/api/WorkOut/EditCustomWorkOut"
	pathListWorkouts = "/service/mobile/api/WorkOut/CustomWorkout"
)

// CustomWorkout is a rider's own workout as the fake keeps it.
type CustomWorkout struct {
	ID        int64
	Title     string
	TotalTime int
	Body      map[string]any // the data object as last sent
	Edits     int            // how many times it was sent
}

// Workouts returns the custom workouts, by id.
func (s *Server) Workouts() []CustomWorkout {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CustomWorkout, 0, len(s.workouts))
	for _, w := range s.workouts {
		out = append(out, *w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddWorkout puts a workout the rider made in the app.
func (s *Server) AddWorkout(title string, totalTime int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeWorkoutLocked(0, title, totalTime, nil)
}

// DeleteWorkout removes a custom workout, as the rider does in the app.
func (s *Server) DeleteWorkout(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.workouts, id)
}

func (s *Server) storeWorkoutLocked(id int64, title string, total int, body map[string]any) int64 {
	if s.workouts == nil {
		s.workouts = map[int64]*CustomWorkout{}
		s.nextWorkoutID = 7000
	}
	w, ok := s.workouts[id]
	if !ok {
		s.nextWorkoutID++
		w = &CustomWorkout{ID: s.nextWorkoutID}
		s.workouts[w.ID] = w
	}
	w.Title, w.TotalTime, w.Body = title, total, body
	w.Edits++
	return w.ID
}

// editWorkout creates a custom workout, or edits one when data.id names
// it. It refuses what a bike computer could not ride, as the app's form
// would never send it: no title, no steps, a step without a length that
// does not end on a lap press, an unknown target unit or a range upside down.
func (s *Server) editWorkout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Data == nil {
		fail(w, codeBadParam, "invalid request body")
		return
	}
	d := req.Data
	title, _ := d["title"].(string)
	total, _ := d["totalTime"].(float64)
	structure, _ := d["structure"].([]any)
	if strings.TrimSpace(title) == "" || len([]rune(title)) > 64 || total <= 0 || len(structure) == 0 {
		fail(w, codeBadParam, "title, totalTime and structure are required")
		return
	}
	if why := checkBlocks(structure); why != "" {
		fail(w, codeBadParam, why)
		return
	}
	var id int64
	if v, ok := d["id"]; ok {
		n, err := strconv.ParseInt(strings.Trim(toString(v), `"`), 10, 64)
		s.mu.Lock()
		_, exists := s.workouts[n]
		s.mu.Unlock()
		if err != nil || !exists {
			fail(w, codeNotFound, "workout not found")
			return
		}
		id = n
	}
	s.mu.Lock()
	id = s.storeWorkoutLocked(id, title, int(total), d)
	s.mu.Unlock()
	ok(w, map[string]any{"workoutId": id})
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func checkBlocks(blocks []any) string {
	for _, b := range blocks {
		m, isMap := b.(map[string]any)
		if !isMap {
			return "structure: not an object"
		}
		if u, _ := m["uuid"].(string); u == "" {
			return "structure: a step without uuid"
		}
		length, _ := m["length"].(map[string]any)
		switch m["type"] {
		case "Repetition":
			inner, _ := m["steps"].([]any)
			if n, _ := length["value"].(float64); n < 1 || length["unit"] != "Repetition" || len(inner) == 0 {
				return "structure: a repetition needs a count and steps"
			}
			if why := checkBlocks(inner); why != "" {
				return why
			}
		case "Step":
			open, _ := m["openDuration"].(string)
			if open != "true" && open != "false" {
				return "structure: openDuration must be \"true\" or \"false\""
			}
			if n, _ := length["value"].(float64); open == "false" && (n <= 0 || length["unit"] != "Second") {
				return "structure: a step needs a length in seconds"
			}
			for _, key := range []string{"intensityTarget", "cadenceTarget"} {
				t, has := m[key].(map[string]any)
				if !has {
					continue
				}
				switch t["unit"] {
				case "PercentOfFTP", "PowerCustom", "HeartRateCustom", "Cadence", "Power", "HeartRate":
				default:
					return "structure: unknown target unit"
				}
				lo, _ := t["minValue"].(float64)
				hi, _ := t["maxValue"].(float64)
				if t["unit"] != "Power" && t["unit"] != "HeartRate" && (lo <= 0 || hi < lo) {
					return "structure: target range out of order"
				}
			}
		default:
			return "structure: unknown step type"
		}
	}
	return ""
}

// listWorkouts is the account's custom workouts, PageIndex from 1.
func (s *Server) listWorkouts(w http.ResponseWriter, r *http.Request) {
	page, err1 := strconv.Atoi(r.URL.Query().Get("PageIndex"))
	size, err2 := strconv.Atoi(r.URL.Query().Get("PageSize"))
	if err1 != nil || err2 != nil || page < 1 || size < 1 {
		fail(w, codeBadParam, "PageIndex and PageSize are required")
		return
	}
	all := s.Workouts()
	if s.opts.WorkoutsNotListed {
		all = nil
	}
	items := []map[string]any{}
	for i := (page - 1) * size; i < len(all) && i < page*size; i++ {
		items = append(items, map[string]any{"workoutId": all[i].ID, "title": all[i].Title, "totalTime": all[i].TotalTime})
	}
	ok(w, map[string]any{"items": items, "total": len(all)})
}

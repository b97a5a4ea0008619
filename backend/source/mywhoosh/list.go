package mywhoosh

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/source"
)

// maxPages bounds a listing whatever totalPages says.
const maxPages = 1000

// requestedPageSize is sent as "limit"; the server may ignore it, so paging
// never relies on it.
const requestedPageSize = 50

type listRequest struct {
	Page     int    `json:"page"`
	SortDate string `json:"sortDate"`
	Type     string `json:"type"`
	Limit    int    `json:"limit"`
}

// listPage is one page of the activity list, whatever shape it came in.
type listPage struct {
	rows       []json.RawMessage
	totalPages int
	hasTotal   bool
}

func (cl *Client) listPage(ctx context.Context, page int) (listPage, error) {
	env, err := cl.profile(ctx, "/v2/rider/profile/activities", listRequest{
		Page: page, SortDate: "DESC", Type: "", Limit: requestedPageSize,
	})
	if err != nil {
		return listPage{}, err
	}
	p, err := parseListPage(env)
	if err != nil {
		return listPage{}, err
	}
	cl.log.Debug("activity page", "page", page, "keys", env.keys(), "code", env.str("code"),
		"rows", len(p.rows), "limit_sent", requestedPageSize, "total_pages", p.totalPages, "has_total", p.hasTotal)
	return p, nil
}

// parseListPage reads data.results + data.totalPages, and the older shapes
// some clients still accept: data as a bare list, or a top-level activities,
// results, rides or rideHistory list.
func parseListPage(env envelope) (listPage, error) {
	var p listPage
	listKeys := []string{"results", "activities", "rides", "rideHistory"}
	totalKeys := []string{"totalPages", "lastPage", "totalPage"}
	if data, ok := env["data"]; ok && !isNull(data) {
		data = bytes.TrimSpace(data)
		switch {
		case len(data) > 0 && data[0] == '[':
			if err := json.Unmarshal(data, &p.rows); err != nil {
				return p, fmt.Errorf("MyWhoosh activity list: %w", err)
			}
			p.totalPages, p.hasTotal = intField(env, totalKeys)
			return p, nil
		case len(data) > 0 && data[0] == '{':
			var inner envelope
			if err := json.Unmarshal(data, &inner); err != nil {
				return p, fmt.Errorf("MyWhoosh activity list: %w", err)
			}
			for _, k := range listKeys {
				if raw, ok := inner[k]; ok && !isNull(raw) {
					if err := json.Unmarshal(raw, &p.rows); err != nil {
						return p, fmt.Errorf("MyWhoosh activity list %s: %w", k, err)
					}
					p.totalPages, p.hasTotal = intField(inner, totalKeys)
					if !p.hasTotal {
						p.totalPages, p.hasTotal = intField(env, totalKeys)
					}
					return p, nil
				}
			}
			// An empty account can answer {"totalPages":0} with no list at all.
			if n, ok := intField(inner, totalKeys); ok {
				p.totalPages, p.hasTotal = n, true
				return p, nil
			}
		}
	}
	for _, k := range listKeys {
		if raw, ok := env[k]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &p.rows); err != nil {
				return p, fmt.Errorf("MyWhoosh activity list %s: %w", k, err)
			}
			p.totalPages, p.hasTotal = intField(env, totalKeys)
			return p, nil
		}
	}
	return p, fmt.Errorf("MyWhoosh activity list has an unknown shape (keys %s)", env.keys())
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func intField(e envelope, keys []string) (int, bool) {
	for _, k := range keys {
		if raw, ok := e[k]; ok {
			var n flexNum
			if json.Unmarshal(raw, &n) == nil && n.ok {
				return int(n.v), true
			}
		}
	}
	return 0, false
}

// flexStr takes a string or a number (ids come both ways).
type flexStr string

func (s *flexStr) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	var str string
	if json.Unmarshal(b, &str) == nil {
		*s = flexStr(strings.TrimSpace(str))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return nil // an object where an id should be: treat as absent
	}
	*s = flexStr(n.String())
	return nil
}

// flexNum takes a number or a numeric string.
type flexNum struct {
	v  float64
	ok bool
}

func (n *flexNum) UnmarshalJSON(b []byte) error {
	var f float64
	if json.Unmarshal(b, &f) == nil {
		*n = flexNum{f, true}
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			*n = flexNum{f, true}
		}
	}
	return nil
}

// row is one listed ride. Public clients read differing names for the same
// fields; each is taken: id, _id or activityId for the ride; activityFileId
// or userFileId for the file; startDatetime or startDateTime for the start.
type row struct {
	ID             flexStr `json:"id"`
	MongoID        flexStr `json:"_id"`
	ActivityID     flexStr `json:"activityId"`
	ActivityFileID flexStr `json:"activityFileId"`
	UserFileID     flexStr `json:"userFileId"`
	Title          string  `json:"title"`
	Name           string  `json:"name"`
	Date           flexNum `json:"date"`
	StartDatetime  string  `json:"startDatetime"`
	StartDateTime  string  `json:"startDateTime"`
	SportType      flexStr `json:"sportType"`
}

// start is the listing's start time: startDatetime (UTC), else date in epoch
// seconds (values above 1e11 are milliseconds). A time outside the years
// 0-9999 is unknown: the store cannot read such a time back.
func (r row) start() time.Time {
	if t := r.rawStart(); t.Year() >= 0 && t.Year() <= 9999 {
		return t
	}
	return time.Time{}
}

func (r row) rawStart() time.Time {
	s := strings.TrimSpace(r.StartDatetime)
	if s == "" {
		s = strings.TrimSpace(r.StartDateTime)
	}
	if s != "" {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC()
			}
		}
	}
	if r.Date.ok && r.Date.v > 0 {
		if r.Date.v > 1e11 {
			return time.UnixMilli(int64(r.Date.v)).UTC()
		}
		return time.Unix(int64(r.Date.v), 0).UTC()
	}
	return time.Time{}
}

func firstOf(vals ...flexStr) string {
	for _, v := range vals {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

func sportFor(sportType string) string {
	switch strings.ToLower(strings.TrimSpace(sportType)) {
	case "run", "running", "virtualrun", "virtual_run", "virtual run":
		return "VirtualRun"
	}
	return "VirtualRide"
}

func (r row) activity() (source.Activity, bool) {
	id := firstOf(r.ID, r.MongoID, r.ActivityID)
	fid := firstOf(r.ActivityFileID, r.UserFileID)
	if id == "" {
		id = fid
	}
	if id == "" {
		return source.Activity{}, false
	}
	name := strings.TrimSpace(r.Title)
	if name == "" {
		name = strings.TrimSpace(r.Name)
	}
	a := source.Activity{
		RemoteID:  id,
		Name:      name,
		Sport:     sportFor(string(r.SportType)),
		StartHint: r.start(),
		Device:    Device,
		Extra:     map[string]string{},
	}
	if fid == "" {
		a.SkipReason = NoFileReason
	} else {
		a.Extra["fileId"] = fid
	}
	return a, true
}

// List yields the rides in q's range, newest first. Paging runs from page 1
// until totalPages or an empty page, and stops early once rows are older
// than q.Since.
func (cl *Client) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	seen := map[string]bool{}
	sportTypes := map[string]int{} // sportType values are undocumented: log what comes
	yielded, skipped := 0, 0
	for page := 1; page <= maxPages; page++ {
		source.ListingPage(ctx, page)
		p, err := cl.listPage(ctx, page)
		if err != nil {
			return fmt.Errorf("listing MyWhoosh rides (page %d): %w", page, err)
		}
		if len(p.rows) == 0 {
			break
		}
		fresh, older := 0, false
		for _, raw := range p.rows {
			var r row
			if err := json.Unmarshal(raw, &r); err != nil {
				cl.log.Warn("unreadable MyWhoosh row", "page", page, "error", err)
				continue
			}
			a, ok := r.activity()
			if !ok {
				cl.log.Warn("MyWhoosh row without any id", "page", page)
				continue
			}
			if seen[a.RemoteID] {
				continue
			}
			seen[a.RemoteID] = true
			sportTypes[string(r.SportType)]++
			fresh++
			if !q.Since.IsZero() && !a.StartHint.IsZero() && a.StartHint.Before(q.Since) {
				older = true
				continue
			}
			if !q.Contains(a.StartHint) {
				continue
			}
			if a.SkipReason != "" {
				skipped++
				cl.log.Info("MyWhoosh ride has no FIT file", "id", a.RemoteID, "start", a.StartHint)
			}
			yielded++
			if err := yield(a); err != nil {
				return err
			}
		}
		switch {
		case older:
			// Newest first: everything after this is older still.
			cl.log.Debug("reached rides older than the range", "page", page)
		case fresh == 0:
			// A server that ignores "page" repeats itself; nothing new will come.
			cl.log.Warn("MyWhoosh repeated a page; stopping", "page", page)
		case p.hasTotal && page >= p.totalPages:
		default:
			continue
		}
		break
	}
	cl.log.Info("listed MyWhoosh rides", "yielded", yielded, "without_file", skipped, "sport_types", fmt.Sprint(sportTypes))
	return nil
}

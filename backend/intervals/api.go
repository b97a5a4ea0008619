package intervals

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"fitbridge/backend/httpcall"
)

var _ Service = (*Client)(nil)

// ListFields is the projection asked for when listing: what duplicate
// matching needs, nothing more (reference section 5).
const ListFields = "id,start_date,start_date_local,timezone,elapsed_time,moving_time,distance,type,external_id,source,oauth_client_name,device_name,file_type,strava_id,trainer,name"

// Athlete checks the key and returns its owner.
func (c *Client) Athlete(ctx context.Context) (Athlete, error) {
	const op = "check the Intervals.icu connection"
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/api/v1/athlete/0"})
	if err != nil {
		return Athlete{}, err
	}
	var w athleteWire
	if err := json.Unmarshal(resp.body, &w); err != nil {
		return Athlete{}, fmt.Errorf("%s: unreadable athlete record: %w", op, err)
	}
	a := w.athlete()
	if a.ID == "" {
		return Athlete{}, fmt.Errorf("%s: the athlete record has no id", op)
	}
	// The native feed flags tell which rides may already be arriving by
	// other paths (open question: is there a Zwift feed at all?).
	c.log.Debug("intervals athlete",
		"id", a.ID, "timezone", a.Timezone, "status", w.Status, "keys", len(httpcall.JSONKeys(resp.body)),
		"garmin_sync", boolAttr(w.GarminSync), "strava_authorized", boolAttr(w.StravaAuthorized),
		"strava_sync", boolAttr(w.StravaSync), "zwift_user", w.ZwiftUserID != "",
		"zwift_sync", boolAttr(w.ZwiftSync), "wahoo_user", w.WahooUserID != "", "wahoo_sync", boolAttr(w.WahooSync))
	return a, nil
}

// Activities lists every activity whose local start lies in [oldest, newest].
// Only the wall clocks of the bounds are sent (the service reads them in the
// athlete's zone), so convert them with In(athlete zone) or pad by a day.
// A zero newest means now. A window that comes back with SplitAt rows or
// more is split until none does, so neither the row limit nor a lower cap
// the service applies without saying cuts anything off. Rows are newest first.
func (c *Client) Activities(ctx context.Context, oldest, newest time.Time) ([]Activity, error) {
	if newest.IsZero() {
		newest = time.Now().In(oldest.Location())
	}
	oldest, newest = WallClock(oldest).Truncate(time.Second), WallClock(newest).Truncate(time.Second)
	if newest.Before(oldest) {
		return nil, fmt.Errorf("list Intervals.icu activities %s to %s: the window ends before it starts", localParam(oldest), localParam(newest))
	}
	l := lister{c: c, seen: map[string]bool{}}
	if err := l.window(ctx, oldest, newest); err != nil {
		return nil, err
	}
	return l.out, nil
}

type lister struct {
	c    *Client
	seen map[string]bool
	out  []Activity
}

// SplitAt is the row count from which a listing window is split in two.
// Nothing shows that the service honours limit=1000, and a quietly lower cap
// would hide rides from the duplicate check: splitting well below the limit
// keeps every window short of any cap of 100 rows or more.
const SplitAt = 100

// window lists [from, to]; if the answer holds SplitAt rows or more it lists both halves
// instead, newer half first. Halves share their middle second, so rows
// are de-duplicated by id.
func (l *lister) window(ctx context.Context, from, to time.Time) error {
	rows, err := l.c.listOnce(ctx, from, to)
	if err != nil {
		return err
	}
	if len(rows) >= min(SplitAt, l.c.pageLimit) {
		if to.Sub(from) >= 2*time.Second {
			mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
			l.c.log.Debug("intervals window has many rows, splitting", "oldest", localParam(from), "newest", localParam(to), "rows", len(rows))
			if err := l.window(ctx, mid, to); err != nil {
				return err
			}
			return l.window(ctx, from, mid)
		}
		l.c.log.Warn("intervals window cannot be split further; some activities may be missing",
			"oldest", localParam(from), "newest", localParam(to), "rows", len(rows))
	}
	for _, a := range rows {
		if a.ID != "" && l.seen[a.ID] {
			continue
		}
		l.seen[a.ID] = true
		l.out = append(l.out, a)
	}
	return nil
}

func (c *Client) listOnce(ctx context.Context, from, to time.Time) ([]Activity, error) {
	op := fmt.Sprintf("list Intervals.icu activities %s to %s", localParam(from), localParam(to))
	q := url.Values{}
	q.Set("oldest", localParam(from))
	q.Set("newest", localParam(to))
	q.Set("limit", strconv.Itoa(c.pageLimit))
	q.Set("fields", ListFields)
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/api/v1/athlete/0/activities", query: q})
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.body, &raws); err != nil {
		return nil, fmt.Errorf("%s: unreadable answer: %w", op, err)
	}
	out := make([]Activity, 0, len(raws))
	stubs, withExt := 0, 0
	sources := map[string]int{}
	var stubKeys []string
	for _, raw := range raws {
		var w wireActivity
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, fmt.Errorf("%s: unreadable activity: %w", op, err)
		}
		a := w.activity()
		if a.IsStub() {
			stubs++
			if stubKeys == nil {
				stubKeys = httpcall.JSONKeys(raw) // how stubs look under fields= is an open question
			}
		}
		if a.ExternalID != "" {
			withExt++
		}
		sources[a.Source]++
		out = append(out, a)
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.Debug("intervals activities", "oldest", localParam(from), "newest", localParam(to),
			"rows", len(out), "stubs", stubs, "stub_keys", stubKeys, "with_external_id", withExt, "sources", sources)
	}
	return out, nil
}

// GetActivity reads one activity (a stub for Strava ids).
func (c *Client) GetActivity(ctx context.Context, id string) (Activity, error) {
	op := "read Intervals.icu activity " + id
	resp, err := c.do(ctx, call{op: op, method: http.MethodGet, path: "/api/v1/activity/" + url.PathEscape(id)})
	if err != nil {
		return Activity{}, err
	}
	var w wireActivity
	if err := json.Unmarshal(resp.body, &w); err != nil {
		return Activity{}, fmt.Errorf("%s: unreadable answer: %w", op, err)
	}
	a := w.activity()
	if a.ID == "" {
		// An error-shaped 200 ({"error":...}, null) is no activity.
		return Activity{}, fmt.Errorf("%s: the answer has no activity id", op)
	}
	// Which type the service gives MyWhoosh/Zwift/iGPSport files is an open question.
	c.log.Debug("intervals activity", "id", a.ID, "type", a.Type, "source", a.Source, "external_id_len", len(a.ExternalID))
	return a, nil
}

// Upload sends one file. 201 means created; 200 (or 409) means every activity
// in it was already there, and the ids are those of the existing ones, which
// may keep another app's external_id. Retries resend the same bytes, so an
// attempt that landed before its answer was lost comes back as 200.
func (c *Client) Upload(ctx context.Context, u Upload) (UploadResult, error) {
	filename := uploadFilename(u.Filename, u.Data)
	op := "upload " + filename
	if len(u.Data) == 0 {
		return UploadResult{}, fmt.Errorf("%s: the file is empty", op)
	}
	body, ctype, err := multipartFile(filename, u.Data)
	if err != nil {
		return UploadResult{}, fmt.Errorf("%s: %w", op, err)
	}
	q := url.Values{}
	for k, v := range map[string]string{"name": u.Name, "description": u.Description, "device_name": u.DeviceName, "external_id": u.ExternalID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	sum := sha256.Sum256(u.Data)
	resp, err := c.do(ctx, call{
		op: op, method: http.MethodPost, path: "/api/v1/athlete/0/activities", query: q,
		body: body, contentType: ctype,
		ok: func(s int) bool { return s == http.StatusOK || s == http.StatusCreated || s == http.StatusConflict },
	})
	if err != nil {
		return UploadResult{}, err
	}
	ids, top, perr := parseUploadIDs(resp.body)
	// The whole answer holds only ids; it tells whether top-level id and
	// activities[] agree on a duplicate (open question 1).
	c.log.Debug("intervals upload answer", "file", filename, "status", resp.status, "size", len(u.Data),
		"sha256", hex.EncodeToString(sum[:8]), "head", hex.EncodeToString(u.Data[:min(12, len(u.Data))]),
		"kind", sniff(u.Data), "body", snippet(resp.body, 500))
	res := UploadResult{Created: resp.status == http.StatusCreated, IDs: ids, Status: resp.status}
	if len(ids) > 0 {
		res.ID = ids[0]
	}
	if top != "" && len(ids) > 0 && top != ids[0] {
		c.log.Info("intervals upload answer ids disagree", "file", filename, "id", top, "activities_id", ids[0])
	}
	if res.ID == "" && resp.status != http.StatusConflict {
		if perr != nil {
			return UploadResult{}, fmt.Errorf("%s: unreadable answer (%d): %w", op, resp.status, perr)
		}
		return UploadResult{}, fmt.Errorf("%s: Intervals.icu answered %d without an activity id", op, resp.status)
	}
	return res, nil
}

// multipartFile builds the form once, so every retry sends identical bytes.
func multipartFile(filename string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", filename))
	switch sniff(data) {
	case kindGZ:
		h.Set("Content-Type", "application/gzip")
	case kindZIP:
		h.Set("Content-Type", "application/zip")
	default:
		h.Set("Content-Type", "application/octet-stream")
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := pw.Write(data); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// SetType changes an activity's sport, e.g. to VirtualRide after upload.
func (c *Client) SetType(ctx context.Context, id, typ string) error {
	op := fmt.Sprintf("set the type of Intervals.icu activity %s to %s", id, typ)
	body, err := json.Marshal(map[string]string{"type": typ})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = c.do(ctx, call{op: op, method: http.MethodPut, path: "/api/v1/activity/" + url.PathEscape(id), body: body, contentType: "application/json"})
	return err
}

// ActivityURL is where the rider sees an activity on Intervals.icu (the web
// pages live under the same address as the API).
func (c *Client) ActivityURL(id string) string {
	return c.base.String() + "/activities/" + url.PathEscape(id)
}

// SetFlags marks an activity as ridden on a trainer and/or as a commute
// (Activity.trainer and Activity.sub_type COMMUTE): the upload itself takes
// neither, only a later PUT does.
func (c *Client) SetFlags(ctx context.Context, id string, trainer, commute bool) error {
	fields := map[string]any{}
	if trainer {
		fields["trainer"] = true
	}
	if commute {
		fields["sub_type"] = "COMMUTE"
	}
	if len(fields) == 0 {
		return nil
	}
	op := fmt.Sprintf("mark Intervals.icu activity %s as trainer or commute", id)
	body, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = c.do(ctx, call{op: op, method: http.MethodPut, path: "/api/v1/activity/" + url.PathEscape(id), body: body, contentType: "application/json"})
	return err
}

// DeleteActivity removes one activity (DELETE /api/v1/activity/{id}; the
// athlete-scoped path answers 405). Undo uses it, only on FitBridge's own uploads.
func (c *Client) DeleteActivity(ctx context.Context, id string) error {
	op := "delete Intervals.icu activity " + id
	_, err := c.do(ctx, call{op: op, method: http.MethodDelete, path: "/api/v1/activity/" + url.PathEscape(id)})
	return err
}

// ProbeListWithoutNewest asks for a listing without newest, once and without
// retries, and returns the status: the spec says newest is optional, one
// client says the service answers 422 (open question 5). For diagnostics.
func (c *Client) ProbeListWithoutNewest(ctx context.Context) (int, error) {
	q := url.Values{}
	q.Set("oldest", localParam(time.Now().AddDate(0, 0, -1)))
	q.Set("limit", "1")
	q.Set("fields", "id")
	saved := c.retry
	probe := *c
	probe.retry = RetryPolicy{MaxAttempts: 1, BaseDelay: saved.BaseDelay, MaxDelay: saved.MaxDelay, MaxRetryAfter: saved.MaxRetryAfter}
	resp, err := probe.do(ctx, call{op: "probe listing without newest", method: http.MethodGet, path: "/api/v1/athlete/0/activities", query: q})
	if err != nil {
		if ae, ok := asAPIError(err); ok {
			c.log.Info("intervals listing without newest", "status", ae.Status, "message", ae.Message)
			return ae.Status, nil
		}
		return 0, err
	}
	c.log.Info("intervals listing without newest", "status", resp.status)
	return resp.status, nil
}

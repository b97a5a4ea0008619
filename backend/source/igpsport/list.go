package igpsport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/source"
)

// Extra keys kept with a listed activity for Download.
const extraFitOssPath = "fitOssPath"

// listPage is the data of a queryMyActivity answer. Rows stay raw so one
// odd row cannot spoil a page.
type listPage struct {
	PageNo    int               `json:"pageNo"`
	PageSize  int               `json:"pageSize"`
	TotalPage int               `json:"totalPage"`
	TotalRows int               `json:"totalRows"`
	Rows      []json.RawMessage `json:"rows"`
}

// listRow is the part of a row FitBridge uses.
type listRow struct {
	RideID       rideID  `json:"rideId"`
	ExerciseType *int    `json:"exerciseType"`
	Title        string  `json:"title"`
	StartTime    string  `json:"startTime"`
	ProductName  string  `json:"productName"`
	FitOssPath   *string `json:"fitOssPath"`
}

// rideID keeps whether the field was there at all: 0 is a real ride.
type rideID struct {
	id  string
	set bool
}

func (r *rideID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("rideId %s is not a whole number", b)
	}
	r.id, r.set = strconv.FormatInt(n, 10), true
	return nil
}

// pageFunc fetches list page pageNo (1-based); pages are asked for in order.
type pageFunc func(ctx context.Context, pageNo int) (*listPage, error)

// maxPages bounds a listing whatever the service says (40,000 rides).
const maxPages = 2000

// window widens a query on both sides: list dates are dates only, in a zone
// the service does not state, so a ride can show up to a day off.
const window = 48 * time.Hour

// List yields every ride in q, newest first. The gateway is asked first; a
// China account whose gateway insists on signed requests is listed through
// the web app in a browser instead, without listing a ride twice.
func (c *Client) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	seen := map[string]bool{}
	if !c.signing.Load() {
		err := c.walk(ctx, q, c.apiPages(q), seen, yield)
		if len(seen) == 0 {
			if werr := c.tokenElsewhere(ctx, err); werr != nil {
				return werr
			}
		}
		if !c.chinaSigning(err) {
			return err
		}
	}
	sess, err := c.openWebApp(ctx)
	if err != nil {
		return err
	}
	defer sess.Close()
	var stopped error // the caller's own error, passed back untouched
	err = c.walk(ctx, q, c.browserPages(sess), seen, func(a source.Activity) error {
		stopped = yield(a)
		return stopped
	})
	if stopped != nil {
		return stopped
	}
	return c.webAppFailed(ctx, err)
}

// chinaSigning reports that the China gateway refused an unsigned call, and
// remembers it; it is logged so a real account settles whether signing is
// enforced.
func (c *Client) chinaSigning(err error) bool {
	if c.region != RegionChina || !errors.Is(err, ErrChinaSigning) {
		return false
	}
	if !c.signing.Swap(true) {
		c.log.Info("igpsport China gateway refused an unsigned call: signing is enforced", "err", err)
	}
	return true
}

// apiPages asks the gateway for list pages. Date filters are sent widened;
// rows are still checked against q.
func (c *Client) apiPages(q source.Query) pageFunc {
	return func(ctx context.Context, pageNo int) (*listPage, error) {
		v := url.Values{}
		v.Set("pageNo", strconv.Itoa(pageNo))
		v.Set("pageSize", "20") // the service never gives more
		v.Set("reqType", "0")
		v.Set("sort", "1")
		if c.region == RegionChina {
			v.Set("sortType", "1")
		}
		if !q.Since.IsZero() {
			v.Set("beginTime", q.Since.Add(-window).In(c.zone).Format(time.DateOnly))
		}
		if !q.Until.IsZero() {
			v.Set("endTime", q.Until.Add(window).In(c.zone).Format(time.DateOnly))
		}
		var p listPage
		if err := c.call(ctx, fmt.Sprintf("list iGPSport rides, page %d", pageNo), "GET", pathList, v, nil, &p); err != nil {
			return nil, err
		}
		return &p, nil
	}
}

// walk pages until an empty page, the last page, or a page that brings no
// ride not seen before (the service repeats its last page past the end),
// with a hard bound in case totalPage is wrong.
func (c *Client) walk(ctx context.Context, q source.Query, page pageFunc, seen map[string]bool, yield func(source.Activity) error) error {
	limit := maxPages
	listed, inRange, linked := 0, 0, 0
	for pageNo := 1; pageNo <= limit; pageNo++ {
		source.ListingPage(ctx, pageNo)
		p, err := page(ctx, pageNo)
		if err != nil {
			return err
		}
		if p.TotalPage > 0 && p.TotalPage+2 < limit {
			limit = p.TotalPage + 2
		}
		fresh := 0
		for _, raw := range p.Rows {
			a, ok := c.activity(raw)
			if !ok || seen[a.RemoteID] {
				continue
			}
			seen[a.RemoteID] = true
			fresh++
			listed++
			if a.Extra[extraFitOssPath] != "" {
				linked++
			}
			if !widen(q).Contains(a.StartHint) {
				continue
			}
			inRange++
			if err := yield(a); err != nil {
				return err
			}
		}
		c.log.Debug("igpsport list page", "pageNo", pageNo, "rows", len(p.Rows), "new", fresh,
			"totalPage", p.TotalPage, "totalRows", p.TotalRows, "pageSize", p.PageSize)
		if (len(p.Rows) == 0 || fresh == 0) && p.TotalPage > 0 && pageNo <= p.TotalPage {
			// The list says there is more, yet nothing new came: a partial
			// list would look complete, so stop with the reason instead.
			c.log.Warn("igpsport list stopped short", "pageNo", pageNo, "totalPage", p.TotalPage, "rows", len(p.Rows), "rides", listed)
			return fmt.Errorf("iGPSport's list stopped at page %d of %d with %d rides listed (page %d brought no ride not seen before): stopping rather than bringing in part of the list", pageNo, p.TotalPage, listed, pageNo)
		}
		switch {
		case len(p.Rows) == 0:
			c.log.Info("igpsport list done", "why", "empty page", "pages", pageNo, "rides", listed, "in_range", inRange, "with_fitOssPath", linked)
			return nil
		case fresh == 0:
			c.log.Info("igpsport list done", "why", "page repeated rides already listed", "pages", pageNo, "rides", listed, "in_range", inRange, "with_fitOssPath", linked, "totalPage", p.TotalPage)
			return nil
		case p.TotalPage > 0 && pageNo >= p.TotalPage:
			c.log.Info("igpsport list done", "why", "last page", "pages", pageNo, "rides", listed, "in_range", inRange, "with_fitOssPath", linked, "totalRows", p.TotalRows)
			return nil
		}
	}
	c.log.Warn("igpsport list stopped at the page bound", "pages", limit, "rides", listed)
	return nil
}

// widen stretches q by the date uncertainty of list times.
func widen(q source.Query) source.Query {
	if !q.Since.IsZero() {
		q.Since = q.Since.Add(-window)
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.Add(window)
	}
	return q
}

// activity turns a list row into an Activity; rows without a rideId cannot
// be downloaded and are left out (and logged).
func (c *Client) activity(raw json.RawMessage) (source.Activity, bool) {
	var r listRow
	if err := json.Unmarshal(raw, &r); err != nil {
		c.log.Warn("igpsport list row skipped", "err", err, "row", snippet(raw))
		return source.Activity{}, false
	}
	if !r.RideID.set {
		c.log.Warn("igpsport list row without rideId skipped", "title", r.Title, "startTime", r.StartTime)
		return source.Activity{}, false
	}
	hint, dateOnly := parseListTime(r.StartTime, c.zone)
	a := source.Activity{
		RemoteID:          r.RideID.id,
		Name:              strings.TrimSpace(r.Title),
		Sport:             c.sport(r.ExerciseType),
		StartHint:         hint,
		StartHintDateOnly: dateOnly,
		Device:            deviceName(r.ProductName),
		Extra:             map[string]string{},
	}
	if r.FitOssPath != nil && strings.TrimSpace(*r.FitOssPath) != "" {
		a.Extra[extraFitOssPath] = strings.TrimSpace(*r.FitOssPath)
	}
	if a.StartHint.IsZero() && r.StartTime != "" {
		c.log.Debug("igpsport list startTime not understood", "rideId", a.RemoteID, "startTime", r.StartTime)
	}
	return a, true
}

// sport maps exerciseType to an Intervals.icu type. Only 0 (cycling) is
// known, and only as plain "Ride": the FIT's closer type (gravel, indoor)
// wins over it. For anything else the FIT decides, and the value is logged
// so a real account can fill in the table.
func (c *Client) sport(t *int) string {
	if t == nil {
		return ""
	}
	switch *t {
	case 0:
		return "Ride"
	}
	if _, logged := c.exerciseTypes.LoadOrStore(*t, true); !logged {
		c.log.Info("igpsport unknown exerciseType; the FIT decides the sport", "exerciseType", *t)
	}
	return ""
}

// deviceName is the device_name sent to Intervals.icu.
func deviceName(product string) string {
	product = strings.TrimSpace(product)
	switch {
	case product == "":
		return "iGPSport"
	case strings.HasPrefix(strings.ToLower(product), "igpsport"):
		return product
	}
	return "iGPSport " + product
}

// listTimeLayouts are the startTime forms seen: a dotted date for many
// accounts, a date-time for others. dateOnly marks the forms without a clock.
var listTimeLayouts = []struct {
	layout   string
	dateOnly bool
}{
	{"2006.01.02", true},
	{"2006-01-02 15:04:05", false},
	{"2006.01.02 15:04:05", false},
	{"2006-01-02", true},
	{"2006/01/02 15:04:05", false},
	{"2006/01/02", true},
	{"2006-01-02T15:04:05", false},
}

// parseListTime reads a list or detail time in zone; zero when unknown.
// dateOnly says s was a day without a time (the time is then midnight). A
// time outside the years 0-9999 (UTC) is unknown too: the store cannot read
// such a time back.
func parseListTime(s string, zone *time.Location) (t time.Time, dateOnly bool) {
	if t, dateOnly := rawListTime(s, zone); t.UTC().Year() >= 0 && t.UTC().Year() <= 9999 {
		return t, dateOnly
	}
	return time.Time{}, false
}

func rawListTime(s string, zone *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false
	}
	for _, l := range listTimeLayouts {
		if t, err := time.ParseInLocation(l.layout, s, zone); err == nil {
			return t, l.dateOnly
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		if n > 1e11 {
			return time.UnixMilli(n), false
		}
		return time.Unix(n, 0), false
	}
	return time.Time{}, false
}

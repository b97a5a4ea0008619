// Package example is the smallest whole platform, kept to prove what adding
// one takes: this folder, a registry line, and the conformance suite
// passing over its fake (example_test.go). It reads a made-up service:
//
//	GET /api/rides?page=N[&since=DAY][&until=DAY]  {"rides":[{"id","start","hasFile"}],"next":N}
//	GET /api/rides/{id}/file                      the ride's file
//
// with the session as a bearer token. Only tests import it; it is not in
// the app's registry (source/all).
package example

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

// Name is the platform's name in the registry.
const Name = "example"

// Limits are what the made-up service allows: five calls a second, two files at once.
var Limits = source.Limits{PerSecond: 5, Burst: 1, Concurrency: 2}

func init() {
	source.Register(source.Descriptor{
		Name:        Name,
		DisplayName: "Example",
		Kind:        source.KindCloud,
		Description: "The smallest whole platform, for tests.",
		Limits:      Limits,
		New:         func(cfg source.Config) (source.Source, error) { return New(cfg) },
		Validate: func(ctx context.Context, cfg source.Config) error {
			c, err := New(cfg)
			if err != nil {
				return err
			}
			return c.List(ctx, source.Query{}, func(source.Activity) error { return errStop })
		},
	})
}

var errStop = errors.New("one row is enough")

// Client is a signed-in account.
type Client struct {
	base  string
	token string
	calls *httpcall.Caller
}

// New builds a Client for cfg; source.SettingMinInterval "0s" turns pacing off.
func New(cfg source.Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("no Example session is stored: %w", source.ErrNeedsSignIn)
	}
	limits := Limits
	if d, ok, err := source.MinInterval(cfg); err != nil {
		return nil, err
	} else if ok {
		limits.PerSecond = httpcall.PerSecond(d)
	}
	return &Client{
		base:  strings.TrimRight(cfg.BaseURL, "/"),
		token: cfg.Token,
		calls: httpcall.New(httpcall.Options{
			Name: Name, Limits: limits, Transport: cfg.Transport, Secrets: []string{cfg.Token},
			Classify: classify,
		}),
	}, nil
}

// classify is all a platform tells the call layer: what an answer means.
func classify(r *httpcall.Response, err error) (httpcall.Verdict, error) {
	switch {
	case err != nil:
		return httpcall.Standard(r, err)
	case r.Status == http.StatusUnauthorized:
		return httpcall.NeedsSignIn, errors.New("Example refused the session")
	case r.Status == http.StatusNotFound:
		return httpcall.Skip, errors.New("Example keeps no file for this ride")
	case httpcall.Retryable(r.Status):
		return httpcall.Retry, fmt.Errorf("Example answered HTTP %d", r.Status)
	case r.Status != http.StatusOK:
		return httpcall.Permanent, fmt.Errorf("Example answered HTTP %d: %s", r.Status, httpcall.Snippet(r.Body, 200))
	}
	return httpcall.Accept, nil
}

func (c *Client) get(ctx context.Context, op, path string, file bool) ([]byte, error) {
	resp, err := c.calls.Do(ctx, httpcall.Request{
		Op: op, URL: c.base + path, File: file,
		Header: http.Header{"Authorization": {"Bearer " + c.token}},
	})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// List pages through the rides until the service says there is no next
// page, each ride once however often the pages show it.
func (c *Client) List(ctx context.Context, q source.Query, yield func(source.Activity) error) error {
	seen := map[string]bool{}
	read := 0 // pages read, as the rider counts them, whatever the service numbers them
	for page := 1; page > 0; {
		read++
		source.ListingPage(ctx, read)
		v := url.Values{"page": {strconv.Itoa(page)}}
		if !q.Since.IsZero() {
			v.Set("since", q.Since.Format(time.DateOnly))
		}
		if !q.Until.IsZero() {
			v.Set("until", q.Until.Format(time.DateOnly))
		}
		body, err := c.get(ctx, fmt.Sprintf("list Example rides, page %d", page), "/api/rides?"+v.Encode(), false)
		if err != nil {
			return err
		}
		var ans struct {
			Rides []struct {
				ID      string    `json:"id"`
				Start   time.Time `json:"start"`
				HasFile bool      `json:"hasFile"`
			} `json:"rides"`
			Next int `json:"next"`
		}
		if err := json.Unmarshal(body, &ans); err != nil {
			return fmt.Errorf("list Example rides, page %d: %w", page, err)
		}
		for _, r := range ans.Rides {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			a := source.Activity{RemoteID: r.ID, StartHint: r.Start, Device: "Example"}
			if !r.HasFile {
				a.SkipReason = reason.PlatformKeepsNoFile.Text("Example")
			}
			if err := yield(a); err != nil {
				return err
			}
		}
		page = ans.Next
	}
	return nil
}

// Download fetches the ride's file as the service keeps it.
func (c *Client) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	data, err := c.get(ctx, "download Example ride "+a.RemoteID, "/api/rides/"+url.PathEscape(a.RemoteID)+"/file", true)
	if err != nil {
		return nil, err
	}
	if !sniffed(data) {
		return nil, fmt.Errorf("download Example ride %s: the answer is not an activity file (%d bytes)", a.RemoteID, len(data))
	}
	return data, nil
}

// sniffed accepts FIT, gzip, TCX and GPX by their bytes.
func sniffed(b []byte) bool {
	head := string(b[:min(len(b), 512)])
	switch {
	case len(b) >= 12 && string(b[8:12]) == ".FIT", strings.HasPrefix(head, "\x1f\x8b"):
		return true
	case strings.Contains(head, "<TrainingCenterDatabase"), strings.Contains(head, "<gpx"):
		return true
	}
	return false
}

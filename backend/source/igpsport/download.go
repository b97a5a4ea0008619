package igpsport

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

// errObjectMissing is storage saying the object is not there (404).
var errObjectMissing = errors.New("iGPSport's storage no longer has this file")

// errLinkUnusable is a link that cannot fetch the file while another of the
// ride's links still may: not a web address, or refused by storage (403).
var errLinkUnusable = errors.New("iGPSport gave a download link that does not work")

// errStoppedSending ends this run's downloads after several empty files in
// a row; the rides left fail without being permanent, so the next run
// tries them again.
var errStoppedSending = errors.New("iGPSport stopped sending files (daily download limit?); try again tomorrow")

// Storage sent empty files after about 50 downloads a day: once that starts,
// downloads are spaced by a random gap, and stopAfterEmpty in a row end them.
const (
	emptyGapMin    = 4 * time.Second
	emptyGapSpread = 2 * time.Second
	stopAfterEmpty = 3
)

// Download fetches a ride's FIT file. The link comes from the list row's
// fitOssPath, else the ride detail's fitUrl, else getDownloadUrl; the file
// itself is fetched from object storage without the bearer token.
func (c *Client) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	id := a.RemoteID
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return nil, source.Skip("iGPSport ride id %q is not a number", id)
	}
	c.emptyMu.Lock()
	stopped, slow := c.emptyRun >= stopAfterEmpty, c.emptySeen
	c.emptyMu.Unlock()
	if stopped {
		return nil, errStoppedSending
	}
	if slow {
		if err := c.calls.Sleep(ctx, emptyGapMin+rand.N(emptyGapSpread+1)); err != nil {
			return nil, err
		}
	}
	links := []struct {
		via  string
		link func(context.Context) (string, error)
	}{
		{"list fitOssPath", func(context.Context) (string, error) { return a.Extra[extraFitOssPath], nil }},
		{"detail fitUrl", func(ctx context.Context) (string, error) { return c.detailFitURL(ctx, id) }},
		{"getDownloadUrl", func(ctx context.Context) (string, error) { return c.downloadURL(ctx, id) }},
	}
	tried := map[string]bool{}
	var lastErr error
	for _, l := range links {
		link, err := l.link(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, source.ErrNeedsSignIn) {
				return nil, err
			}
			c.chinaSigning(err)
			c.log.Info("igpsport download link not available", "rideId", id, "via", l.via, "err", err)
			lastErr = err
			continue
		}
		if link == "" || tried[link] {
			continue
		}
		tried[link] = true
		data, err := c.fetchFIT(ctx, id, l.via, link)
		if errors.Is(err, errEmptyFile) {
			return nil, c.emptyFile(id, err)
		}
		if err == nil {
			c.emptyMu.Lock()
			c.emptyRun = 0
			c.emptyMu.Unlock()
		}
		if errors.Is(err, errObjectMissing) || errors.Is(err, errLinkUnusable) {
			c.log.Info("igpsport download link did not work, trying the next", "rideId", id, "via", l.via, "err", err)
			lastErr = err
			continue // an old or private link can fail while another path still works
		}
		return data, err
	}
	switch {
	case lastErr == nil:
		return nil, source.Skip("%s", reason.PlatformNoFITFile.Text("iGPSport"))
	case errors.Is(lastErr, errObjectMissing):
		return nil, source.Skip("%s", reason.PlatformFileGone.Text("iGPSport"))
	case errors.Is(lastErr, errLinkUnusable):
		return nil, lastErr // names the ride and the link already
	case errors.Is(lastErr, ErrChinaSigning):
		return nil, fmt.Errorf("download iGPSport ride %s: %w: this ride has no direct file link (%v)", id, ErrChinaSigning, lastErr)
	}
	return nil, fmt.Errorf("download iGPSport ride %s: %w", id, lastErr)
}

// errEmptyFile is storage answering 200 with no bytes. It is a failure to
// retry, not a skip: the file is there, the day's downloads are not.
var errEmptyFile = errors.New("iGPSport's storage sent an empty file (it does this after many downloads in a day); FitBridge will try again later")

// emptyFile counts an empty file and says whether this run should stop.
func (c *Client) emptyFile(id string, err error) error {
	c.emptyMu.Lock()
	c.emptySeen = true
	c.emptyRun++
	n := c.emptyRun
	c.emptyMu.Unlock()
	if n >= stopAfterEmpty {
		c.log.Warn("igpsport storage keeps sending empty files: no more downloads this run", "rideId", id, "in_a_row", n)
		return errStoppedSending
	}
	c.log.Info("igpsport storage sent an empty file: spacing out downloads", "rideId", id, "in_a_row", n)
	return err
}

// detailFitURL reads fitUrl from the ride detail.
func (c *Client) detailFitURL(ctx context.Context, id string) (string, error) {
	var d struct {
		FitURL               *string `json:"fitUrl"`
		StartTime            string  `json:"startTime"`
		DataSyncStravaStatus *int    `json:"dataSyncStravaStatus"`
	}
	if err := c.call(ctx, "read iGPSport ride "+id, "GET", pathDetail+id, nil, nil, &d); err != nil {
		return "", err
	}
	// Logged for the open questions: the zone of startTime (compare with the
	// FIT's start) and whether the ride also went to Strava.
	c.log.Debug("igpsport ride detail", "rideId", id, "startTime", d.StartTime, "fitUrl", d.FitURL != nil && *d.FitURL != "",
		"dataSyncStravaStatus", d.DataSyncStravaStatus)
	if d.FitURL == nil {
		return "", nil
	}
	return strings.TrimSpace(*d.FitURL), nil
}

// downloadURL asks getDownloadUrl; its data is the link itself, or {url}.
func (c *Client) downloadURL(ctx context.Context, id string) (string, error) {
	var raw json.RawMessage
	if err := c.call(ctx, "get iGPSport download link for ride "+id, "GET", pathDownload+id, nil, nil, &raw); err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var o struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", fmt.Errorf("get iGPSport download link for ride %s: unexpected answer %s", id, snippet(raw))
	}
	return strings.TrimSpace(o.URL), nil
}

// fetchFIT gets the file from object storage. It uses the storage client,
// which never carries the bearer: storage links are plain object URLs.
func (c *Client) fetchFIT(ctx context.Context, id, via, link string) ([]byte, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("download iGPSport ride %s: the %s link is not a web address: %w", id, via, errLinkUnusable)
	}
	op := "download iGPSport ride " + id
	resp, err := c.calls.Do(ctx, httpcall.Request{
		Op: op, URL: link, Client: c.storage, File: true,
		Header: http.Header{"User-Agent": {userAgent}, "Accept": {"*/*"}},
		Classify: func(r *httpcall.Response, err error) (httpcall.Verdict, error) {
			if err == nil && !httpcall.Retryable(r.Status) {
				return httpcall.Accept, nil
			}
			verdict, why := c.retry(op, r, err)
			if err == nil {
				why = &APIError{Op: op, Status: r.Status, Message: snippet(r.Body)}
			}
			return verdict, why
		},
	})
	if err != nil {
		return nil, err
	}
	status, h, body := resp.Status, resp.Header, resp.Body
	head := body[:min(len(body), 12)]
	c.log.Debug("igpsport download", "rideId", id, "via", via, "host", u.Host, "status", status,
		"content_type", h.Get("Content-Type"), "content_encoding", h.Get("Content-Encoding"),
		"content_disposition", h.Get("Content-Disposition"), "size", len(body), "head", hex.EncodeToString(head))
	switch {
	case status == http.StatusNotFound:
		return nil, fmt.Errorf("%s (%s): %w", op, via, errObjectMissing)
	case status == http.StatusForbidden:
		// AccessDenied: a plain link to a private object; a signed link from
		// getDownloadUrl can still work.
		return nil, fmt.Errorf("%s (%s): storage refused the link (HTTP 403 %s): %w", op, via, ossCode(body), errLinkUnusable)
	case status != http.StatusOK:
		return nil, &APIError{Op: op, Status: status, Message: snippet(body)}
	case len(body) == 0:
		// The China service once sent empty files after about 50 downloads a day.
		return nil, errEmptyFile
	case bytes.HasPrefix(body, []byte{0x1f, 0x8b}):
		return body, nil // gzip: the caller sniffs it
	case len(body) < 12 || string(body[8:12]) != ".FIT":
		return nil, fmt.Errorf("%s: iGPSport's storage sent something that is not a FIT file (%d bytes, %s)", op, len(body), strings.TrimSpace(h.Get("Content-Type")))
	}
	return body, nil
}

// ossCode is the Code of an object storage error answer ("AccessDenied").
func ossCode(body []byte) string {
	var e struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal(body, &e) != nil || e.Code == "" {
		return "without a code"
	}
	return snippet([]byte(e.Code))
}

// Package update asks the project's public releases feed whether a newer
// FitBridge exists. It only reads: it never downloads or installs anything,
// and the request carries nothing about the rider (no id, no library facts).
package update

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Repo is the project's public repository on GitHub (owner/name). The
// packages' metadata and the update check both take it from here.
const Repo = "fitbridge/fitbridge"

// FeedURL is the releases feed: GitHub's latest published release, which
// leaves out drafts and pre-releases.
const FeedURL = "https://api.github.com/repos/" + Repo + "/releases/latest"

// maxFeedBytes bounds what is read of the feed's answer; a release's JSON is
// a few kilobytes even with long notes.
const maxFeedBytes = 1 << 20

// Release is the newest published release.
type Release struct {
	Version string // without the leading "v"
	URL     string // its release notes page
}

// Latest fetches the newest release from the feed at feedURL. The request
// has a User-Agent naming FitBridge's version and nothing else of the rider's.
func Latest(ctx context.Context, client *http.Client, feedURL, userAgent string) (Release, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return Release{}, fmt.Errorf("ask for the latest release: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		return Release{}, fmt.Errorf("ask for the latest release: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Release{}, fmt.Errorf("ask for the latest release: the feed answered %s", resp.Status)
	}
	var body struct {
		TagName    string `json:"tag_name"`
		HTMLURL    string `json:"html_url"`
		Draft      bool   `json:"draft"`
		Prerelease bool   `json:"prerelease"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxFeedBytes)).Decode(&body); err != nil {
		return Release{}, fmt.Errorf("read the latest release: %w", err)
	}
	if body.Draft || body.Prerelease {
		return Release{}, fmt.Errorf("read the latest release: the feed gave a draft or pre-release")
	}
	v := strings.TrimPrefix(body.TagName, "v")
	if _, ok := parse(v); !ok {
		return Release{}, fmt.Errorf("read the latest release: %q is not a version", body.TagName)
	}
	// The link is opened in the rider's browser: only a web page will do.
	u, err := url.Parse(body.HTMLURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Release{}, fmt.Errorf("read the latest release: %q is not a web page", body.HTMLURL)
	}
	return Release{Version: v, URL: u.String()}, nil
}

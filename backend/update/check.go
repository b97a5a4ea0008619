package update

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Interval is how often the feed is asked at most.
const Interval = 24 * time.Hour

// stateFile, in the data folder, remembers the last answer, so that opening
// the window many times a day asks the feed once.
const stateFile = "update-check.json"

// Notice is what the window shows: a newer version and where its notes are.
// The zero Notice means nothing to show.
type Notice struct {
	Available bool   `json:"available"`
	Version   string `json:"version"`
	URL       string `json:"url"`
}

// Checker asks the feed at most once per Interval.
type Checker struct {
	Home      string       // data folder holding stateFile
	FeedURL   string       // FeedURL, or a local fake in tests
	Current   string       // this build's version
	UserAgent string       // "FitBridge/<version>"
	Client    *http.Client // nil: a client with a short timeout
	Now       func() time.Time
}

type state struct {
	Checked time.Time `json:"checked"`
	Feed    string    `json:"feed"` // the answer is only reused for the same feed
	Version string    `json:"version"`
	URL     string    `json:"url"`
}

// Check returns the notice for the newest release. Within Interval of the
// last successful ask it answers from the data folder without a request.
// A failed ask (offline, feed down) returns the error and is not remembered,
// so the next start tries again.
func (c *Checker) Check(ctx context.Context) (Notice, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	path := filepath.Join(c.Home, stateFile)
	st, err := readState(path)
	if err != nil || st.Feed != c.FeedURL || now().Sub(st.Checked) >= Interval || now().Before(st.Checked) {
		client := c.Client
		if client == nil {
			client = &http.Client{Timeout: 15 * time.Second}
		}
		rel, err := Latest(ctx, client, c.FeedURL, c.UserAgent)
		if err != nil {
			return Notice{}, err
		}
		st = state{Checked: now().UTC(), Feed: c.FeedURL, Version: rel.Version, URL: rel.URL}
		if err := writeState(path, st); err != nil {
			return Notice{}, err
		}
	}
	if !Newer(st.Version, c.Current) {
		return Notice{}, nil
	}
	return Notice{Available: true, Version: st.Version, URL: st.URL}, nil
}

func readState(path string) (state, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return state{}, err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return state{}, fmt.Errorf("read %s: %w", stateFile, err)
	}
	return st, nil
}

func writeState(path string, st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("remember the update check: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("remember the update check: %w", err)
	}
	return nil
}

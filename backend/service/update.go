package service

import (
	"context"

	"fitbridge/backend/update"
)

// UpdateNotice says whether a newer FitBridge has been released, asking the
// project's releases feed at most once a day. Off with the setting or
// FITBRIDGE_NO_UPDATE_CHECK=1; FITBRIDGE_UPDATE_URL points it elsewhere
// (tests). Offline or on any trouble it shows nothing: a missed notice costs
// the rider nothing, a false alarm would.
func (s *Service) UpdateNotice(ctx context.Context) update.Notice {
	if s.getenv("FITBRIDGE_NO_UPDATE_CHECK") == "1" || s.Settings().NoUpdateCheck {
		return update.Notice{}
	}
	feed := s.getenv("FITBRIDGE_UPDATE_URL")
	if feed == "" {
		feed = update.FeedURL
	}
	c := &update.Checker{Home: s.Home, FeedURL: feed, Current: Version, UserAgent: UserAgent()}
	n, err := c.Check(ctx)
	if err != nil {
		s.Log.Info("no update notice", "reason", err)
		return update.Notice{}
	}
	return n
}

// UserAgent is how FitBridge names itself to the services it calls.
func UserAgent() string { return "FitBridge/" + Version }

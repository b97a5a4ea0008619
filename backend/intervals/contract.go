// Package intervals talks to the Intervals.icu REST API: who the athlete is,
// what activities already exist in a date window, uploading a file, setting
// an activity's type.
package intervals

import (
	"context"
	"errors"
	"fitbridge/backend/httpcall"
	"fmt"
	"time"
)

// DefaultBaseURL is the real service.
const DefaultBaseURL = "https://intervals.icu"

// Athlete is the owner of the API key.
type Athlete struct {
	ID       string
	Name     string
	Timezone string // IANA name; needed to compare Strava stubs' local starts
	// Imperial is the athlete's own choice of miles and feet in Intervals.icu;
	// FitBridge shows distances the same way unless the rider says otherwise.
	Imperial bool
	// Native feeds the rider already has switched on (for duplicate warnings).
	GarminSync, StravaSync, ZwiftSync, WahooSync bool
}

// Activity is one row of the athlete's activity list, as far as matching needs it.
type Activity struct {
	ID              string
	StartUTC        time.Time // zero for Strava stubs
	StartLocal      time.Time // wall clock, no zone (stored as UTC fields)
	ElapsedS        float64
	MovingS         float64
	DistanceM       float64
	Type            string
	ExternalID      string
	Source          string // STRAVA, UPLOAD, GARMIN_CONNECT, OAUTH_CLIENT...
	OAuthClientName string
	DeviceName      string
	Name            string
	Description     string // only in a single activity's read, not in listings
	Timezone        string // the activity's own IANA zone, when the service knows it
}

// IsStub reports a Strava stub: it carries only a local start.
func (a Activity) IsStub() bool { return a.StartUTC.IsZero() }

// Upload is one file to send.
type Upload struct {
	Filename    string // with an extension that matches the bytes: ride.fit, ride.fit.gz
	Data        []byte
	Name        string
	Description string
	DeviceName  string
	ExternalID  string
}

// UploadResult is Intervals.icu's answer to an upload.
type UploadResult struct {
	// Created is true on 201 (at least one new activity), false on 200/409
	// (every activity in the file was already there).
	Created bool
	ID      string   // activities[0].id, else the top-level id
	IDs     []string // every activity created or matched
	Status  int
}

// APIError is a non-success answer from Intervals.icu.
type APIError struct {
	Op      string // what was being done: "upload ride.fit"
	Status  int
	Message string // the service's message, never a secret
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s: Intervals.icu answered %d", e.Op, e.Status)
	}
	return fmt.Sprintf("%s: Intervals.icu answered %d: %s", e.Op, e.Status, e.Message)
}

// RetryAfterError is a call that ended while Intervals.icu asked for a wait
// (Retry-After) longer than the client waits inside one call, or on its last
// attempt. After is that wait, so the caller can schedule its next try.
type RetryAfterError = httpcall.RetryAfterError

// RetryAfter is the wait Intervals.icu asked for when err ended a call.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}

// Auth reports a rejected key (401/403): the rider must reconnect Intervals.icu.
func (e *APIError) Auth() bool { return e.Status == 401 || e.Status == 403 }

// Permanent reports an answer that retrying the same request will not change.
func (e *APIError) Permanent() bool {
	return e.Status != 429 && e.Status < 500 && !e.Auth()
}

// Service is what the engine needs from Intervals.icu; *Client implements it.
type Service interface {
	Athlete(ctx context.Context) (Athlete, error)
	Activities(ctx context.Context, oldest, newest time.Time) ([]Activity, error)
	Upload(ctx context.Context, u Upload) (UploadResult, error)
	SetType(ctx context.Context, id, typ string) error
}

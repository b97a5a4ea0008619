// Package source defines what every platform FitBridge reads from must provide,
// and the registry the engine consults. The engine never switches on a platform's
// name: it asks the Descriptor what the platform can do.
package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"fitbridge/backend/plan"
	"fitbridge/backend/reason"
)

// Activity is one activity as a platform lists it, before its file is read.
type Activity struct {
	// RemoteID is the platform's own id, as text. "0" is a valid id.
	RemoteID string
	Name     string
	// Sport is the Intervals.icu type (VirtualRide, Ride, Run...) when the
	// platform says it; empty when the file should decide.
	Sport string
	// StartHint is the start the listing shows. Only used to pick date
	// windows: the real start always comes from the file.
	StartHint time.Time
	// StartHintDateOnly says the listing gave only a day (StartHint is its
	// midnight): no time of day may be compared with it.
	StartHintDateOnly bool
	// Device is sent to Intervals.icu as device_name ("MyWhoosh", "iGPSport BSC300").
	Device string
	// SkipReason, when set, means this activity cannot be synced at all
	// (for example: no FIT file on the platform). It is recorded as skipped.
	SkipReason string
	// Extra carries what Download needs later (file ids, storage paths).
	// It is stored with the activity so a resumed run needs no new listing.
	Extra map[string]string
}

// Query bounds a listing. Zero times mean "no bound".
type Query struct {
	Since, Until time.Time
}

// Contains reports whether t falls inside the query's range (Until is inclusive to the day).
func (q Query) Contains(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if !q.Since.IsZero() && t.Before(q.Since) {
		return false
	}
	if !q.Until.IsZero() && !t.Before(q.Until.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// Source is a signed-in account on one platform.
type Source interface {
	// List calls yield for every activity in the query range, newest or oldest
	// first as the platform prefers. An error from yield stops the listing.
	List(ctx context.Context, q Query, yield func(Activity) error) error
	// Download returns the activity's file bytes exactly as the platform
	// serves them (gzip is allowed; the caller sniffs the content).
	Download(ctx context.Context, a Activity) ([]byte, error)
}

// Config is what a platform's constructor gets: the secret and the account's settings.
type Config struct {
	// BaseURL replaces every host of the service (FITBRIDGE_<NAME>_URL); empty for the real hosts.
	BaseURL string
	// Region chosen by the rider (for platforms with several, e.g. iGPSport "intl" or "cn").
	Region string
	// Token is the secret kept in the keyring: a session token, a cookie value.
	Token string
	// Settings are the account's non-secret settings (folder path, coached athlete id).
	Settings map[string]string
	// OnToken, when set, is called when the platform hands out a fresh secret
	// (re-login, exchanged cookie) so the caller can keep it in the keyring.
	OnToken func(token string)
	// OnSetting, when set, is called when the platform learns a non-secret
	// account setting worth keeping (which request form a service takes) so
	// the caller can store it with the account's settings.
	OnSetting func(key, value string)
	// Transport, when set, carries every request to the platform: the
	// diagnostics page records through it what the platform answered. Nil is
	// Go's default transport.
	Transport http.RoundTripper
}

// Session is what a password sign-in hands back.
type Session struct {
	// Token is the secret to keep in the keyring.
	Token string
	// Settings are non-secret account settings learnt at sign-in (a rider
	// id); they are merged into the account's settings.
	Settings map[string]string
}

// Kind tells the window how a platform is connected.
type Kind string

const (
	KindCloud  Kind = "cloud"  // an online account, signed in through a browser, an API login or a pasted token
	KindFolder Kind = "folder" // a folder on this computer (Zwift, a USB head unit)
	// KindFiles is files the rider adds by hand: always there, no account to connect.
	KindFiles Kind = "files"
)

// Region is one of a platform's separate account systems.
type Region struct {
	ID   string // "intl", "cn"
	Name string // shown to the rider
}

// Limits says how gently a platform must be called.
type Limits struct {
	PerSecond   float64 // sustained calls per second to its API
	Burst       int
	Concurrency int // downloads in flight at once
}

// Descriptor announces a platform: what it is, how a rider signs in, how fast it may be called.
type Descriptor struct {
	Name        string // stable id used in the CLI, the database and external ids: "mywhoosh"
	DisplayName string // "MyWhoosh"
	Kind        Kind
	Description string
	Regions     []Region
	// EnvURL is the environment variable that replaces every host of the service.
	EnvURL string
	Limits Limits
	// ComingSoon marks a platform that is shown but cannot be connected yet.
	ComingSoon bool
	// Color is the platform's hue in the window's calendar, list and legend
	// ("#rrggbb"), chosen from a colour-blind friendly set.
	Color string
	// Settings are the account settings a rider may give beyond the sign-in
	// and the region. The CLI's connect flags, the window's connect form and
	// the doctor are derived from them; no layer above source/ names them.
	Settings []Setting

	// New builds a Source for a connected account.
	New func(cfg Config) (Source, error)
	// Capture, when set, describes how to read the session from the platform's own login page.
	Capture func(cfg Config) CaptureSpec
	// Login, when set, signs in with a username and password used once and
	// returns the secret to keep, with what the sign-in taught about the
	// account. The password is never stored.
	Login func(ctx context.Context, cfg Config, username, password string) (Session, error)
	// CleanToken turns what a rider pasted (a header, a cookie line, "Bearer ...") into the bare secret.
	CleanToken func(pasted string) string
	// Validate makes one cheap call proving cfg.Token works.
	Validate func(ctx context.Context, cfg Config) error
	// ExternalID turns a remote id into the external_id sent to Intervals.icu.
	// Nil means "fitbridge-<name>-<remote id>".
	ExternalID func(remoteID string) string
	// FindFolders, for folder sources, lists the folders found on this
	// computer (the Zwift Activities folder, a mounted head unit).
	FindFolders func() []string
	// Watch, when set, blocks until ctx ends and calls changed whenever new
	// activities may have appeared (a file settled in a watched folder), so
	// continuous sync need not wait for its next poll.
	Watch func(ctx context.Context, cfg Config, changed func()) error
	// Unfinished, for folder sources, finds recordings a crash left behind
	// (Zwift's in-progress file with no saved twin) and Recover turns one
	// into a normal activity file in dest, returning its path.
	Unfinished func(cfg Config) ([]Unfinished, error)
	Recover    func(cfg Config, path, dest string) (string, error)
	// AlsoKnownAs lists external ids other tools give the same activity, so
	// their uploads are recognised as already in Intervals.icu.
	AlsoKnownAs func(remoteID string) []string
	// Describe, when set, is what the uploaded activity's description says
	// of where it came from; nil means "From <DisplayName> (id <remote id>)".
	Describe func(remoteID string) string
	// Diagnose, when set, is what the doctor asks this platform once its
	// one harmless call is made: the findings for the platform's open
	// questions and a note. It must not call the platform again.
	Diagnose func(ctx context.Context, p Probe) Diagnosis
	// PlannedWorkouts, when set, is where this platform takes planned
	// workouts from the Intervals.icu calendar (the other direction).
	PlannedWorkouts func(cfg Config) (plan.Target, error)
	// NoPlannedWorkouts, for a platform riders would expect to take them,
	// says in one sentence why it cannot yet.
	NoPlannedWorkouts string
}

// Setting is one account setting a platform declares.
type Setting struct {
	// Key is the name in Config.Settings and the CLI flag (--key).
	Key   string
	Label string // shown in the window's connect form
	Help  string // one line for --help and under the form's field
	// Choices, when set, are the only accepted values; the first is the default.
	Choices []Region
	// Secret settings go to the keyring, never the database, and are never echoed.
	Secret bool
	// Required: the account cannot be connected without it.
	Required bool
	// Folder says the value is a folder on this computer (the window offers Browse…).
	Folder bool
}

// SettingFolder is the setting of folder platforms that holds the folders,
// separated by the OS list separator. Empty means "the folders found on
// this computer" for a platform that finds its own (FindFolders).
const SettingFolder = "folder"

// SettingFor finds a declared setting by key.
func (d Descriptor) SettingFor(key string) (Setting, bool) {
	for _, s := range d.Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// ConnectCommand is the command line that connects an account of this
// platform, derived from how it signs in and what it requires.
func (d Descriptor) ConnectCommand() string {
	cmd := "fitbridge connect " + d.Name
	switch {
	case d.Kind == KindFolder:
		if s, ok := d.SettingFor(SettingFolder); ok && s.Required {
			cmd += " --folder PATH"
		}
	case d.Kind == KindFiles:
		return "fitbridge import PATH"
	case d.Capture != nil:
		cmd += " --browser"
	default:
		cmd += " --token-stdin"
	}
	return cmd
}

// Probe is what the doctor learnt about an account before asking the
// platform its own questions.
type Probe struct {
	Config Config
	// TokenFacts is what may be said of the stored secret (its length and,
	// for a JWT, claim names and lifetime): never the secret itself.
	TokenFacts string
	// Reply is the shape of the sign-in check's last answer (no values), nil when none.
	Reply any
	// Checked is what the sign-in check (Validate) returned.
	Checked error
}

// Finding answers one open question of the platform's API reference.
type Finding struct {
	Question string // its number in the reference's list
	Asked    string // the question itself, for the report
	Answer   string
}

// Diagnosis is what a platform adds to the doctor's check of one account.
type Diagnosis struct {
	Findings []Finding
	// Note is added to the check's note (one fact a line).
	Note string
	// ShowsToken: a finding already gives the stored secret's facts, so
	// the doctor does not repeat them in the note.
	ShowsToken bool
}

// ExternalIDFor returns the external_id for an activity of this platform.
func (d Descriptor) ExternalIDFor(remoteID string) string {
	if d.ExternalID != nil {
		return d.ExternalID(remoteID)
	}
	return fmt.Sprintf("fitbridge-%s-%s", d.Name, remoteID)
}

// ErrNeedsSignIn means the platform refused the stored session: the rider must connect again.
var ErrNeedsSignIn = errors.New(reason.SignInNeeded.Text())

// ErrUnchecked means a session could not be checked either way (the check
// timed out, or the service would not answer it): neither good nor refused.
var ErrUnchecked = errors.New("the sign-in could not be checked")

// SkipError says an activity cannot be synced, with a reason a rider understands.
// Permanent false means "try again later".
type SkipError struct {
	Reason    string
	Permanent bool
}

func (e *SkipError) Error() string { return e.Reason }

// Skip returns a permanent SkipError.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...), Permanent: true}
}

// SettingMinInterval is an account setting every cloud platform honours: the
// least time between two API calls, as a Go duration. Unset means the
// platform's own polite default; "0s" (loopback fakes, benchmarks) means no pause.
const SettingMinInterval = "min_interval"

// MinInterval reads SettingMinInterval; ok is false when it is not set.
func MinInterval(cfg Config) (d time.Duration, ok bool, err error) {
	v, set := cfg.Settings[SettingMinInterval]
	if !set || v == "" {
		return 0, false, nil
	}
	d, err = time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, false, fmt.Errorf("%s %q is not a duration like 250ms", SettingMinInterval, v)
	}
	return d, true, nil
}

// Unfinished is a recording a crash left behind, which can be recovered.
type Unfinished struct {
	Path    string
	Start   time.Time
	End     time.Time
	Records int
}

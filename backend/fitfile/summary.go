// Package fitfile reads activity files (FIT, TCX, GPX, possibly inside gzip or
// zip) and tells what they hold: sport, start, duration, distance, device.
package fitfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Format is the kind of activity file, recognised by content, not by name.
type Format string

const (
	FormatFIT Format = "fit"
	FormatTCX Format = "tcx"
	FormatGPX Format = "gpx"
)

// Session is one sport segment of an activity (a triathlon has several).
type Session struct {
	Sport     string    // FIT sport name, lower case: "cycling", "running", "swimming", "training"...
	SubSport  string    // FIT sub-sport name, lower case: "virtual_activity", "indoor_cycling", "generic"...
	Start     time.Time // UTC
	ElapsedS  float64
	TimerS    float64
	DistanceM float64
}

// Summary is what FitBridge needs to know about an activity file.
type Summary struct {
	Format   Format
	Wrapping string // "", "gzip" or "zip": how the file arrived
	FileType string // FIT file_id.type: "activity", "workout", "course", "settings", "monitoring_b"...; "activity" for TCX/GPX ("course", "workout", "route" when they hold none)

	Sport     string // of the first session
	SubSport  string
	Start     time.Time // UTC start of the first session
	ElapsedS  float64   // whole file: sum over sessions
	TimerS    float64
	DistanceM float64
	AvgPowerW float64 // 0 when unknown
	AvgHR     float64 // 0 when unknown

	ManufacturerID uint16
	Manufacturer   string // "garmin", "mywhoosh", "zwift"...
	ProductID      uint16
	Product        string // product name when known
	Device         string // a rider-facing device name, e.g. "Garmin Edge 530", "MyWhoosh"

	// Sessions has one entry per FIT session (a triathlon has several), per
	// TCX <Activity>, or one for a GPX track. A FIT activity without any
	// session gets one built from its records, so matching always has
	// something to compare.
	Sessions []Session
	// Decoder says which reader produced the summary (for diagnostics).
	Decoder string
	// Repaired tells the rider what was mended in a damaged FIT file ("repaired:
	// the file ended early, 3 minutes of records kept"); "" for a sound file.
	// The summary is that of the repaired copy, which is what is uploaded
	// (UploadBytes).
	Repaired string
	// Note tells what was tolerated or chosen: "zip holds 3 FIT/TCX/GPX
	// files; read ride.fit", "ignored 4 bytes after the end of the FIT data".
	Note string
}

// ErrNotActivity is returned (wrapped, with a Summary still filled in as far as
// known) for files that are sound but hold no activity: workouts, courses,
// settings, monitoring, a GPX route without times.
var ErrNotActivity = errors.New("not an activity")

// UnreadableError says precisely why a file cannot be read: "file ends 19 bytes
// early", "checksum mismatch", "not a FIT, TCX or GPX file".
type UnreadableError struct {
	Reason string
}

func (e *UnreadableError) Error() string { return e.Reason }

// ContentHash is the hex SHA-256 of the bytes exactly as given. It keys the
// local file cache and the ledger.
func ContentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Summarize reads a file's bytes (FIT, TCX, GPX, raw or inside gzip/zip).
// It returns ErrNotActivity (wrapped) for sound non-activity files and an
// *UnreadableError for corrupt or unknown ones. It never panics. With an
// *UnreadableError only Format, Wrapping and Decoder are set, as far as known.
// Of a zip holding several FIT/TCX/GPX files, the first that is an activity
// is read and Summary.Note names it.
func Summarize(data []byte) (Summary, error) {
	return summarize(data)
}

// IntervalsType maps the summary's sport to an Intervals.icu activity type
// ("Ride", "VirtualRide", "Run", "Swim"...); "" when unknown.
func (s Summary) IntervalsType() string {
	return summaryIntervalsType(s)
}

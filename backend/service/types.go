package service

import (
	"fitbridge/backend/backfill"
	"fitbridge/backend/store"
)

// The shapes the window sees. Field names are the JSON the frontend reads.

// Status is the app's overall state, asked for at start-up.
type Status struct {
	FirstRun     bool            `json:"first_run"`     // the wizard has not been finished or dismissed
	WizardStep   string          `json:"wizard_step"`   // where the wizard was left
	Intervals    IntervalsStatus `json:"intervals"`     // the Intervals.icu connection
	KeyringOK    bool            `json:"keyring_ok"`    // an OS keyring is usable
	KeyringError string          `json:"keyring_error"` // why not, in plain words
	DataDir      string          `json:"data_dir"`      // where FitBridge keeps its data
	Demo         bool            `json:"demo"`          // running against the built-in sample services
	Version      string          `json:"version"`
	BrowserFound bool            `json:"browser_found"` // a Chrome-family browser for sign-in exists
	BrowserPath  string          `json:"browser_path"`
	Backfill     Progress        `json:"backfill"` // the current or last run
	Notices      []Notice        `json:"notices"`  // what continuous sync brought in lately
	Settings     Settings        `json:"settings"`
}

// IntervalsStatus is the Intervals.icu account.
type IntervalsStatus struct {
	Connected   bool   `json:"connected"`
	AthleteID   string `json:"athlete_id"`
	AthleteName string `json:"athlete_name"`
	Timezone    string `json:"timezone"`
	Units       string `json:"units"` // "km" or "mi" as the athlete chose in Intervals.icu; "" when unknown
	State       string `json:"state"` // "connected", "needs_sign_in", "" when not connected
	URL         string `json:"url"`   // the athlete's Intervals.icu page
}

// SourceInfo is one platform or folder, connected or not.
type SourceInfo struct {
	Name         string   `json:"name"`         // the platform's stable id
	DisplayName  string   `json:"display_name"` // its name as riders know it
	Kind         string   `json:"kind"`         // "cloud" or "folder"
	Description  string   `json:"description"`
	Regions      []Region `json:"regions"`
	ComingSoon   bool     `json:"coming_soon"`
	CanBrowser   bool     `json:"can_browser"`  // sign in on the platform's own page
	CanPassword  bool     `json:"can_password"` // API login with email/password used once
	CanToken     bool     `json:"can_token"`    // paste a token or cookie
	Connected    bool     `json:"connected"`
	State        string   `json:"state"` // "connected", "needs_sign_in", "error", ""
	StateReason  string   `json:"state_reason"`
	Region       string   `json:"region"`
	Folder       string   `json:"folder"`        // for folder sources
	FoundFolders []string `json:"found_folders"` // folders found on this computer (for a platform that looks)
	Activities   int      `json:"activities"`    // known locally
	LastSync     string   `json:"last_sync"`     // RFC 3339, "" never
	Color        string   `json:"color"`         // the platform's hue in the window, "#rrggbb"
	// Settings the platform declares, with the account's values (never a secret's).
	Settings []SettingInfo `json:"settings"`
}

// Region of a platform with separate account systems.
type Region struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ActivityView is one row of the library, list or calendar.
type ActivityView struct {
	ID           uint        `json:"id"`
	Source       string      `json:"source"`
	RemoteID     string      `json:"remote_id"`
	File         string      `json:"file"`
	Name         string      `json:"name"`
	State        store.State `json:"state"`
	Reason       string      `json:"reason"`
	Permanent    bool        `json:"permanent"`
	NextTry      string      `json:"next_try"`
	Sport        string      `json:"sport"` // Intervals.icu type when known
	Start        string      `json:"start"` // RFC 3339 UTC
	ElapsedS     float64     `json:"elapsed_s"`
	DistanceM    float64     `json:"distance_m"`
	AvgPowerW    float64     `json:"avg_power_w"`
	AvgHR        float64     `json:"avg_hr"`
	Device       string      `json:"device"`
	IntervalsID  string      `json:"intervals_id"`
	IntervalsURL string      `json:"intervals_url"`
	MatchedVia   string      `json:"matched_via"` // e.g. "Strava", "Garmin Connect" for already-in-Intervals rows
	// Repaired says what was mended in a damaged file ("repaired: the file
	// ended early, 3 minutes of records kept"); absent for a sound file.
	Repaired string `json:"repaired,omitempty"`
	// AlreadyInLibrary marks, in an import's answer, a file whose bytes the
	// library already had: nothing new was added.
	AlreadyInLibrary bool `json:"already_in_library,omitempty"`
}

// ActivityFilter narrows the library. Empty fields mean "all".
type ActivityFilter struct {
	Since   string        `json:"since"` // YYYY-MM-DD
	Until   string        `json:"until"`
	Sources []string      `json:"sources"`
	States  []store.State `json:"states"`
}

// ActivityDetail is the drawer: the row, a small chart and the state history.
type ActivityDetail struct {
	Activity ActivityView  `json:"activity"`
	Streams  Streams       `json:"streams"`
	History  []StateChange `json:"history"`
	// Places are where the same file was found besides the activity's own
	// file (another folder, another import); empty when only there.
	Places []string `json:"places"`
}

// Streams are downsampled power and heart rate over time.
type Streams struct {
	T     []float64 `json:"t"`
	Power []float64 `json:"power"`
	HR    []float64 `json:"hr"`
}

// StateChange is one step in an activity's history.
type StateChange struct {
	At     string      `json:"at"`
	State  store.State `json:"state"`
	Reason string      `json:"reason"`
}

// ImportFile is a file the browser hands over (drag and drop in browser mode).
type ImportFile struct {
	Name       string `json:"name"`
	DataBase64 string `json:"data_base64"`
}

// ImportResult lists each given file's outcome, in order.
type ImportResult struct {
	Activities []ActivityView `json:"activities"`
	// Stopped is true when the import was interrupted; NotImported files
	// were then never looked at (what came before is saved).
	Stopped     bool `json:"stopped,omitempty"`
	NotImported int  `json:"not_imported,omitempty"`
}

// BackfillRequest says what to backfill. Empty Sources means every connected
// source; IDs, when set, limits the run to those library rows ("Upload selected").
type BackfillRequest struct {
	Sources []string `json:"sources"`
	Since   string   `json:"since"`
	Until   string   `json:"until"`
	IDs     []uint   `json:"ids"`
	DryRun  bool     `json:"dry_run"`
	// StravaCopies: "keep" or "upload" for this run; empty follows Settings.
	StravaCopies string `json:"strava_copies,omitempty"`
}

// Progress of a run; also sent as the "progress" event.
type Progress = backfill.Progress

// Failure is one activity that failed, with why.
type Failure = backfill.Failure

// Preview is what the wizard and the Backfill screen show before a run:
// per chosen source and for the chosen dates, what the run would do.
type Preview struct {
	Sources []PreviewSource `json:"sources"`
	// StravaCopies says what the run does with Strava copies ("keep" or "upload").
	StravaCopies string `json:"strava_copies"`
}

// PreviewSource counts for one source, in the categories a run's totals
// use: activities (found) = already_in_intervals + to_upload + skipped, and
// skipped is the sum of its reasons.
type PreviewSource struct {
	Name               string `json:"name"`
	DisplayName        string `json:"display_name"`
	Activities         int    `json:"activities"`
	AlreadyInIntervals int    `json:"already_in_intervals"`
	ToUpload           int    `json:"to_upload"`
	Skipped            int    `json:"skipped"`
	NoFile             int    `json:"no_file"`
	ManualEntry        int    `json:"manual_entry"`
	NeedsReview        int    `json:"needs_review"`
	KeptOut            int    `json:"kept_out"`
	Unusable           int    `json:"unusable"`
	// StravaCopies: rides Intervals.icu holds only as Strava copies (in
	// already_in_intervals, or in to_upload when their originals go up).
	StravaCopies int `json:"strava_copies"`
	// NeedsSignIn: the source refused its session, so nothing could be
	// counted; a run cannot take it until it is connected again.
	NeedsSignIn bool   `json:"needs_sign_in"`
	Error       string `json:"error"`
}

// Counting is a preview's listing as it goes ("counting" event).
type Counting struct {
	Source string `json:"source"`
	Found  int    `json:"found"`
	// Page is the page of its listing the source is reading (1-based); 0
	// for a source without pages (a folder).
	Page int `json:"page"`
}

// Settings the rider can change.
type Settings struct {
	ContinuousSync         bool   `json:"continuous_sync"`
	PollMinutes            int    `json:"poll_minutes"`
	Theme                  string `json:"theme"` // "system", "light", "dark"
	StravaMatchesDuplicate bool   `json:"strava_matches_duplicate"`
	WizardDone             bool   `json:"wizard_done"`
	WizardStep             string `json:"wizard_step"`
	// Units: "" follows the Intervals.icu athlete's choice, else "km" or "mi".
	Units string `json:"units"`
	// WeekStart: "monday" (as Intervals.icu) or "sunday".
	WeekStart string `json:"week_start"`
	// Language of the window: "" the system's, else "en" or "de".
	Language string `json:"language"`
	// WorkoutsSync keeps planned workouts current during continuous sync.
	WorkoutsSync bool `json:"workouts_sync"`
	// NoUpdateCheck turns the daily look for a newer FitBridge off. Stored
	// as "off" so a caller that leaves it out keeps the default: on.
	NoUpdateCheck bool `json:"no_update_check"`
}

// Notice is a message from continuous sync ("2 new rides uploaded").
type Notice struct {
	At      string `json:"at"`
	Message string `json:"message"`
	// RunID links an automatic upload's notice to its run (the list of what
	// it uploaded, and its undo); 0 for other notices.
	RunID uint `json:"run_id,omitempty"`
}

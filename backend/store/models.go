package store

import "time"

// State is where an activity is on its way to Intervals.icu. A run is a
// query over states: restart it and it picks up the rows not finished.
// The window's TypeScript type is generated from States.
type State string

// The states. A new one is added here and to States; the window learns it
// from the generated types.
const (
	StateDiscovered    State = "discovered"           // listed by its source, file not read yet (a download lands in one step: cached, read, then ready or not)
	StateReady         State = "ready"                // a sound activity, not known to Intervals.icu
	StateUploaded      State = "uploaded"             // FitBridge put it in Intervals.icu
	StateAlready       State = "already_in_intervals" // Intervals.icu had it already (any source)
	StateSkipped       State = "skipped"              // left out on purpose, with a reason
	StateFailed        State = "failed"               // went wrong; Permanent says whether a retry may help
	StateUnreadable    State = "unreadable"           // corrupt or unknown file
	StateNotAnActivity State = "not_an_activity"      // a workout, course, settings file...
	// StateNeedsReview: Intervals.icu probably has it already; the rider
	// decides ("Upload anyway" or "Keep out"), no run does on its own.
	StateNeedsReview State = "needs_review"
)

// KeptOutReason starts the reason of an activity the rider keeps out of
// Intervals.icu (an undone upload, a probable duplicate they declined).
const KeptOutReason = "kept out"

// States lists every state, in the order an activity meets them.
var States = []State{
	StateDiscovered, StateReady, StateUploaded, StateAlready,
	StateSkipped, StateFailed, StateUnreadable, StateNotAnActivity, StateNeedsReview,
}

// Activity is one activity FitBridge knows of, from any source, with its sync state.
type Activity struct {
	ID         uint   `gorm:"primaryKey"`
	Source     string `gorm:"not null;uniqueIndex:idx_source_remote"`
	RemoteID   string `gorm:"not null;uniqueIndex:idx_source_remote"`
	ExternalID string `gorm:"index"`
	Name       string
	File       string // the path it was imported from, or the platform's file name
	Hash       string `gorm:"index"` // content hash of the cached bytes
	Format     string
	Wrapping   string

	State     State `gorm:"index;not null"`
	Reason    string
	Permanent bool
	NextTry   *time.Time
	Attempts  int
	// UploadAt is set just before an upload is sent. A run that finds it set
	// knows an earlier attempt may have landed: a 200 then means "ours".
	UploadAt *time.Time

	Sport     string     // Intervals.icu type
	FileSport string     // the type the file itself gives (Intervals.icu reads the same)
	Start     *time.Time `gorm:"index"` // UTC, from the file (the listing's hint until then)
	StartHint *time.Time
	ElapsedS  float64
	TimerS    float64
	DistanceM float64
	AvgPowerW float64
	AvgHR     float64
	Device    string
	Sessions  string // JSON []fitfile.Session, for multisport matching
	Extra     string // JSON map the source needs to download again

	// Repaired says what was mended in a damaged file ("repaired: the file
	// ended early, 3 minutes of records kept"); the repaired copy is what
	// goes up, the cached original stays as it was.
	Repaired string
	// Description goes up with the file (from an export archive's CSV).
	Description string
	// Commute is the rider's commute flag from an export archive.
	Commute bool

	// StartHintDateOnly: the listing gave only a day, so the hint's time of
	// day means nothing.
	StartHintDateOnly bool

	// History: the source already held it when the rider connected it.
	// Continuous sync leaves it alone; only a backfill or a selection the
	// rider made takes it up (and clears the mark).
	History bool `gorm:"index;not null;default:false"`
	// RunID is the run that uploaded it (0: none), so the run can be undone.
	RunID uint `gorm:"index;not null;default:0"`

	IntervalsID string
	MatchedVia  string // "Strava", "Garmin Connect", "MyWhoosh"... for already-in-Intervals rows

	CreatedAt time.Time
	UpdatedAt time.Time
}

// StateChange is one line of an activity's history.
type StateChange struct {
	ID         uint `gorm:"primaryKey"`
	ActivityID uint `gorm:"index;not null"`
	At         time.Time
	State      State
	Reason     string
}

// Account is a connected source or Intervals.icu itself. Its secret lives in
// the keyring, never here.
type Account struct {
	Name        string `gorm:"primaryKey"` // "intervals", "mywhoosh", "zwift"...
	Region      string
	State       string // "connected", "needs_sign_in"
	StateReason string
	Identity    string // athlete id, account name: whatever identifies it to the rider
	DisplayName string // e.g. the athlete's name
	Settings    string // JSON map of non-secret settings
	ConnectedAt time.Time
	LastSync    *time.Time
	// HistoryAt is when its first listing after connecting ended: what it
	// held then (or what started before then) is history.
	HistoryAt *time.Time
}

// Account states.
const (
	AccountConnected   = "connected"
	AccountNeedsSignIn = "needs_sign_in"
)

// Setting is one key/value the window keeps.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

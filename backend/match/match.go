// Package match decides whether an activity file is already in Intervals.icu,
// by the decision table of shared/reference/dedup.md (section 6), rules 2-6.
// Rule 1, the local ledger, is the engine's: it runs before an Index is asked.
package match

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"fitbridge/backend/intervals"

	"fitbridge/backend/reason"
)

// Tolerances of the decision table.
const (
	StartWindow   = 5 * time.Minute  // rules 3-5
	DurationShare = 0.10             // ±10 % ...
	DurationFloor = 120.0            // ... or ±120 s, whichever is larger
	DistanceShare = 0.10             // ±10 % ...
	DistanceFloor = 500.0            // ... or ±500 m
	TZWindow      = 38 * time.Hour   // rule 6
	TZStep        = 30 * time.Minute // whole- and half-hour zone errors
	TZSlack       = 2 * time.Second  // "same mm:ss ±2 s"
)

// Session is one sport segment of the candidate file (from fitfile.Summary).
type Session struct {
	StartUTC  time.Time
	ElapsedS  float64
	TimerS    float64
	DistanceM float64
	Type      string // Intervals.icu type (Ride, VirtualRide, Run...); "" when unknown
}

// Candidate is a file about to be uploaded.
type Candidate struct {
	// ExternalIDs are keys the activity may carry in Intervals.icu: ours
	// first, then aliases other tools use (igpsport_<id> for intervalssync).
	ExternalIDs []string
	Sessions    []Session // more than one: multisport
}

// Outcome is what to do with the candidate.
type Outcome string

const (
	Upload    Outcome = "upload"    // nothing matches
	Duplicate Outcome = "duplicate" // skip: already there
	Probable  Outcome = "probable"  // do not upload automatically; list for review
)

// Decision says what to do and why.
type Decision struct {
	Outcome     Outcome
	ActivityID  string   // the matched Intervals.icu activity (first session's)
	ActivityIDs []string // per matched session, for multisport files
	Rule        int      // dedup.md rule: 2-6, 7 for "upload"
	Source      string   // the match's source: STRAVA, GARMIN_CONNECT, OAUTH_CLIENT...
	Client      string   // oauth_client_name for OAUTH_CLIENT matches
	Via         string   // the source as a rider says it: "Strava", "Intervals Companion"
	Type        string   // the matched activity's type
	Delta       time.Duration
	Reason      string // rider-facing
}

// Options tune the decisions.
type Options struct {
	// ReviewStrava lists Strava-stub matches (rule 5) for review instead of
	// skipping them. Stubs hide duration and distance, so only the start
	// can be compared; skipping is the documented default.
	ReviewStrava bool
}

// Index holds an athlete's Intervals.icu activities for fast decisions.
// Safe for concurrent use.
type Index struct {
	tz *time.Location

	mu    sync.RWMutex
	full  []intervals.Activity // sorted by StartUTC
	stubs []intervals.Activity // sorted by StartLocal (wall clock)
	// pending holds activities added since the last read, unsorted: a
	// listing adds thousands in a row, and one merge beats thousands of
	// sorted inserts.
	pending []intervals.Activity
	byExt   map[string]intervals.Activity
	ids     map[string]bool
}

// NewIndex indexes acts; tz is the athlete's zone (Strava stubs carry only
// a local start). Nil means UTC.
func NewIndex(acts []intervals.Activity, tz *time.Location) *Index {
	if tz == nil {
		tz = time.UTC
	}
	ix := &Index{tz: tz, byExt: map[string]intervals.Activity{}, ids: map[string]bool{}}
	for _, a := range acts {
		ix.put(a)
	}
	ix.settleLocked()
	return ix
}

// Add indexes one more activity: rows of a later listing, or our own upload
// right after it landed, so a second copy later in the run is caught.
// Known ids are ignored.
func (ix *Index) Add(a intervals.Activity) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.put(a)
}

func (ix *Index) put(a intervals.Activity) {
	if a.ID != "" {
		if ix.ids[a.ID] {
			return
		}
		ix.ids[a.ID] = true
	}
	if a.ExternalID != "" {
		if _, ok := ix.byExt[a.ExternalID]; !ok {
			ix.byExt[a.ExternalID] = a
		}
	}
	if !a.StartUTC.IsZero() || !a.StartLocal.IsZero() {
		ix.pending = append(ix.pending, a)
	}
}

// read locks the index for reading, with every added activity in place;
// call the returned func to unlock.
func (ix *Index) read() (unlock func()) {
	ix.mu.RLock()
	if len(ix.pending) == 0 {
		return ix.mu.RUnlock
	}
	ix.mu.RUnlock()
	ix.mu.Lock()
	ix.settleLocked()
	return ix.mu.Unlock
}

// settleLocked merges the pending activities into the sorted slices.
func (ix *Index) settleLocked() {
	if len(ix.pending) == 0 {
		return
	}
	var full, stubs []intervals.Activity
	for _, a := range ix.pending {
		if !a.StartUTC.IsZero() {
			full = append(full, a)
		} else {
			stubs = append(stubs, a)
		}
	}
	clear(ix.pending)
	ix.pending = ix.pending[:0]
	ix.full = merge(ix.full, full, startUTC)
	ix.stubs = merge(ix.stubs, stubs, startLocal)
}

// merge returns sorted plus add, sorted by key; earlier entries first on ties.
func merge(sorted, add []intervals.Activity, key func(intervals.Activity) time.Time) []intervals.Activity {
	if len(add) == 0 {
		return sorted
	}
	slices.SortStableFunc(add, func(a, b intervals.Activity) int { return key(a).Compare(key(b)) })
	out := make([]intervals.Activity, 0, len(sorted)+len(add))
	i, j := 0, 0
	for i < len(sorted) && j < len(add) {
		if key(add[j]).Before(key(sorted[i])) {
			out = append(out, add[j])
			j++
		} else {
			out = append(out, sorted[i])
			i++
		}
	}
	out = append(out, sorted[i:]...)
	return append(out, add[j:]...)
}

// Len is the number of indexed activities with a start.
func (ix *Index) Len() int {
	defer ix.read()()
	return len(ix.full) + len(ix.stubs)
}

// hit is the best match of one session.
type hit struct {
	rule  int // 0: none
	act   intervals.Activity
	delta time.Duration // their start − ours
	why   string        // what differs, for rule 4
}

// Decide applies rules 2-6 in order; the first rule any activity meets
// wins, and within a rule the smallest start difference.
func (ix *Index) Decide(c Candidate, opts Options) Decision {
	defer ix.read()()

	for _, id := range c.ExternalIDs {
		if id == "" {
			continue
		}
		if a, ok := ix.byExt[id]; ok {
			d := decision(Duplicate, 2, a, 0)
			d.ActivityIDs = []string{a.ID}
			d.Reason = reason.AlreadySameExternalID.Text(from(d.Via), strconv.Quote(id))
			return d
		}
	}

	hits := make([]hit, 0, len(c.Sessions))
	for _, s := range c.Sessions {
		hits = append(hits, ix.session(s))
	}
	return combine(hits, opts)
}

// session finds the first rule (3, 4, 5, 6) that some activity meets.
func (ix *Index) session(s Session) hit {
	if s.StartUTC.IsZero() {
		return hit{}
	}
	t := s.StartUTC
	var best3, best4 hit
	for _, a := range window(ix.full, t.Add(-StartWindow), t.Add(StartWindow), startUTC) {
		if !Compatible(s.Type, a.Type) {
			continue
		}
		d := a.StartUTC.Sub(t)
		if why := mismatch(s, a); why == "" {
			best3 = closer(best3, hit{rule: 3, act: a, delta: d})
		} else {
			best4 = closer(best4, hit{rule: 4, act: a, delta: d, why: why})
		}
	}
	if best3.rule != 0 {
		return best3
	}
	if best4.rule != 0 {
		return best4
	}

	// Stubs carry a wall clock only: compare ours in the athlete's zone.
	// UTC→local is unambiguous, so the repeated autumn hour still matches.
	local := intervals.WallClock(t.In(ix.tz))
	var best5 hit
	for _, a := range window(ix.stubs, local.Add(-StartWindow), local.Add(StartWindow), startLocal) {
		best5 = closer(best5, hit{rule: 5, act: a, delta: a.StartLocal.Sub(local)})
	}
	if best5.rule != 0 {
		return best5
	}

	var best6 hit
	for _, a := range window(ix.full, t.Add(-TZWindow), t.Add(TZWindow), startUTC) {
		d := a.StartUTC.Sub(t)
		if zoneShift(d) && Compatible(s.Type, a.Type) && durationMatches(s, a) != mismatchYes {
			best6 = closer(best6, hit{rule: 6, act: a, delta: d})
		}
	}
	for _, a := range window(ix.stubs, local.Add(-TZWindow), local.Add(TZWindow), startLocal) {
		if d := a.StartLocal.Sub(local); zoneShift(d) {
			best6 = closer(best6, hit{rule: 6, act: a, delta: d})
		}
	}
	return best6
}

func startUTC(a intervals.Activity) time.Time   { return a.StartUTC }
func startLocal(a intervals.Activity) time.Time { return a.StartLocal }

// window returns the activities of a sorted slice with key in [lo, hi].
func window(s []intervals.Activity, lo, hi time.Time, key func(intervals.Activity) time.Time) []intervals.Activity {
	i := sort.Search(len(s), func(i int) bool { return !key(s[i]).Before(lo) })
	j := sort.Search(len(s), func(i int) bool { return key(s[i]).After(hi) })
	if i >= j {
		return nil
	}
	return s[i:j]
}

func closer(cur, h hit) hit {
	if cur.rule == 0 || abs(h.delta) < abs(cur.delta) {
		return h
	}
	return cur
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// zoneShift reports a start off by whole or half hours (same mm:ss ±2 s):
// the footprint of a wrong time zone, not of a different ride.
func zoneShift(d time.Duration) bool {
	d = abs(d)
	if d <= StartWindow || d > TZWindow {
		return false
	}
	r := d % TZStep
	return r <= TZSlack || TZStep-r <= TZSlack
}

type tri int

const (
	mismatchUnknown tri = iota // nothing to compare
	mismatchNo
	mismatchYes
)

func within(a, b, share, floor float64) bool {
	return math.Abs(a-b) <= math.Max(share*math.Max(a, b), floor)
}

// durationMatches compares elapsed with elapsed, and our timer time with
// their moving time; either agreeing is enough.
func durationMatches(s Session, a intervals.Activity) tri {
	res := mismatchUnknown
	for _, p := range [][2]float64{{s.ElapsedS, a.ElapsedS}, {s.TimerS, a.MovingS}} {
		if p[0] <= 0 || p[1] <= 0 {
			continue
		}
		if within(p[0], p[1], DurationShare, DurationFloor) {
			return mismatchNo
		}
		res = mismatchYes
	}
	return res
}

// mismatch says why a start-matching activity is not the same ride: ""
// when duration and distance agree (rule 3), else what differs (rule 4).
func mismatch(s Session, a intervals.Activity) string {
	switch durationMatches(s, a) {
	case mismatchYes:
		theirs := a.ElapsedS
		if theirs <= 0 {
			theirs = a.MovingS
		}
		ours := s.ElapsedS
		if ours <= 0 {
			ours = s.TimerS
		}
		return reason.LastedInstead.Text(human(seconds(theirs)), human(seconds(ours)))
	case mismatchUnknown:
		return reason.DurationUnknown.Text()
	}
	if s.DistanceM > 0 && a.DistanceM > 0 && !within(s.DistanceM, a.DistanceM, DistanceShare, DistanceFloor) {
		return reason.CoveredInstead.Text(fmt.Sprintf("%.1f", a.DistanceM/1000), fmt.Sprintf("%.1f", s.DistanceM/1000))
	}
	return ""
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// combine turns per-session hits into one decision. A multisport file is a
// duplicate only if every session is; a partial match needs review.
func combine(hits []hit, opts Options) Decision {
	outcome := func(h hit) Outcome {
		switch h.rule {
		case 3:
			return Duplicate
		case 5:
			if opts.ReviewStrava {
				return Probable
			}
			return Duplicate
		case 4, 6:
			return Probable
		}
		return Upload
	}
	var (
		first                 *hit
		dups, probables, none int
		ids                   []string
	)
	for i := range hits {
		h := &hits[i]
		switch outcome(*h) {
		case Duplicate:
			dups++
		case Probable:
			probables++
		default:
			none++
			continue
		}
		ids = append(ids, h.act.ID)
		// The decision shows the weakest matched session: the one a rider must look at.
		if first == nil || outcome(*first) == Duplicate && outcome(*h) == Probable {
			first = h
		}
	}
	if first == nil {
		return Decision{Outcome: Upload, Rule: 7, Reason: "not in Intervals.icu yet"}
	}
	h := *first
	out := Duplicate
	if probables > 0 || none > 0 {
		out = Probable
	}
	d := decision(out, h.rule, h.act, h.delta)
	d.ActivityIDs = ids
	d.Reason = reasonOf(h, out)
	if len(hits) > 1 {
		d.Reason = reason.SomeParts.Text(dups+probables, len(hits), d.Reason)
	}
	return d
}

func decision(o Outcome, rule int, a intervals.Activity, delta time.Duration) Decision {
	return Decision{
		Outcome: o, Rule: rule, ActivityID: a.ID, Source: a.Source, Client: a.OAuthClientName,
		Via: Via(a.Source, a.OAuthClientName), Type: a.Type, Delta: delta,
	}
}

func reasonOf(h hit, o Outcome) string {
	v := from(Via(h.act.Source, h.act.OAuthClientName))
	apart := reason.SameTime.Text()
	if abs(h.delta) >= time.Second {
		apart = reason.Apart.Text(human(abs(h.delta)))
	}
	switch h.rule {
	case 3:
		return reason.AlreadyStarted.Text(v, apart)
	case 4:
		return reason.ProbableDiffers.Text(v, apart, h.why)
	case 5:
		if o == Duplicate {
			return reason.AlreadyStrava.Text(v, apart)
		}
		return reason.ProbableStrava.Text(v, apart)
	case 6:
		if h.delta < 0 {
			return reason.ProbableZoneEarlier.Text(v, human(abs(h.delta)))
		}
		return reason.ProbableZoneLater.Text(v, human(abs(h.delta)))
	}
	return ""
}

func from(via string) string {
	if via == "" {
		return ""
	}
	return reason.From.Text(via)
}

// Via names an activity's source the way a rider would.
func Via(source, client string) string {
	switch source {
	case "OAUTH_CLIENT":
		if client != "" {
			return client
		}
		return reason.ViaOtherApp.Text()
	case "STRAVA":
		return "Strava"
	case "GARMIN_CONNECT":
		return "Garmin Connect"
	case "UPLOAD":
		return reason.ViaFileUpload.Text()
	case "MANUAL":
		return reason.ViaManualEntry.Text()
	case "DROPBOX":
		return "Dropbox"
	case "POLAR":
		return "Polar"
	case "SUUNTO":
		return "Suunto"
	case "COROS":
		return "COROS"
	case "WAHOO":
		return "Wahoo"
	case "ZWIFT":
		return "Zwift"
	case "ZEPP":
		return "Zepp"
	case "CONCEPT2":
		return "Concept2"
	case "HUAWEI":
		return "Huawei"
	}
	return source
}

// human writes a duration the way the reasons use it: "40 s", "2 min", "1 h", "1 h 30 min".
func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// Sport families: types within one family can be the same activity.
var families = map[string]string{}

func init() {
	for fam, types := range map[string][]string{
		"ride": {"Ride", "VirtualRide", "GravelRide", "MountainBikeRide", "Cyclocross", "TrackRide", "EBikeRide", "EMountainBikeRide", "Handcycle", "Velomobile"},
		"run":  {"Run", "VirtualRun", "TrailRun"},
		"swim": {"Swim", "OpenWaterSwim"},
		"walk": {"Walk", "Hike"},
		"row":  {"Rowing", "VirtualRow"},
		"ski":  {"NordicSki", "VirtualSki"},
	} {
		for _, t := range types {
			families[t] = fam
		}
	}
}

// Family is the sport family of an Intervals.icu type ("ride", "run",
// "swim"...); other types are their own family, "" for the wildcards.
func Family(typ string) string {
	switch typ {
	case "", "Other", "Workout":
		return ""
	}
	if f, ok := families[typ]; ok {
		return f
	}
	return typ
}

// Compatible reports whether two types can describe the same activity:
// same family, or either is Other, Workout or unknown (stubs have none).
func Compatible(a, b string) bool {
	fa, fb := Family(a), Family(b)
	return fa == "" || fb == "" || fa == fb
}

package match

import (
	"time"

	"fitbridge/backend/intervals"
)

// StartsNear reports whether any indexed activity starts within d of t
// (Strava stubs compared by the athlete's wall clock). The wizard uses it
// to estimate, from listings alone, how much Intervals.icu already holds.
func (ix *Index) StartsNear(t time.Time, d time.Duration) bool {
	defer ix.read()()
	if len(window(ix.full, t.Add(-d), t.Add(d), startUTC)) > 0 {
		return true
	}
	local := intervals.WallClock(t.In(ix.tz))
	return len(window(ix.stubs, local.Add(-d), local.Add(d), startLocal)) > 0
}

// OnlyStravaNear reports whether the activities starting within d of t are
// Strava stubs only: Intervals.icu then holds the ride only as a Strava copy,
// which its API cannot read (no streams, no power).
func (ix *Index) OnlyStravaNear(t time.Time, d time.Duration) bool {
	defer ix.read()()
	if len(window(ix.full, t.Add(-d), t.Add(d), startUTC)) > 0 {
		return false
	}
	local := intervals.WallClock(t.In(ix.tz))
	return len(window(ix.stubs, local.Add(-d), local.Add(d), startLocal)) > 0
}

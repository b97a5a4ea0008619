package store

import "time"

// Changes are the columns a write sets besides the state. A nil field is
// left as it is; a field pointing at a zero value clears the column.
type Changes struct {
	Hash     *string
	Format   *string
	Wrapping *string

	// What the file says (see the Activity fields of the same names).
	Start     *time.Time
	ElapsedS  *float64
	TimerS    *float64
	DistanceM *float64
	AvgPowerW *float64
	AvgHR     *float64
	Sessions  *string
	Sport     *string
	FileSport *string
	Device    *string
	// Repaired says what was mended in a damaged file ("" for a sound one).
	Repaired *string

	IntervalsID *string
	MatchedVia  *string
	Attempts    *int
	UploadAt    *time.Time
	// ClearUploadAt forgets that an upload was sent (undo).
	ClearUploadAt bool
	// RunID is the run that uploaded it (0: none, after an undo).
	RunID *uint
	// History marks what a source held when connected (false: chosen by the rider).
	History *bool
}

// columns is the changes as the database's column names.
func (c Changes) columns() map[string]any {
	m := map[string]any{}
	set := func(col string, ok bool, v any) {
		if ok {
			m[col] = v
		}
	}
	set("hash", c.Hash != nil, deref(c.Hash))
	set("format", c.Format != nil, deref(c.Format))
	set("wrapping", c.Wrapping != nil, deref(c.Wrapping))
	set("start", c.Start != nil, c.Start)
	set("elapsed_s", c.ElapsedS != nil, deref(c.ElapsedS))
	set("timer_s", c.TimerS != nil, deref(c.TimerS))
	set("distance_m", c.DistanceM != nil, deref(c.DistanceM))
	set("avg_power_w", c.AvgPowerW != nil, deref(c.AvgPowerW))
	set("avg_hr", c.AvgHR != nil, deref(c.AvgHR))
	set("sessions", c.Sessions != nil, deref(c.Sessions))
	set("sport", c.Sport != nil, deref(c.Sport))
	set("file_sport", c.FileSport != nil, deref(c.FileSport))
	set("device", c.Device != nil, deref(c.Device))
	set("repaired", c.Repaired != nil, deref(c.Repaired))
	set("intervals_id", c.IntervalsID != nil, deref(c.IntervalsID))
	set("matched_via", c.MatchedVia != nil, deref(c.MatchedVia))
	set("attempts", c.Attempts != nil, deref(c.Attempts))
	set("upload_at", c.UploadAt != nil, c.UploadAt)
	set("upload_at", c.ClearUploadAt, nil)
	set("run_id", c.RunID != nil, deref(c.RunID))
	set("history", c.History != nil, deref(c.History))
	return m
}

// Apply copies the changes into a row held in memory, as the write does in the library.
func (c Changes) Apply(a *Activity) {
	put(&a.Hash, c.Hash)
	put(&a.Format, c.Format)
	put(&a.Wrapping, c.Wrapping)
	if c.Start != nil {
		a.Start = c.Start
	}
	put(&a.ElapsedS, c.ElapsedS)
	put(&a.TimerS, c.TimerS)
	put(&a.DistanceM, c.DistanceM)
	put(&a.AvgPowerW, c.AvgPowerW)
	put(&a.AvgHR, c.AvgHR)
	put(&a.Sessions, c.Sessions)
	put(&a.Sport, c.Sport)
	put(&a.FileSport, c.FileSport)
	put(&a.Device, c.Device)
	put(&a.Repaired, c.Repaired)
	put(&a.IntervalsID, c.IntervalsID)
	put(&a.MatchedVia, c.MatchedVia)
	put(&a.Attempts, c.Attempts)
	if c.UploadAt != nil {
		a.UploadAt = c.UploadAt
	}
	if c.ClearUploadAt {
		a.UploadAt = nil
	}
	put(&a.RunID, c.RunID)
	put(&a.History, c.History)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func put[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

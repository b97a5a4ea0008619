package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/intervals"
	"fitbridge/backend/match"
	"fitbridge/backend/source"
	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"

	"fitbridge/backend/reason"
)

// upload decides whether Intervals.icu already has the activity and, if
// not, sends it.
func (p *pipeline) upload(ctx context.Context, row store.Activity) {
	if err := p.e.gate.wait(ctx); err != nil || p.stopped() {
		return
	}
	p.prog.current(describe(p.displayName(row.Source), row))
	force := len(p.req.IDs) > 0
	if !force && !p.inRange(row) {
		// Its start, known only now that the file is read, lies outside the
		// dates the rider chose: it stays ready for another run.
		return
	}
	if row.History && !p.e.Options.NewOnly && !p.req.DryRun {
		// A backfill or selection the rider made takes history up: from
		// now on it is theirs to retry, continuous sync included.
		if err := p.e.Store.Update(row.ID, store.Changes{History: new(false)}); err != nil {
			p.e.log().Error("record chosen history", "activity", row.ID, "err", err)
		}
	}

	// Rule 1: the ledger. The same file may already be in Intervals.icu
	// through another of the rider's sources or an earlier import.
	if done, err := p.e.Store.DoneWithHash(row.Hash, row.ID); err == nil && done != nil {
		p.setState(row, store.Transition{State: store.StateAlready, Permanent: true,
			Reason: reason.SameFileAlready.Text(p.displayName(done.Source)),
			Set:    store.Changes{IntervalsID: new(done.IntervalsID), MatchedVia: new("FitBridge")}})
		return
	}

	cand := p.candidate(row)
	if row.Start != nil {
		if err := p.index.ensure(ctx, *row.Start); err != nil {
			if p.checkIntervalsAuth(err) || ctx.Err() != nil {
				return
			}
			p.failRetry(row, fmt.Sprintf("could not check Intervals.icu for this ride: %v", err), err)
			return
		}
		release, err := p.index.reserve(ctx, *row.Start)
		if err != nil {
			return
		}
		defer release()
	}
	d := p.index.decide(cand, match.Options{})
	original := d.Outcome == match.Duplicate && d.Rule == 5 &&
		(p.e.Options.StravaCopies == StravaUpload || force && row.MatchedVia == StravaVia)
	switch {
	case original:
		// Only a Strava copy is there (no streams, no power through the
		// API): the rider asked for the original next to it.
	case d.Outcome == match.Duplicate:
		if d.Rule == 2 && row.UploadAt != nil {
			// Our own key, and we had sent this file before: an earlier run
			// was cut off after Intervals.icu stored it. It is ours.
			p.setState(row, store.Transition{State: store.StateUploaded, Permanent: true,
				Set: store.Changes{IntervalsID: new(d.ActivityID), MatchedVia: new(""), RunID: new(p.runID())}})
			p.mu.Lock()
			p.res.Uploaded++
			p.mu.Unlock()
			// The run that sent it may have stopped before correcting the sport.
			p.correctType(ctx, row, d.ActivityID, d.Type)
			return
		}
		p.setState(row, store.Transition{State: store.StateAlready, Reason: d.Reason, Permanent: true,
			Set: store.Changes{IntervalsID: new(d.ActivityID), MatchedVia: new(match.Via(strings.ToUpper(d.Source), ""))}})
		p.e.log().Debug("duplicate", "activity", row.ID, "key", row.ExternalID, "start", row.Start, "icu", d.ActivityID, "source", d.Source, "rule", d.Rule)
		return
	case d.Outcome == match.Probable:
		if !force {
			p.setState(row, store.Transition{State: store.StateNeedsReview, Reason: d.Reason, Permanent: false,
				Set: store.Changes{IntervalsID: new(d.ActivityID), MatchedVia: new(match.Via(strings.ToUpper(d.Source), ""))}})
			return
		}
	}

	if p.req.DryRun {
		p.mu.Lock()
		p.res.WouldUpload++
		p.mu.Unlock()
		p.prog.moved(row.Source, "would_upload")
		return
	}

	data, err := p.e.Cache.Get(row.Hash)
	if err != nil {
		p.setState(row, store.Transition{State: store.StateDiscovered, Reason: reason.CachedFileMissing.Text(), Set: store.Changes{Hash: new("")}})
		return
	}
	// Written before the request: if the process dies after Intervals.icu
	// stored the file but before we record it, the next run knows a 200 may
	// be our own earlier upload.
	if row.UploadAt == nil {
		now := p.e.now()
		if err := p.e.Store.Update(row.ID, store.Changes{UploadAt: &now}); err != nil {
			p.fail(row, err.Error(), false)
			return
		}
	}
	// A damaged file goes up as its repaired copy; the cache keeps the original.
	name := uploadName(row, data)
	if fixed, ok := fitfile.UploadBytes(data); ok {
		data = fixed
		plain := row
		plain.Format, plain.Wrapping = string(fitfile.FormatFIT), ""
		name = uploadName(plain, data)
	}
	up := intervals.Upload{
		Filename:   name,
		Data:       data,
		Name:       row.Name,
		DeviceName: row.Device,
		ExternalID: row.ExternalID,
	}
	if desc := p.description(row); desc != "" {
		up.Description = desc
	}
	r, err := p.e.Intervals.Upload(ctx, up)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if p.checkIntervalsAuth(err) {
			return
		}
		var api *intervals.APIError
		if errors.As(err, &api) && api.Permanent() {
			p.fail(row, "Intervals.icu refused the file: "+api.Message, true)
			return
		}
		p.failRetry(row, fmt.Sprintf("upload failed, will retry: %v", err), err)
		return
	}

	state, reason, via := store.StateUploaded, "", ""
	has := "" // the type Intervals.icu shows, when read
	if !r.Created {
		// Intervals.icu had these exact bytes. Ours if an earlier attempt of
		// ours landed (its external_id is ours), someone else's otherwise.
		state, reason, via = store.StateAlready, "Intervals.icu already has this exact file", ""
		existing, ok := p.lookup(ctx, r.ID)
		switch {
		case ok && existing.ExternalID == row.ExternalID:
			state, reason = store.StateUploaded, ""
			if len(r.IDs) <= 1 { // a multisport file's first leg says nothing of the row's sport
				has = existing.Type
			}
		case ok:
			via = match.Via(strings.ToUpper(existing.Source), "")
			if existing.OAuthClientName != "" {
				via = existing.OAuthClientName
			}
			if via != "" {
				reason = fmt.Sprintf("Intervals.icu already has this exact file (from %s)", via)
			}
		case row.UploadAt != nil:
			// Unreadable, but this ride was sent before: most likely that
			// attempt landed and its answer was lost, so it is ours.
			state, reason = store.StateUploaded, ""
			p.e.log().Info("exact file already in Intervals.icu, activity unreadable; counted as our earlier upload",
				"activity", row.ID, "icu", r.ID, "sent_before", row.UploadAt.UTC().Format(time.RFC3339))
		}
	}
	if state == store.StateUploaded && strings.EqualFold(d.Source, "STRAVA") {
		// The original went up next to a Strava copy: say so if both show.
		reason = p.bothShown(ctx, r.ID, d.ActivityID)
	}
	set := store.Changes{IntervalsID: new(r.ID), MatchedVia: new(via)}
	if state == store.StateUploaded {
		set.RunID = new(p.runID())
	}
	p.setState(row, store.Transition{State: state, Reason: reason, Permanent: true, Set: set})
	p.index.add(intervals.Activity{ID: r.ID, StartUTC: derefTime(row.Start), ElapsedS: row.ElapsedS, DistanceM: row.DistanceM, Type: sportOf(row.Sport, row.FileSport), ExternalID: row.ExternalID, Source: "OAUTH_CLIENT"})
	if state == store.StateUploaded {
		p.mu.Lock()
		p.res.Uploaded++
		p.mu.Unlock()
		p.correctType(ctx, row, r.ID, has)
		p.setFlags(ctx, row, r.ID)
	}
}

// StravaVia is matched_via of a ride Intervals.icu holds only as a Strava copy.
const StravaVia = "Strava"

// runID is the record this run's uploads point to (0 when none is kept).
func (p *pipeline) runID() uint {
	if p.record == nil {
		return 0
	}
	return p.record.ID
}

// inRange reports whether a row's start lies in the dates the run covers
// (an unknown start does: the file decides later).
func (p *pipeline) inRange(row store.Activity) bool {
	if row.Start == nil {
		return true
	}
	q := p.req.Query
	if !q.Since.IsZero() && row.Start.Before(q.Since) {
		return false
	}
	return q.Until.IsZero() || row.Start.Before(q.Until.AddDate(0, 0, 1))
}

// correctType gives our own activity the sport the platform knows when
// Intervals.icu shows another: it takes the type from the file. has is the
// type Intervals.icu shows, "" when not read; the file's own sport then
// stands in for it (one call saved per ride). Rows stored before sportOf
// decided may still hold a plain hint, so it decides again here.
func (p *pipeline) correctType(ctx context.Context, row store.Activity, id, has string) {
	want := sportOf(row.Sport, row.FileSport)
	if has == "" {
		has = row.FileSport
	}
	if id == "" || want == "" || want == has {
		return
	}
	if err := p.e.Intervals.SetType(ctx, id, want); err != nil {
		p.e.log().Warn("set activity type", "activity", id, "type", want, "err", err)
	}
}

// setFlags carries an export archive's commute flag over to our own new
// activity, and the trainer flag when the sport became a virtual one only
// through what an export archive said (the file did not say indoor);
// the upload takes neither flag.
func (p *pipeline) setFlags(ctx context.Context, row store.Activity, id string) {
	type flagger interface {
		SetFlags(ctx context.Context, id string, trainer, commute bool) error
	}
	f, ok := p.e.Intervals.(flagger)
	trainer := row.Source == imported.Name && isVirtual(sportOf(row.Sport, row.FileSport)) && !isVirtual(row.FileSport)
	if !ok || id == "" || (!trainer && !row.Commute) {
		return
	}
	if err := f.SetFlags(ctx, id, trainer, row.Commute); err != nil {
		p.e.log().Warn("set trainer/commute", "activity", id, "err", err)
	}
}

func isVirtual(typ string) bool { return strings.HasPrefix(typ, "Virtual") }

// bothShown checks, after the original of a ride went up, whether
// Intervals.icu still shows its Strava copy too, and if so says so with a
// link to each; "" when only the original shows.
func (p *pipeline) bothShown(ctx context.Context, original, stravaCopy string) string {
	if stravaCopy == "" || stravaCopy == original {
		return ""
	}
	if _, ok := p.lookup(ctx, stravaCopy); !ok {
		return ""
	}
	link := func(id string) string { return id }
	if l, ok := p.e.Intervals.(interface{ ActivityURL(id string) string }); ok {
		link = l.ActivityURL
	}
	return fmt.Sprintf("Intervals.icu now shows this ride twice: the original %s and the Strava copy %s; delete the Strava copy there to keep one",
		link(original), link(stravaCopy))
}

// lookup reads an existing Intervals.icu activity when the client can.
func (p *pipeline) lookup(ctx context.Context, id string) (intervals.Activity, bool) {
	type getter interface {
		GetActivity(ctx context.Context, id string) (intervals.Activity, error)
	}
	g, ok := p.e.Intervals.(getter)
	if !ok || id == "" {
		return intervals.Activity{}, false
	}
	a, err := g.GetActivity(ctx, id)
	if err != nil {
		p.e.log().Debug("read existing activity", "id", id, "err", err)
		return intervals.Activity{}, false
	}
	return a, true
}

func (p *pipeline) candidate(row store.Activity) match.Candidate {
	c := match.Candidate{ExternalIDs: []string{row.ExternalID}}
	for _, conn := range p.e.Sources {
		if conn.Desc.Name == row.Source && conn.Desc.AlsoKnownAs != nil {
			c.ExternalIDs = append(c.ExternalIDs, conn.Desc.AlsoKnownAs(row.RemoteID)...)
		}
	}
	var sessions []fitfile.Session
	_ = json.Unmarshal([]byte(row.Sessions), &sessions)
	for _, s := range sessions {
		typ := fitfile.Summary{Sport: s.Sport, SubSport: s.SubSport}.IntervalsType()
		c.Sessions = append(c.Sessions, match.Session{StartUTC: s.Start, ElapsedS: s.ElapsedS, TimerS: s.TimerS, DistanceM: s.DistanceM, Type: typ})
	}
	if len(c.Sessions) == 0 && row.Start != nil {
		c.Sessions = []match.Session{{StartUTC: *row.Start, ElapsedS: row.ElapsedS, TimerS: row.TimerS, DistanceM: row.DistanceM, Type: row.Sport}}
	}
	if typ := sportOf(row.Sport, row.FileSport); len(c.Sessions) == 1 && typ != "" {
		c.Sessions[0].Type = typ
	}
	return c
}

func (p *pipeline) descriptor(name string) (source.Descriptor, bool) {
	for _, c := range p.e.Sources {
		if c.Desc.Name == name {
			return c.Desc, true
		}
	}
	return source.Lookup(name)
}

func (p *pipeline) displayName(name string) string {
	if d, ok := p.descriptor(name); ok {
		return d.DisplayName
	}
	return name
}

func (p *pipeline) description(row store.Activity) string {
	d, ok := p.descriptor(row.Source)
	return uploadDescription(row, d, ok)
}

// uploadDescription is the description an activity goes up with: what an
// export archive said of the ride, else its platform's own line, else where
// it came from. Undo compares with it to tell whether the rider rewrote it.
func uploadDescription(row store.Activity, d source.Descriptor, known bool) string {
	switch {
	case row.Description != "":
		return row.Description
	case !known:
		return fmt.Sprintf("From %s (id %s)%s", row.Source, row.RemoteID, descriptionTail)
	case d.Describe != nil:
		return d.Describe(row.RemoteID)
	}
	return fmt.Sprintf("From %s (id %s)%s", d.DisplayName, row.RemoteID, descriptionTail)
}

// descriptionTail ends the description FitBridge gives a platform's upload;
// undo looks for it to tell whether the rider rewrote the description since.
const descriptionTail = ", uploaded by FitBridge"

// uploadName gives the file a name whose extension matches its bytes.
func uploadName(row store.Activity, data []byte) string {
	ext := row.Format
	if ext == "" {
		ext = "fit"
	}
	switch row.Wrapping {
	case "gzip":
		ext += ".gz"
	case "zip":
		ext = "zip"
	}
	base := row.Source + "-" + row.RemoteID
	if len(base) > 60 {
		base = base[:60]
	}
	base = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, base)
	return base + "." + ext
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

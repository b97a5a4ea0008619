package fitfile

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

const (
	decoderScanner        = "fitfile scanner"
	decoderScannerRecords = "fitfile scanner (from records: no session)"
	decoderRepaired       = "fitfile scanner (repaired copy)"
)

func summarizeFIT(data []byte) (Summary, error) {
	scan, err := scanFIT(data, false)
	if err == nil {
		if idx, ok := activitySegment(scan); !ok || len(scan.segments[idx].sessions) > 0 || scan.segments[idx].rec.n == 0 {
			return summaryFromScan(scan)
		}
		// A sound activity without a session: summarised from its records,
		// and its upload gets the session rebuilt.
	}
	// A damaged file is read as far as its records are whole: the summary
	// is that of the repaired copy, which is what gets uploaded.
	fixed, rep, rerr := RepairFIT(data)
	if rerr != nil {
		if err == nil {
			return summaryFromScan(scan)
		}
		var ue *UnreadableError
		if errors.As(rerr, &ue) && len(data) >= 12 && data[0] >= 12 && int(data[0]) <= len(data) {
			// Say what was wrong and why it could not be mended.
			return Summary{Format: FormatFIT, Decoder: decoderScanner}, unreadable("%s, and %s", err.Error(), ue.Reason)
		}
		return Summary{Format: FormatFIT, Decoder: decoderScanner}, err
	}
	scan, err = scanFIT(fixed, false)
	if err != nil {
		return Summary{Format: FormatFIT, Decoder: decoderScanner}, err
	}
	s, err := summaryFromScan(scan)
	if rep.Any() {
		s.Repaired = rep.String()
		s.Decoder = decoderRepaired
	}
	return s, err
}

// activitySegment picks the first segment that holds an activity: file type
// activity, or no file_id type at all but sessions.
func activitySegment(scan *fitScan) (int, bool) {
	for i := range scan.segments {
		seg := &scan.segments[i]
		if seg.fileType == 4 || (seg.fileType < 0 && len(seg.sessions) > 0) {
			return i, true
		}
	}
	return 0, false
}

func fitTime(ts uint32) time.Time {
	if ts < fitMinAbsTime {
		return time.Time{}
	}
	return time.Unix(int64(ts)+fitEpoch, 0).UTC()
}

func fillDevice(s *Summary, seg *fitSegment) {
	if seg.hasManufacture {
		s.ManufacturerID = seg.manufacturer
		s.Manufacturer = manufacturerName(seg.manufacturer)
	}
	if seg.hasProduct {
		s.ProductID = seg.product
	}
	s.Product = productName(seg.manufacturer, seg.hasManufacture, seg.product, seg.hasProduct, seg.productName)
	s.Device = deviceName(seg.manufacturer, seg.hasManufacture, seg.product, seg.hasProduct, seg.productName)
}

func summaryFromScan(scan *fitScan) (Summary, error) {
	s := Summary{Format: FormatFIT, Decoder: decoderScanner, Note: scan.note}
	idx, ok := activitySegment(scan)
	if !ok {
		first := &scan.segments[0]
		fillDevice(&s, first)
		s.FileType = fileTypeName(first.fileType)
		if !first.hasFileID {
			return s, fmt.Errorf("FIT file without file_id or session: %w", ErrNotActivity)
		}
		return s, fmt.Errorf("FIT %s file: %w", s.FileType, ErrNotActivity)
	}
	seg := &scan.segments[idx]
	fillDevice(&s, seg)
	s.FileType = "activity"
	if len(scan.segments) > 1 {
		s.Note = joinNote(s.Note, fmt.Sprintf("chained FIT file with %d parts; summarised part %d", len(scan.segments), idx+1))
	}
	rec := &seg.rec
	recSport, recSub := sportName(rec.sport), subSportName(rec.subSport)

	if len(seg.sessions) == 0 {
		if rec.n == 0 {
			return s, fmt.Errorf("FIT activity file without sessions or records: %w", ErrNotActivity)
		}
		// No session (an unfinished recording, or a writer that skips it):
		// the records tell when and how far.
		s.Decoder = decoderScannerRecords
		ss := Session{
			Sport:    recSport,
			SubSport: recSub,
			Start:    fitTime(rec.firstTS),
			ElapsedS: max(0, float64(int64(rec.lastTS)-int64(rec.firstTS))),
		}
		ss.TimerS = ss.ElapsedS
		if rec.activityTimer != absent {
			ss.TimerS = rec.activityTimer
		}
		if rec.lastDistance != absent {
			ss.DistanceM = rec.lastDistance
		}
		s.Sessions = []Session{ss}
		s.AvgPowerW = recordMean(rec.powerSum, rec.powerN)
		s.AvgHR = recordMean(rec.hrSum, rec.hrN)
		finishTotals(&s)
		return s, nil
	}

	type withAvg struct {
		Session
		avgPower, avgHR float64
	}
	list := make([]withAvg, 0, len(seg.sessions))
	for _, r := range seg.sessions {
		ss := Session{Sport: sportName(r.sport), SubSport: subSportName(r.subSport)}
		if ss.Sport == "" {
			ss.Sport, ss.SubSport = recSport, recSub
		}
		elapsed := r.elapsed
		if elapsed == absent && r.start != 0 && r.timestamp >= r.start {
			elapsed = float64(r.timestamp - r.start)
		}
		start := r.start
		if start == 0 && r.timestamp != 0 && elapsed != absent && float64(r.timestamp)-elapsed >= fitMinAbsTime {
			start = r.timestamp - uint32(elapsed)
		}
		if start == 0 && rec.n > 0 {
			start = rec.firstTS
		}
		if start == 0 {
			start = seg.timeCreated
		}
		ss.Start = fitTime(start)
		if elapsed != absent {
			ss.ElapsedS = elapsed
		}
		ss.TimerS = ss.ElapsedS
		if r.timer != absent {
			ss.TimerS = r.timer
		}
		switch {
		case r.distance != absent:
			ss.DistanceM = r.distance
		case len(seg.sessions) == 1 && rec.lastDistance != absent:
			ss.DistanceM = rec.lastDistance
		}
		list = append(list, withAvg{ss, r.avgPower, r.avgHR})
	}
	// Files list sessions in time order; sorting makes "first" certain
	// (sessions without a start go last).
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].Start, list[j].Start
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	s.Sessions = make([]Session, len(list))
	var pw, hr weighted
	for i, w := range list {
		s.Sessions[i] = w.Session
		pw.add(w.avgPower, w.TimerS)
		hr.add(w.avgHR, w.TimerS)
	}
	s.AvgPowerW = pw.mean(rec.powerSum, rec.powerN)
	s.AvgHR = hr.mean(rec.hrSum, rec.hrN)
	finishTotals(&s)
	return s, nil
}

// finishTotals fills the summary's sport, start and sums from its sessions.
func finishTotals(s *Summary) {
	if len(s.Sessions) == 0 {
		return
	}
	first := s.Sessions[0]
	s.Sport, s.SubSport, s.Start = first.Sport, first.SubSport, first.Start
	for _, ss := range s.Sessions {
		s.ElapsedS += ss.ElapsedS
		s.TimerS += ss.TimerS
		s.DistanceM += ss.DistanceM
	}
}

// weighted averages the sessions' own averages by timer time; when some
// session lacks one (older MyWhoosh files carry none), the records' mean is
// used instead.
type weighted struct {
	sum, weight float64
	n, missing  int
}

func (w *weighted) add(v, timer float64) {
	if v == absent {
		w.missing++
		return
	}
	if timer <= 0 {
		timer = 1
	}
	w.sum += v * timer
	w.weight += timer
	w.n++
}

func (w *weighted) mean(recSum float64, recN int) float64 {
	if (w.missing > 0 || w.n == 0) && recN > 0 {
		return recordMean(recSum, recN)
	}
	if w.weight == 0 {
		return 0
	}
	return w.sum / w.weight
}

func recordMean(sum float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "; " + b
}

package fitfile

import (
	"fmt"
	"strings"

	"fitbridge/backend/reason"
)

// Streams is a small, downsampled series for the activity chart.
type Streams struct {
	T     []float64 `json:"t"` // seconds from start
	Power []float64 `json:"power"`
	HR    []float64 `json:"hr"`
}

// ReadStreams returns at most maxPoints samples of power and heart rate
// (maxPoints <= 0: every sample). Each output point averages a run of
// consecutive records; its T is the run's first time. Power or HR is nil
// when the file has none; a gap inside a series reads 0. It takes the same
// inputs and gives the same errors as Summarize; a damaged FIT file gives
// the records its repaired copy keeps.
func ReadStreams(data []byte, maxPoints int) (st Streams, err error) {
	defer func() {
		if r := recover(); r != nil {
			st, err = Streams{}, unreadable("internal error while reading the file: %v", r)
		}
	}()
	return readStreams(data, maxPoints)
}

func readStreams(data []byte, maxPoints int) (Streams, error) {
	var pts []streamPoint
	_, _, err := withPayload(data, func(payload []byte) error {
		var e error
		pts, e = readPoints(payload)
		return e
	})
	if err != nil {
		return Streams{}, err
	}
	return downsample(pts, maxPoints), nil
}

type streamPoint struct {
	t, power, hr float64 // power and hr absent when missing
}

func readPoints(data []byte) ([]streamPoint, error) {
	switch {
	case len(data) == 0:
		return nil, unreadable("%s", reason.EmptyFile.Text())
	case looksLikeFIT(data):
		scan, err := scanFIT(data, true)
		if err != nil {
			// A damaged file charts what its repaired copy holds, as it is
			// summarised.
			fixed, _, rerr := RepairFIT(data)
			if rerr != nil {
				return nil, err
			}
			if scan, err = scanFIT(fixed, true); err != nil {
				return nil, err
			}
		}
		idx, ok := activitySegment(scan)
		if !ok {
			return nil, fmt.Errorf("FIT %s file: %w", fileTypeName(scan.segments[0].fileType), ErrNotActivity)
		}
		src := scan.segments[idx].points
		if len(src) == 0 {
			return nil, nil
		}
		out := make([]streamPoint, len(src))
		t0 := src[0].ts
		for i, p := range src {
			out[i] = streamPoint{t: float64(int64(p.ts) - int64(t0)), power: p.power, hr: p.hr}
		}
		return out, nil
	case looksLikeXML(data):
		format, tp, err := parseXML(data, true)
		if err != nil {
			return nil, err
		}
		if tp.fileType != "activity" {
			return nil, fmt.Errorf("%s %s: %w", strings.ToUpper(string(format)), tp.why, ErrNotActivity)
		}
		if len(tp.points) == 0 {
			return nil, nil
		}
		out := make([]streamPoint, len(tp.points))
		t0 := tp.points[0].t
		for i, p := range tp.points {
			out[i] = streamPoint{t: p.t.Sub(t0).Seconds(), power: p.power, hr: p.hr}
		}
		return out, nil
	}
	_, err := summarizeRaw(data)
	if err == nil {
		err = unreadable("%s", reason.NotActivityFile.Text())
	}
	return nil, err
}

func downsample(pts []streamPoint, maxPoints int) Streams {
	n := len(pts)
	var st Streams
	if n == 0 {
		return st
	}
	hasPower, hasHR := false, false
	for _, p := range pts {
		hasPower = hasPower || p.power != absent
		hasHR = hasHR || p.hr != absent
	}
	m := n
	if maxPoints > 0 && maxPoints < n {
		m = maxPoints
	}
	st.T = make([]float64, m)
	if hasPower {
		st.Power = make([]float64, m)
	}
	if hasHR {
		st.HR = make([]float64, m)
	}
	for i := range m {
		lo, hi := i*n/m, (i+1)*n/m
		st.T[i] = pts[lo].t
		var ps, hs float64
		var pn, hn int
		for _, p := range pts[lo:hi] {
			if p.power != absent {
				ps += p.power
				pn++
			}
			if p.hr != absent {
				hs += p.hr
				hn++
			}
		}
		if hasPower && pn > 0 {
			st.Power[i] = ps / float64(pn)
		}
		if hasHR && hn > 0 {
			st.HR[i] = hs / float64(hn)
		}
	}
	return st
}

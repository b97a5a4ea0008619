package fitfile

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fitbridge/backend/reason"
)

// TCX and GPX are read with encoding/xml's token stream: one pass, no
// document tree, and only the few elements a summary needs.

const (
	decoderTCX = "fitfile tcx"
	decoderGPX = "fitfile gpx"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func looksLikeXML(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}

// looksLikeXMLActivity says whether the start of a file is a TCX or GPX
// document (used to pick files out of a zip).
func looksLikeXMLActivity(head []byte) bool {
	if !looksLikeXML(head) {
		return false
	}
	switch xmlRoot(head) {
	case "TrainingCenterDatabase", "gpx":
		return true
	}
	return false
}

// xmlRoot returns the local name of the first element, "" if none is found.
func xmlRoot(data []byte) string {
	dec := newXMLDecoder(data)
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

func newXMLDecoder(data []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	return dec
}

// charsetReader accepts the single-byte encodings older exports declare.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8 (windows-1252's extra
// printable characters in 0x80-0x9F come out as control characters, which
// do not matter for the numbers and times read here).
type latin1Reader struct {
	r       io.ByteReader
	pending [utf8.UTFMax]byte
	np      int
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if l.np > 0 {
			c := copy(p[n:], l.pending[:l.np])
			copy(l.pending[:], l.pending[c:l.np])
			l.np -= c
			n += c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.np = utf8.EncodeRune(l.pending[:], rune(b))
	}
	return n, nil
}

type xmlPoint struct {
	t         time.Time
	power, hr float64 // absent when missing
}

// trackParse is what a TCX or GPX pass collects.
type trackParse struct {
	fileType string // "activity", or "course", "workout", "route" when it is not one
	why      string // for a non-activity: what it is
	sessions []Session
	device   string
	power    weighted
	hr       weighted
	pwSum    float64
	pwN      int
	hrSum    float64
	hrN      int
	points   []xmlPoint
}

func (t *trackParse) addPoint(p xmlPoint, collect bool) {
	if p.hr != absent && p.hr > 0 {
		t.hrSum += p.hr
		t.hrN++
	} else {
		p.hr = absent
	}
	if p.power != absent {
		t.pwSum += p.power
		t.pwN++
	}
	if collect && len(t.points) < maxStreamPoints {
		t.points = append(t.points, p)
	}
}

func summarizeXML(data []byte) (Summary, error) {
	format, tp, err := parseXML(data, false)
	s := Summary{Format: format}
	if format == FormatTCX {
		s.Decoder = decoderTCX
	} else if format == FormatGPX {
		s.Decoder = decoderGPX
	}
	if err != nil {
		return s, err
	}
	s.FileType = tp.fileType
	s.Device = tp.device
	s.Product = tp.device
	s.Sessions = tp.sessions
	finishTotals(&s)
	s.AvgHR = tp.hr.mean(tp.hrSum, tp.hrN)
	s.AvgPowerW = tp.power.mean(tp.pwSum, tp.pwN)
	if tp.fileType != "activity" {
		return s, fmt.Errorf("%s %s: %w", strings.ToUpper(string(format)), tp.why, ErrNotActivity)
	}
	return s, nil
}

// parseXML reads a TCX or GPX document.
func parseXML(data []byte, collect bool) (Format, *trackParse, error) {
	dec := newXMLDecoder(data)
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", nil, unreadable("%s", reason.XMLWithoutElement.Text())
			}
			return "", nil, unreadable("%s", reason.NotWellFormed.Text("XML", xmlErrText(err)))
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "TrainingCenterDatabase":
			tp, err := parseTCX(dec, collect)
			return FormatTCX, tp, err
		case "gpx":
			tp, err := parseGPX(dec, se, collect)
			return FormatGPX, tp, err
		}
		return "", nil, unreadable("%s", reason.XMLDocument.Text(se.Name.Local))
	}
}

func xmlErrText(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("line %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

// maxXMLDepth bounds element nesting; real TCX and GPX files nest about ten
// deep, and the path checks below walk the stack.
const maxXMLDepth = 256

var errTooDeep = errors.New("elements nested too deeply")

// tokenWalker keeps the element path and the text of the current element.
type tokenWalker struct {
	dec   *xml.Decoder
	stack []string
	text  []byte
}

// next returns the next start or end element; at the end of an element its
// text is in w.text and its name is still on top of w.stack.
func (w *tokenWalker) next() (start *xml.StartElement, end bool, err error) {
	for {
		tok, err := w.dec.Token()
		if err != nil {
			return nil, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(w.stack) >= maxXMLDepth {
				return nil, false, errTooDeep
			}
			w.stack = append(w.stack, t.Name.Local)
			w.text = w.text[:0]
			return &t, false, nil
		case xml.CharData:
			w.text = append(w.text, t...)
		case xml.EndElement:
			return nil, true, nil
		}
	}
}

// pop ends the current element.
func (w *tokenWalker) pop() {
	if len(w.stack) > 0 {
		w.stack = w.stack[:len(w.stack)-1]
	}
	w.text = w.text[:0]
}

// at reports whether the path ends with names.
func (w *tokenWalker) at(names ...string) bool {
	if len(names) > len(w.stack) {
		return false
	}
	tail := w.stack[len(w.stack)-len(names):]
	for i, n := range names {
		if tail[i] != n {
			return false
		}
	}
	return true
}

func (w *tokenWalker) inside(name string) bool {
	for _, n := range w.stack {
		if n == name {
			return true
		}
	}
	return false
}

func (w *tokenWalker) num() (float64, bool) {
	// Every number read here (seconds, metres, bpm, watts) is >= 0.
	v, err := strconv.ParseFloat(strings.TrimSpace(string(w.text)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, false
	}
	return v, true
}

func attr(se *xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseXMLTime reads xsd:dateTime; a time without zone is taken as UTC.
func parseXMLTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.IsZero() {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

type tcxActivity struct {
	sport, sub     string
	id             time.Time
	lapStart       time.Time
	lapTime        float64
	hasLapTime     bool
	lapDist        float64
	hasLapDist     bool
	curLapTime     float64
	lapHR, lapPW   bool
	first, last    time.Time
	lastTPDistance float64
	hasTPDistance  bool
}

func tcxSport(s string) (string, string) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "running":
		return "running", ""
	case "biking", "cycling":
		return "cycling", ""
	case "walking":
		return "walking", ""
	case "swimming":
		return "swimming", ""
	case "hiking":
		return "hiking", ""
	}
	return "generic", ""
}

// tcxDevice trims the firmware text old Garmin units add to their name.
func tcxDevice(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.Index(name, " Software Version"); i > 0 {
		name = name[:i]
	}
	return name
}

func parseTCX(dec *xml.Decoder, collect bool) (*trackParse, error) {
	w := &tokenWalker{dec: dec, stack: []string{"TrainingCenterDatabase"}}
	tp := &trackParse{}
	var acts []*tcxActivity
	var cur *tcxActivity
	var pt xmlPoint
	sawCourse, sawWorkout := false, false
	for {
		se, end, err := w.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, unreadable("%s", reason.NotWellFormed.Text("TCX", xmlErrText(err)))
		}
		if se != nil {
			switch {
			case w.at("Activity"):
				cur = &tcxActivity{}
				cur.sport, cur.sub = tcxSport(attr(se, "Sport"))
				acts = append(acts, cur)
			case cur != nil && w.at("Activity", "Lap"):
				cur.curLapTime, cur.lapHR, cur.lapPW = 0, false, false
				if t, ok := parseXMLTime(attr(se, "StartTime")); ok && cur.lapStart.IsZero() {
					cur.lapStart = t
				}
			case w.at("Trackpoint"):
				pt = xmlPoint{power: absent, hr: absent}
			case w.at("Course"):
				sawCourse = true
			case w.at("Workout"):
				sawWorkout = true
			}
			continue
		}
		if !end {
			continue
		}
		if len(w.stack) == 1 {
			break // </TrainingCenterDatabase>
		}
		if cur != nil {
			v, isNum := w.num()
			switch {
			case w.at("Activity", "Id"):
				if t, ok := parseXMLTime(string(w.text)); ok {
					cur.id = t
				}
			case w.at("Activity", "Lap", "TotalTimeSeconds") && isNum:
				cur.lapTime += v
				cur.curLapTime = v
				cur.hasLapTime = true
			case w.at("Activity", "Lap", "DistanceMeters") && isNum:
				cur.lapDist += v
				cur.hasLapDist = true
			case w.at("Lap", "AverageHeartRateBpm", "Value") && isNum:
				tp.hr.add(v, cur.curLapTime)
				cur.lapHR = true
			case w.at("Lap", "Extensions", "LX", "AvgWatts") && isNum:
				tp.power.add(v, cur.curLapTime)
				cur.lapPW = true
			case w.at("Activity", "Lap"):
				// A lap without its own average sends the mean to the trackpoints.
				if !cur.lapHR {
					tp.hr.missing++
				}
				if !cur.lapPW {
					tp.power.missing++
				}
			case w.at("Trackpoint", "Time"):
				pt.t, _ = parseXMLTime(string(w.text))
			case w.at("Trackpoint", "DistanceMeters") && isNum:
				cur.lastTPDistance, cur.hasTPDistance = v, true
			case w.at("Trackpoint", "HeartRateBpm", "Value") && isNum:
				pt.hr = v
			case w.at("TPX", "Watts") && isNum && w.inside("Trackpoint"):
				pt.power = v
			case w.at("Trackpoint"):
				if !pt.t.IsZero() {
					if cur.first.IsZero() || pt.t.Before(cur.first) {
						cur.first = pt.t
					}
					if pt.t.After(cur.last) {
						cur.last = pt.t
					}
					tp.addPoint(pt, collect)
				}
			case w.at("Activity", "Creator", "Name") && tp.device == "":
				tp.device = tcxDevice(string(w.text))
			}
		}
		w.pop()
	}
	for _, a := range acts {
		start := a.lapStart
		if !a.first.IsZero() && (start.IsZero() || a.first.Before(start)) {
			start = a.first
		}
		if start.IsZero() {
			start = a.id
		}
		if start.IsZero() {
			continue
		}
		ss := Session{Sport: a.sport, SubSport: a.sub, Start: start}
		if !a.last.IsZero() {
			ss.ElapsedS = a.last.Sub(start).Seconds()
		}
		if a.hasLapTime {
			ss.TimerS = a.lapTime
			if ss.ElapsedS == 0 {
				ss.ElapsedS = a.lapTime
			}
		} else {
			ss.TimerS = ss.ElapsedS
		}
		switch {
		case a.hasLapDist:
			ss.DistanceM = a.lapDist
		case a.hasTPDistance:
			ss.DistanceM = a.lastTPDistance
		}
		tp.sessions = append(tp.sessions, ss)
	}
	switch {
	case len(tp.sessions) > 0:
		tp.fileType = "activity"
	case len(acts) > 0:
		tp.fileType, tp.why = "", "activity without any time"
	case sawCourse:
		tp.fileType, tp.why = "course", "course"
	case sawWorkout:
		tp.fileType, tp.why = "workout", "workout"
	default:
		tp.fileType, tp.why = "", "file without activities"
	}
	return tp, nil
}

// gpxSport maps a GPX <type> (Strava writes "Ride", Garmin "cycling") to FIT
// sport names.
func gpxSport(s string) (string, string) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", "_")) {
	case "":
		return "", ""
	case "ride", "cycling", "biking", "road_biking", "road_cycling", "bike":
		return "cycling", ""
	case "virtualride", "virtual_ride", "indoor_cycling", "virtual_cycling":
		return "cycling", "virtual_activity"
	case "mountainbikeride", "mountain_biking":
		return "cycling", "mountain"
	case "gravelride", "gravel_cycling":
		return "cycling", "gravel_cycling"
	case "ebikeride", "e_bike_ride", "e_biking":
		return "e_biking", ""
	case "run", "running", "street_running":
		return "running", ""
	case "trailrun", "trail_running":
		return "running", "trail"
	case "virtualrun", "treadmill_running", "treadmill":
		return "running", "treadmill"
	case "walk", "walking", "casual_walking":
		return "walking", ""
	case "hike", "hiking":
		return "hiking", ""
	case "swim", "swimming", "open_water_swimming":
		return "swimming", ""
	case "rowing":
		return "rowing", ""
	}
	return "generic", ""
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8 // mean Earth radius, m
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

func latLon(se *xml.StartElement) (float64, float64, bool) {
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(attr(se, "lat")), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(attr(se, "lon")), 64)
	if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

func parseGPX(dec *xml.Decoder, root xml.StartElement, collect bool) (*trackParse, error) {
	w := &tokenWalker{dec: dec, stack: []string{"gpx"}}
	tp := &trackParse{device: strings.TrimSpace(attr(&root, "creator"))}
	var sport, sub string
	sportSet := false
	var first, last time.Time
	var dist float64
	var pt xmlPoint
	var lat, lon, prevLat, prevLon float64
	var hasPos, hasPrev, anyPoint bool
	for {
		se, end, err := w.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, unreadable("%s", reason.NotWellFormed.Text("GPX", xmlErrText(err)))
		}
		if se != nil {
			switch {
			case w.at("trkseg"):
				hasPrev = false
			case w.at("trkpt") || w.at("rtept"):
				pt = xmlPoint{power: absent, hr: absent}
				lat, lon, hasPos = latLon(se)
			case w.at("rte"):
				hasPrev = false
			}
			continue
		}
		if !end {
			continue
		}
		if len(w.stack) == 1 {
			break // </gpx>
		}
		inPoint := w.inside("trkpt") || w.inside("rtept")
		v, isNum := w.num()
		switch {
		case (w.at("trk", "type") || w.at("rte", "type")) && !sportSet:
			sport, sub = gpxSport(string(w.text))
			sportSet = true
		case w.at("trkpt", "time") || w.at("rtept", "time"):
			pt.t, _ = parseXMLTime(string(w.text))
		case inPoint && (w.at("hr") || w.at("heartrate")) && isNum:
			pt.hr = v
		case inPoint && (w.at("power") || w.at("PowerInWatts")) && isNum:
			pt.power = v
		case w.at("trkpt") || w.at("rtept"):
			anyPoint = true
			if hasPos {
				if hasPrev {
					dist += haversine(prevLat, prevLon, lat, lon)
				}
				prevLat, prevLon, hasPrev = lat, lon, true
			}
			if !pt.t.IsZero() && w.at("trkpt") {
				if first.IsZero() || pt.t.Before(first) {
					first = pt.t
				}
				if pt.t.After(last) {
					last = pt.t
				}
				tp.addPoint(pt, collect)
			}
		}
		w.pop()
	}
	ss := Session{Sport: sport, SubSport: sub, Start: first, DistanceM: dist}
	if !first.IsZero() {
		ss.ElapsedS = last.Sub(first).Seconds()
		ss.TimerS = ss.ElapsedS
		tp.fileType = "activity"
	} else if anyPoint {
		tp.fileType, tp.why = "route", "route without times"
	} else {
		tp.fileType, tp.why = "", "file without track points"
	}
	tp.sessions = []Session{ss}
	return tp, nil
}

package intervalsfake

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tormoder/fit"
)

const maxUpload = 64 << 20

// session is one activity a file turns into.
type session struct {
	start     time.Time
	elapsedS  float64
	timerS    float64
	distanceM float64
	typ       string
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.uploadSeq++
	seq := s.uploadSeq
	failStatus := s.failNth[seq]
	drop := s.dropNth[seq]
	s.mu.Unlock()

	if failStatus != 0 {
		if failStatus >= 500 {
			w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
			w.WriteHeader(failStatus)
			_, _ = io.WriteString(w, "java.lang.IllegalStateException: injected upload failure\n\tat icu.activity.ActivityService.upload(ActivityService.kt:211)\n")
			return
		}
		if failStatus == http.StatusTooManyRequests && s.opts.RetryAfter {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, failStatus, http.StatusText(failStatus))
		return
	}

	filename, data, status, msg := s.readFilePart(w, r)
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	content, kind, err := unwrap(data)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, capitalize(err.Error()))
		return
	}
	hash := s.hash(data, content)

	// Held across decoding so two uploads of the same new bytes cannot both
	// create; a known hash answers 200 without decoding, as the service's
	// "already uploaded" check evidently does.
	q := r.URL.Query()
	s.mu.Lock()
	status = http.StatusOK
	ids, known := s.byHash[hash]
	if s.opts.NoContentDedup {
		known = false
	}
	if !known {
		sessions, err := s.summarize(kind, content)
		if err != nil {
			s.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity, "Error reading "+strings.ToUpper(kind)+" file "+filename+": "+err.Error())
			return
		}
		// New bytes: one activity per session, as the service splits multisport files.
		status = http.StatusCreated
		ids = nil
		for i, se := range sessions {
			a := &Activity{
				StartDate:   se.start.UTC().Truncate(time.Second),
				ElapsedTime: int(math.Round(se.elapsedS)), MovingTime: int(math.Round(se.timerS)),
				Distance: math.Round(se.distanceM*10) / 10, Type: se.typ,
				Name: q.Get("name"), Description: q.Get("description"), DeviceName: q.Get("device_name"),
				ExternalID: q.Get("external_id"), Source: s.opts.UploadSource, FileType: kind,
				FileSportIndex: i, FileHash: hash,
			}
			if a.Name == "" {
				a.Name = defaultName(a.Type)
			}
			ids = append(ids, s.insertLocked(a))
		}
		s.uploads++
	}
	resp := map[string]any{"icu_athlete_id": s.opts.AthleteID, "id": ids[0]}
	list := make([]map[string]any, len(ids))
	for i, id := range ids {
		list[i] = map[string]any{"icu_athlete_id": s.opts.AthleteID, "id": id}
	}
	resp["activities"] = list
	s.mu.Unlock()

	if drop {
		// Stored, but the client never hears so: it must resend and get 200.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	writeJSON(w, status, resp)
}

// readFilePart returns the multipart part "file", or a status and message.
func (s *Server) readFilePart(w http.ResponseWriter, r *http.Request) (string, []byte, int, string) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", nil, http.StatusUnprocessableEntity, "Current request is not a multipart request"
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxUpload), params["boundary"])
	rec := requestRecord(r)
	var (
		filename string
		data     []byte
		found    bool
	)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", nil, http.StatusRequestEntityTooLarge, "Maximum upload size exceeded"
			}
			return "", nil, http.StatusUnprocessableEntity, "Malformed multipart body: " + err.Error()
		}
		s.mu.Lock()
		if rec != nil {
			rec.FormParts = append(rec.FormParts, p.FormName())
		}
		s.mu.Unlock()
		if p.FormName() != "file" || found {
			_, _ = io.Copy(io.Discard, p)
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", nil, http.StatusRequestEntityTooLarge, "Maximum upload size exceeded"
			}
			return "", nil, http.StatusUnprocessableEntity, "Malformed multipart body: " + err.Error()
		}
		filename, data, found = p.FileName(), b, true
		s.mu.Lock()
		if rec != nil {
			rec.Filename = filename
		}
		s.mu.Unlock()
	}
	if !found {
		return "", nil, http.StatusUnprocessableEntity, "Required request part 'file' is not present"
	}
	if len(data) == 0 {
		return "", nil, http.StatusUnprocessableEntity, "File " + filename + " is empty"
	}
	return filename, data, 0, ""
}

// FileHash is the key upload dedup uses for data under this fake's options:
// SHA-256 of the bytes, or of the gzip content with HashGunzip.
func (s *Server) FileHash(data []byte) string {
	content, _, err := unwrap(data)
	if err != nil {
		content = data
	}
	return s.hash(data, content)
}

func (s *Server) hash(raw, content []byte) string {
	b := raw
	if s.opts.HashGunzip && len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		b = content
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fitHeader reports a FIT header and whether the file is as long as it says.
func fitHeader(b []byte) (isFIT, complete bool) {
	if len(b) < 12 || (b[0] != 12 && b[0] != 14) || string(b[8:12]) != ".FIT" {
		return false, false
	}
	// Header + data + 2 CRC bytes.
	size := int(b[4]) | int(b[5])<<8 | int(b[6])<<16 | int(b[7])<<24
	return true, size > 0 && int(b[0])+size+2 <= len(b)
}

func isFIT(b []byte) bool {
	ok, complete := fitHeader(b)
	return ok && complete
}

func kindOf(b []byte) string {
	switch {
	case isFIT(b):
		return "fit"
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return "gz"
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		return "zip"
	}
	head := b[:min(len(b), 4096)]
	switch {
	case bytes.Contains(head, []byte("<TrainingCenterDatabase")):
		return "tcx"
	case bytes.Contains(head, []byte("<gpx")):
		return "gpx"
	}
	return ""
}

// unwrap returns the activity file inside data and its kind (fit, tcx, gpx).
func unwrap(data []byte) ([]byte, string, error) {
	switch kind := kindOf(data); kind {
	case "fit", "tcx", "gpx":
		return data, kind, nil
	case "gz":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, "", fmt.Errorf("error reading gzip file: %v", err)
		}
		inner, err := io.ReadAll(io.LimitReader(zr, maxUpload))
		if err != nil {
			return nil, "", fmt.Errorf("error reading gzip file: %v", err)
		}
		if k := kindOf(inner); k == "fit" || k == "tcx" || k == "gpx" {
			return inner, k, nil
		}
		return nil, "", errors.New("unsupported file type inside gzip")
	case "zip":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, "", fmt.Errorf("error reading zip file: %v", err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				continue
			}
			inner, err := io.ReadAll(io.LimitReader(rc, maxUpload))
			_ = rc.Close()
			if err != nil {
				continue
			}
			if k := kindOf(inner); k == "fit" || k == "tcx" || k == "gpx" {
				return inner, k, nil
			}
		}
		return nil, "", errors.New("no activity file found in zip")
	}
	if ok, _ := fitHeader(data); ok {
		return nil, "", errors.New("error reading FIT file: it ends before the length its header declares")
	}
	return nil, "", errors.New("unsupported file type: expected FIT, TCX, GPX, zip or gz")
}

func (s *Server) summarize(kind string, data []byte) (out []session, err error) {
	if s.opts.Summarize != nil {
		start, el, dist, typ, err := s.opts.Summarize(data)
		if err != nil {
			return nil, err
		}
		return []session{{start: start, elapsedS: el, timerS: el, distanceM: dist, typ: typ}}, nil
	}
	if kind != "fit" {
		return summarizeXML(kind, data)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("decoder failure: %v", r)
		}
	}()
	return summarizeFIT(data)
}

func summarizeFIT(data []byte) ([]session, error) {
	f, err := fit.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	act, err := f.Activity()
	if err != nil {
		return nil, fmt.Errorf("not an activity file (%v)", f.Type())
	}
	var out []session
	for _, m := range act.Sessions {
		out = append(out, session{
			start:     m.StartTime,
			elapsedS:  orZero(m.GetTotalElapsedTimeScaled()),
			timerS:    orZero(m.GetTotalTimerTimeScaled()),
			distanceM: orZero(m.GetTotalDistanceScaled()),
			typ:       fitType(m.Sport, m.SubSport),
		})
	}
	if len(out) == 0 && len(act.Records) > 0 {
		// No summary message: derive it from the records, as readers do.
		first, last := act.Records[0], act.Records[len(act.Records)-1]
		el := last.Timestamp.Sub(first.Timestamp).Seconds()
		out = append(out, session{start: first.Timestamp, elapsedS: el, timerS: el, distanceM: orZero(last.GetDistanceScaled()), typ: "Ride"})
	}
	if len(out) == 0 {
		return nil, errors.New("no activity data")
	}
	return out, nil
}

func orZero(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// fitType approximates the service's sport from the FIT sport and sub-sport.
func fitType(sp fit.Sport, sub fit.SubSport) string {
	switch sp {
	case fit.SportCycling:
		switch sub {
		case fit.SubSportVirtualActivity, fit.SubSportIndoorCycling:
			return "VirtualRide"
		case fit.SubSportMountain:
			return "MountainBikeRide"
		case fit.SubSportGravelCycling:
			return "GravelRide"
		case fit.SubSportCyclocross:
			return "Cyclocross"
		case fit.SubSportTrack:
			return "TrackRide"
		case fit.SubSportHandCycling:
			return "Handcycle"
		case fit.SubSportEBikeMountain:
			return "EMountainBikeRide"
		}
		return "Ride"
	case fit.SportEBiking:
		return "EBikeRide"
	case fit.SportRunning:
		switch sub {
		case fit.SubSportTreadmill, fit.SubSportVirtualActivity, fit.SubSportIndoorRunning:
			return "VirtualRun"
		case fit.SubSportTrail:
			return "TrailRun"
		}
		return "Run"
	case fit.SportSwimming:
		if sub == fit.SubSportOpenWater {
			return "OpenWaterSwim"
		}
		return "Swim"
	case fit.SportWalking:
		return "Walk"
	case fit.SportHiking:
		return "Hike"
	case fit.SportRowing:
		return "Rowing"
	case fit.SportTraining:
		return "WeightTraining"
	case fit.SportTransition:
		return "Transition"
	}
	return "Other"
}

var xmlTime = regexp.MustCompile(`<(?:Id|time|Time)>\s*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9:]+)?)\s*<`)

// summarizeXML takes a TCX/GPX start and end from its first and last
// timestamps; the fake needs no more than that.
func summarizeXML(kind string, data []byte) ([]session, error) {
	ms := xmlTime.FindAllSubmatch(data, -1)
	var times []time.Time
	for _, m := range ms {
		if t, err := time.Parse(time.RFC3339Nano, string(m[1])); err == nil {
			times = append(times, t)
		}
	}
	if len(times) == 0 {
		return nil, errors.New("no timestamps")
	}
	typ := "Ride"
	if bytes.Contains(data, []byte(`Sport="Running"`)) || bytes.Contains(data, []byte("<type>running</type>")) {
		typ = "Run"
	}
	el := times[len(times)-1].Sub(times[0]).Seconds()
	return []session{{start: times[0], elapsedS: el, timerS: el, typ: typ}}, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func defaultName(typ string) string {
	switch typ {
	case "VirtualRide":
		return "Virtual Ride"
	case "":
		return "Activity"
	}
	return typ
}

// CompanionExternalID is the external_id of the seeded foreign upload: the
// FIT filename, as Intervals Companion sets it.
const CompanionExternalID = "2025-05-03-08-12-44.fit"

// Seed preloads what a rider's account typically holds from other paths:
// Strava stubs, Garmin Connect rides and, when companionFIT is given, an
// upload by another app ("Intervals Companion") of exactly those bytes, so
// uploading them again answers 200 with its id. It returns the ids added.
func (s *Server) Seed(companionFIT []byte) []string {
	at := func(day, h, m, sec int) time.Time { return time.Date(2025, 5, day, h, m, sec, 0, s.tz) }
	var ids []string
	add := func(a Activity) { ids = append(ids, s.AddActivity(a)) }
	add(Activity{Source: "STRAVA", StartDateLocal: wall(at(1, 7, 30, 12))})
	add(Activity{Source: "STRAVA", StartDateLocal: wall(at(4, 9, 5, 40))})
	add(Activity{Source: "GARMIN_CONNECT", StartDate: at(2, 17, 45, 3), ElapsedTime: 5400, MovingTime: 5210,
		Distance: 42310, Type: "Ride", Name: "Evening Ride", DeviceName: "Garmin Edge 540",
		ExternalID: "14587234120", FileType: "fit"})
	add(Activity{Source: "GARMIN_CONNECT", StartDate: at(6, 6, 10, 0), ElapsedTime: 2710, MovingTime: 2650,
		Distance: 8120, Type: "Run", Name: "Morning Run", DeviceName: "Garmin Forerunner 255",
		ExternalID: "14598812007", FileType: "fit"})
	if len(companionFIT) > 0 {
		a := Activity{Source: "OAUTH_CLIENT", OAuthClientName: "Intervals Companion", ExternalID: CompanionExternalID,
			Name: "Morning Ride", FileType: "fit", FileHash: s.FileHash(companionFIT),
			StartDate: at(3, 8, 12, 44), ElapsedTime: 3600, MovingTime: 3600, Type: "Ride"}
		if content, kind, err := unwrap(companionFIT); err == nil {
			if ss, err := s.summarize(kind, content); err == nil {
				se := ss[0]
				a.StartDate, a.Type = se.start, se.typ
				a.ElapsedTime, a.MovingTime = int(math.Round(se.elapsedS)), int(math.Round(se.timerS))
				a.Distance = math.Round(se.distanceM*10) / 10
			}
		}
		add(a)
	}
	return ids
}

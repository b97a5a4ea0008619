package trainingpeaksfake

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
)

// Kind says what a seeded workout exercises.
type Kind string

const (
	KindFIT         Kind = "fit"          // one .fit.gz device file, gzip on the wire
	KindFITRaw      Kind = "fit-raw"      // an uncompressed .fit served without gzip
	KindFITMisnamed Kind = "fit-misnamed" // named .fit, gzip on the wire: the name cannot be trusted
	KindMerged      Kind = "auto-merged"  // auto_merged_*.fit listed first, then the original .fit.gz
	KindNegativeID  Kind = "negative-id"  // the device file's fileId is negative
	KindNullTitle   Kind = "null-title"   // title:null, one .fit.gz
	KindTCX         Kind = "tcx"          // only a .tcx.gz
	KindGPX         Kind = "gpx"          // only a .gpx
	KindPWX         Kind = "pwx"          // only a .pwx: Intervals.icu cannot read it
	KindAttachment  Kind = "attachment"   // no device file; a .fit among the attachments
	KindManual      Kind = "manual"       // completed by hand: actuals but no file
	KindDeletedRow  Kind = "deleted-row"  // a listed row flagged isDeleted:true
	KindPlanned     Kind = "planned"      // planned only: no actuals, perhaps in the future
)

// Completed reports whether a client should list the workout as done.
func (k Kind) Completed() bool { return k != KindPlanned && k != KindDeletedRow }

// HasFile reports whether a client should end up with bytes for the workout.
func (k Kind) HasFile() bool {
	return k.Completed() && k != KindManual && k != KindPWX
}

// Workout is one calendar row of the fake, with its files.
type Workout struct {
	ID        int64
	AthleteID int64
	Kind      Kind
	Title     string
	NullTitle bool // title is JSON null
	TypeID    int  // workoutTypeValueId
	// Start is the athlete-local start (its Location is the fake's zone);
	// workoutDay and startTime are its wall clock without offset.
	Start time.Time
	// Actuals (zero on planned rows, which carry the Planned values instead).
	Hours     float64 // totalTime, decimal hours
	DistanceM float64
	TSS       float64
	Calories  float64
	Planned   float64 // totalTimePlanned, decimal hours
	// Files are workoutDeviceFileInfos; Attachments are attachmentFileInfos.
	Files       []File
	Attachments []File
	Deleted     bool // isDeleted:true in the list
	Removed     bool // deleted by Delete: 400 Invalid workoutId
	// DeviceSource and SyncedTo fill workoutDeviceSource and syncedTo.
	DeviceSource string
	SyncedTo     string
}

// File is one stored file of a workout.
type File struct {
	ID           int64 // fileId; may be negative
	FileSystemID int64
	Name         string
	Gzip         bool   // served gzip-compressed
	ContentType  string // rawfiledata Content-Type
	Uploaded     time.Time
	Want         bool // the file a client should pick
	content      *content
}

// content is a file's bytes, made on first use: encoding a few hundred FIT
// files up front would make every seeded test slow, most never download.
type content struct {
	once     sync.Once
	gen      func() []byte
	data     []byte
	wireOnce sync.Once
	wire     []byte
}

func lazy(gen func() []byte) *content { return &content{gen: gen} }

func (c *content) bytes() []byte {
	c.once.Do(func() {
		if c.gen != nil {
			c.data = c.gen()
		}
	})
	return c.data
}

// WithData returns f holding b (uncompressed) as its content.
func (f File) WithData(b []byte) File {
	b = append([]byte(nil), b...)
	f.content = lazy(func() []byte { return b })
	return f
}

// Data is the file's content, uncompressed.
func (f File) Data() []byte {
	if f.content == nil {
		return nil
	}
	return append([]byte(nil), f.content.bytes()...)
}

// onWire is the body rawfiledata sends: the content, gzipped when f.Gzip.
func (f File) onWire() []byte {
	if f.content == nil {
		return nil
	}
	c := f.content
	c.wireOnce.Do(func() {
		c.wire = c.bytes()
		if f.Gzip {
			c.wire = gzipBytes(c.wire)
		}
	})
	return c.wire
}

func (w *Workout) clone() Workout {
	c := *w
	c.Files = cloneFiles(w.Files)
	c.Attachments = cloneFiles(w.Attachments)
	return c
}

func cloneFiles(fs []File) []File { return append([]File(nil), fs...) }

// UTCStart is when the file says the workout started.
func (w Workout) UTCStart() time.Time { return w.Start.UTC() }

// Day is workoutDay as a date (UTC midnight).
func (w Workout) Day() time.Time {
	y, m, d := w.Start.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sportKinds: workoutTypeValueId, its FIT sport and sub-sport, its share of seeded rows.
var sportKinds = []struct {
	typeID int
	sport  fit.Sport
	sub    fit.SubSport
	weight int
	title  string
}{
	{2, fit.SportCycling, fit.SubSportGeneric, 50, "Endurance ride"},
	{2, fit.SportCycling, fit.SubSportIndoorCycling, 8, "Trainer intervals"},
	{3, fit.SportRunning, fit.SubSportGeneric, 22, "Easy run"},
	{1, fit.SportSwimming, fit.SubSportGeneric, 5, "Pool swim"},
	{8, fit.SportCycling, fit.SubSportMountain, 5, "Trail loop"},
	{9, fit.SportTraining, fit.SubSportStrengthTraining, 4, "Strength"},
	{13, fit.SportWalking, fit.SubSportGeneric, 3, "Walk"},
	{11, fit.SportCrossCountrySkiing, fit.SubSportGeneric, 2, "Classic ski"},
	{12, fit.SportRowing, fit.SubSportGeneric, 1, "Erg"},
}

var specialKinds = []Kind{KindManual, KindPWX, KindTCX, KindGPX, KindFITRaw, KindFITMisnamed, KindMerged, KindNegativeID, KindNullTitle, KindAttachment}

// Seed adds n completed workouts for PrimaryAthlete on days from..to
// (inclusive, athlete-local), then, on top of those n, planned-only rows (in
// range and a few in the future) and one isDeleted row. With n >= 10 every
// special Kind appears once; the rest are KindFIT, a few served raw. rng makes
// the history repeatable. It returns every row it added, by start.
func (s *Server) Seed(n int, from, to time.Time, rng *rand.Rand) []Workout {
	if rng == nil {
		rng = rand.New(rand.NewSource(1))
	}
	fromDay := dateOf(from)
	span := int(dateOf(to).Sub(fromDay).Hours()/24) + 1
	if span < 1 {
		span = 1
	}
	kinds := make([]Kind, n)
	for i := range kinds {
		kinds[i] = KindFIT
		if rng.Intn(100) < 8 {
			kinds[i] = KindFITRaw
		}
	}
	for i, idx := range rng.Perm(n) {
		if i >= len(specialKinds) {
			break
		}
		kinds[idx] = specialKinds[i]
	}
	aid := s.PrimaryAthlete()
	var added []Workout
	for _, k := range kinds {
		day := fromDay.AddDate(0, 0, rng.Intn(span))
		added = append(added, s.add(s.randomWorkout(rng, aid, k, s.localStart(rng, day))))
	}
	for i := 0; i < n/10+1; i++ {
		day := fromDay.AddDate(0, 0, rng.Intn(span))
		added = append(added, s.add(s.randomWorkout(rng, aid, KindPlanned, s.localStart(rng, day))))
	}
	today := dateOf(s.now().In(s.loc))
	for i := 1; i <= 3; i++ {
		day := today.AddDate(0, 0, i*3)
		added = append(added, s.add(s.randomWorkout(rng, aid, KindPlanned, s.localStart(rng, day))))
	}
	day := fromDay.AddDate(0, 0, rng.Intn(span))
	added = append(added, s.add(s.randomWorkout(rng, aid, KindDeletedRow, s.localStart(rng, day))))
	sortWorkouts(added)
	return added
}

// Add stores a workout built by a test (see NewWorkout) and returns it with
// its ids filled in.
func (s *Server) Add(w Workout) Workout { return s.add(w) }

// NewWorkout builds a workout of kind k starting at local wall clock start
// (interpreted in the fake's zone) for athlete aid, with generated files.
func (s *Server) NewWorkout(rng *rand.Rand, aid int64, k Kind, start time.Time) Workout {
	if rng == nil {
		rng = rand.New(rand.NewSource(start.Unix()))
	}
	local := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), start.Minute(), start.Second(), 0, s.loc)
	return s.randomWorkout(rng, aid, k, local)
}

func (s *Server) add(w Workout) Workout {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ID == 0 {
		s.nextID += 1 + int64(len(s.workouts)%7)
		w.ID = s.nextID
	}
	if w.AthleteID == 0 {
		w.AthleteID = s.PrimaryAthlete()
	}
	w.Files, w.Attachments = cloneFiles(w.Files), cloneFiles(w.Attachments)
	for _, fs := range [][]File{w.Files, w.Attachments} {
		for i := range fs {
			f := &fs[i]
			if f.ID == 0 {
				s.nextFileID += 7919
				f.ID = s.nextFileID
			}
			if f.FileSystemID == 0 {
				f.FileSystemID = f.ID*3 + 1
			}
			if f.content == nil {
				f.content = lazy(nil)
			}
		}
	}
	s.workouts[w.ID] = &w
	return w.clone()
}

// localStart picks a time of day; some start just after local midnight, so
// the file's UTC date is the day before workoutDay.
func (s *Server) localStart(rng *rand.Rand, day time.Time) time.Time {
	h, m := 5+rng.Intn(16), rng.Intn(60)
	if rng.Intn(20) == 0 {
		h = 0
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, rng.Intn(60), 0, s.loc)
}

func (s *Server) randomWorkout(rng *rand.Rand, aid int64, k Kind, start time.Time) Workout {
	pick := rng.Intn(100)
	sk := sportKinds[0]
	for _, c := range sportKinds {
		if pick < c.weight {
			sk = c
			break
		}
		pick -= c.weight
	}
	dur := time.Duration(25+rng.Intn(150)) * time.Minute
	dist := float64(dur/time.Second) * (4 + rng.Float64()*5)
	w := Workout{
		AthleteID: aid, Kind: k, TypeID: sk.typeID, Title: sk.title, Start: start,
		DeviceSource: []string{"", "Garmin", "Zwift", "Wahoo"}[rng.Intn(4)],
	}
	if k == KindPlanned {
		w.Planned = dur.Hours()
		w.Title = "Planned: " + sk.title
		w.DeviceSource = ""
		return w
	}
	w.Hours = float64(int(dur.Hours()*10000)) / 10000
	w.DistanceM = float64(int(dist))
	w.TSS = float64(30 + rng.Intn(120))
	w.Calories = float64(300 + rng.Intn(1200))
	if rng.Intn(4) == 0 {
		w.SyncedTo = "Strava"
	}
	uploaded := start.Add(dur + time.Duration(5+rng.Intn(600))*time.Minute)
	ride := fitgen.Ride{
		Start: start.UTC(), Duration: dur, DistanceM: dist, Sport: sk.sport, SubSport: sk.sub,
		Serial: uint32(rng.Int31()), AvgHR: uint8(120 + rng.Intn(40)), Every: time.Minute,
	}
	if sk.sport == fit.SportCycling {
		ride.AvgPower = uint16(150 + rng.Intn(120))
	}
	devName := fmt.Sprintf("%018d", rng.Int63()%1_000_000_000_000_000_000)
	original := func(name string, gz bool) File {
		ct := "application/octet-stream"
		if gz && rng.Intn(2) == 0 {
			ct = "application/gzip"
		}
		return File{Name: name, Gzip: gz, ContentType: ct, Uploaded: uploaded, Want: true, content: lazy(func() []byte { return fitgen.Activity(ride) })}
	}
	ext := ".fit.gz"
	if rng.Intn(5) == 0 {
		ext = ".FIT.GZ"
	}
	switch k {
	case KindFIT, KindDeletedRow:
		w.Files = []File{original(devName+ext, true)}
	case KindNullTitle:
		w.NullTitle, w.Title = true, ""
		w.Files = []File{original(devName+ext, true)}
	case KindFITRaw:
		// Served raw, though some rows keep the usual .gz name.
		name := devName + ".fit"
		if rng.Intn(2) == 0 {
			name = devName + ".fit.gz"
		}
		w.Files = []File{original(name, false)}
	case KindFITMisnamed:
		w.Files = []File{original(devName+".fit", true)}
	case KindNegativeID:
		f := original(devName+ext, true)
		f.ID = -568394398 - int64(rng.Intn(1_000_000))
		w.Files = []File{f}
	case KindMerged:
		merged := ride
		merged.Serial++
		w.Files = []File{
			{Name: fmt.Sprintf("auto_merged_%d.fit", start.Unix()), ContentType: "application/octet-stream",
				Uploaded: uploaded.Add(time.Minute), content: lazy(func() []byte { return fitgen.Activity(merged) })},
			original(devName+ext, true),
		}
	case KindTCX:
		w.Files = []File{{Name: devName + ".tcx.gz", Gzip: true, ContentType: "application/gzip", Uploaded: uploaded, Want: true, content: lazy(func() []byte { return tcxFile(ride) })}}
	case KindGPX:
		w.Files = []File{{Name: devName + ".gpx", ContentType: "application/octet-stream", Uploaded: uploaded, Want: true, content: lazy(func() []byte { return gpxFile(ride) })}}
	case KindPWX:
		w.Files = []File{{Name: devName + ".pwx", ContentType: "application/octet-stream", Uploaded: uploaded, content: lazy(func() []byte { return pwxFile(ride) })}}
	case KindAttachment:
		w.Attachments = []File{
			File{Name: "notes.pdf", ContentType: "application/pdf", Uploaded: uploaded}.WithData([]byte("%PDF-1.4\n%fake\n")),
			{Name: devName + ".fit", ContentType: "application/octet-stream", Uploaded: uploaded, Want: true, content: lazy(func() []byte { return fitgen.Activity(ride) })},
		}
	case KindManual:
		w.DeviceSource = ""
	}
	return w
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func tcxFile(r fitgen.Ride) []byte {
	start := r.Start.UTC().Format(time.RFC3339)
	end := r.Start.Add(r.Duration).UTC().Format(time.RFC3339)
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>%s</Id>
  <Lap StartTime="%s"><TotalTimeSeconds>%.0f</TotalTimeSeconds><DistanceMeters>%.1f</DistanceMeters><Calories>0</Calories>
   <Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
   <Track>
    <Trackpoint><Time>%s</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
    <Trackpoint><Time>%s</Time><DistanceMeters>%.1f</DistanceMeters></Trackpoint>
   </Track></Lap></Activity></Activities>
</TrainingCenterDatabase>
`, start, start, r.Duration.Seconds(), r.DistanceM, start, end, r.DistanceM)
}

func gpxFile(r fitgen.Ride) []byte {
	start := r.Start.UTC().Format(time.RFC3339)
	end := r.Start.Add(r.Duration).UTC().Format(time.RFC3339)
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="fake" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>Walk</name><trkseg>
  <trkpt lat="52.5200" lon="13.4050"><time>%s</time></trkpt>
  <trkpt lat="52.5300" lon="13.4150"><time>%s</time></trkpt>
 </trkseg></trk>
</gpx>
`, start, end)
}

func pwxFile(r fitgen.Ride) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<pwx xmlns="http://www.peaksware.com/PWX/1/0" version="1.0">
 <workout><sportType>Bike</sportType><time>%s</time>
  <summarydata><beginning>0</beginning><duration>%.0f</duration></summarydata>
 </workout>
</pwx>
`, r.Start.UTC().Format("2006-01-02T15:04:05"), r.Duration.Seconds())
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func sortWorkouts(ws []Workout) {
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Start.Before(ws[j].Start) })
}

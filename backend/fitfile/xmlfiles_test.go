package fitfile

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

const gpxRide = `<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1" xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <metadata><time>2020-01-01T00:00:00Z</time></metadata>
 <trk><name>Morning Ride</name><type>cycling</type>
  <trkseg>
   <trkpt lat="45.000" lon="7.0"><ele>100</ele><time>2024-06-01T08:00:00+02:00</time>
    <extensions><power>200</power><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
   <trkpt lat="45.001" lon="7.0"><time>2024-06-01T08:00:30+02:00</time>
    <extensions><power>300</power><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
  </trkseg>
  <trkseg>
   <trkpt lat="45.002" lon="7.0"><time>2024-06-01T06:01:00Z</time></trkpt>
   <trkpt lat="45.003" lon="7.0"><time>2024-06-01T06:02:00.500Z</time></trkpt>
  </trkseg>
 </trk>
</gpx>`

// Along a meridian the distance is R·Δφ, whatever the formula.
var metresPerMilliDegree = 6371008.8 * 0.001 * math.Pi / 180

func TestGPXActivity(t *testing.T) {
	s, err := Summarize([]byte(gpxRide))
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != FormatGPX || s.FileType != "activity" || s.Sport != "cycling" || s.IntervalsType() != "Ride" {
		t.Errorf("format %q type %q sport %q", s.Format, s.FileType, s.Sport)
	}
	if want := time.Date(2024, 6, 1, 6, 0, 0, 0, time.UTC); !s.Start.Equal(want) || s.Start.Location() != time.UTC {
		t.Errorf("start %v", s.Start)
	}
	if s.ElapsedS != 120.5 {
		t.Errorf("elapsed %v", s.ElapsedS)
	}
	// Two segments of one step each: the gap between segments is not ridden.
	if want := 2 * metresPerMilliDegree; !near(s.DistanceM, want, 0.01) {
		t.Errorf("distance %.3f, want %.3f", s.DistanceM, want)
	}
	if s.AvgHR != 130 || s.AvgPowerW != 250 || s.Device != "Garmin Connect" {
		t.Errorf("hr %v power %v device %q", s.AvgHR, s.AvgPowerW, s.Device)
	}
}

func TestGPXRouteFixture(t *testing.T) {
	s, err := Summarize(readFixture(t, "gpx_strava_route_no_times.gpx"))
	if !errors.Is(err, ErrNotActivity) {
		t.Fatalf("err %v", err)
	}
	// PROVENANCE: <type>Ride</type>, creator StravaGPX, 843 trkpts, no times.
	if s.FileType != "route" || s.Sport != "cycling" || s.Device != "StravaGPX" || !s.Start.IsZero() || s.DistanceM <= 0 {
		t.Errorf("%+v", s)
	}
}

func TestTCXFixtureDetails(t *testing.T) {
	s, err := Summarize(readFixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	if err != nil {
		t.Fatal(err)
	}
	// The file's three laps: 608.47 s at 139 bpm, 714.80 s at 172, 669.51 s at 167.
	wantHR := (608.47*139 + 714.80*172 + 669.51*167) / (608.47 + 714.80 + 669.51)
	if !near(s.AvgHR, wantHR, 0.01) || s.AvgPowerW != 0 || s.Format != FormatTCX || s.Wrapping != "" {
		t.Errorf("hr %v (want %.2f) power %v format %q", s.AvgHR, wantHR, s.AvgPowerW, s.Format)
	}
}

const tcxRide = `<?xml version="1.0" encoding="ISO-8859-1"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities>
  <Activity Sport="Biking">
   <Id>2024-03-02T10:00:00Z</Id>
   <Notes>Caf` + "\xe9" + ` ride</Notes>
   <Lap StartTime="2024-03-02T10:00:00Z">
    <TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>500</DistanceMeters>
    <AverageHeartRateBpm><Value>100</Value></AverageHeartRateBpm>
    <Extensions><ns3:LX><ns3:AvgWatts>150</ns3:AvgWatts></ns3:LX></Extensions>
    <Track>
     <Trackpoint><Time>2024-03-02T10:00:00Z</Time><DistanceMeters>0</DistanceMeters>
      <HeartRateBpm><Value>90</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Watts>100</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
     <Trackpoint><Time>2024-03-02T10:01:00Z</Time><DistanceMeters>500</DistanceMeters>
      <HeartRateBpm><Value>110</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Watts>200</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
    </Track>
   </Lap>
   <Lap StartTime="2024-03-02T10:02:00Z">
    <TotalTimeSeconds>180</TotalTimeSeconds><DistanceMeters>1500</DistanceMeters>
    <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>
    <Extensions><ns3:LX><ns3:AvgWatts>250</ns3:AvgWatts></ns3:LX></Extensions>
    <Track>
     <Trackpoint><Time>2024-03-02T10:02:00Z</Time></Trackpoint>
     <Trackpoint><Time>2024-03-02T10:05:00Z</Time><DistanceMeters>2000</DistanceMeters></Trackpoint>
    </Track>
   </Lap>
   <Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Name>Edge 705</Name></Creator>
  </Activity>
 </Activities>
</TrainingCenterDatabase>`

func TestTCXActivity(t *testing.T) {
	s, err := Summarize([]byte(tcxRide))
	if err != nil {
		t.Fatal(err)
	}
	if s.Sport != "cycling" || s.IntervalsType() != "Ride" || s.Device != "Edge 705" {
		t.Errorf("sport %q device %q", s.Sport, s.Device)
	}
	if !s.Start.Equal(time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC)) || s.ElapsedS != 300 || s.TimerS != 240 || s.DistanceM != 2000 {
		t.Errorf("start %v elapsed %v timer %v distance %v", s.Start, s.ElapsedS, s.TimerS, s.DistanceM)
	}
	// Lap averages weighted by lap time: (100·60 + 140·180)/240 and (150·60 + 250·180)/240.
	if s.AvgHR != 130 || s.AvgPowerW != 225 {
		t.Errorf("hr %v power %v", s.AvgHR, s.AvgPowerW)
	}
	// Without lap averages the trackpoints' mean is used.
	noLapAvg := strings.NewReplacer("<AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>", "",
		"<ns3:AvgWatts>250</ns3:AvgWatts>", "").Replace(tcxRide)
	s, err = Summarize([]byte(noLapAvg))
	if err != nil || s.AvgHR != 100 || s.AvgPowerW != 150 {
		t.Errorf("trackpoint means: %v hr %v power %v", err, s.AvgHR, s.AvgPowerW)
	}
}

func TestTCXNotActivities(t *testing.T) {
	course := `<TrainingCenterDatabase><Courses><Course><Name>Loop</Name></Course></Courses></TrainingCenterDatabase>`
	s, err := Summarize([]byte(course))
	if !errors.Is(err, ErrNotActivity) || s.FileType != "course" || s.Format != FormatTCX {
		t.Errorf("course: %v %q %q", err, s.FileType, s.Format)
	}
	noTimes := `<TrainingCenterDatabase><Activities><Activity Sport="Running"><Lap><TotalTimeSeconds>5</TotalTimeSeconds></Lap></Activity></Activities></TrainingCenterDatabase>`
	if _, err := Summarize([]byte(noTimes)); !errors.Is(err, ErrNotActivity) {
		t.Errorf("no times: %v", err)
	}
}

func TestBadXML(t *testing.T) {
	tcx := readFixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	for _, tc := range []struct {
		name, data, prefix string
	}{
		{"truncated TCX", string(tcx[:len(tcx)/2]), "not a well-formed TCX file: line "},
		{"mismatched TCX", `<TrainingCenterDatabase><Activities></Lap></TrainingCenterDatabase>`, "not a well-formed TCX file: line 1: "},
		{"truncated GPX", gpxRide[:len(gpxRide)-20], "not a well-formed GPX file: line "},
		{"other XML", `<?xml version="1.0"?><kml><Document/></kml>`, "not a FIT, TCX or GPX file: XML document <kml>"},
		{"broken prolog", `<?xml version="1.0"?><<<`, "not a well-formed XML file: "},
		{"unknown charset", `<?xml version="1.0" encoding="EBCDIC"?><gpx/>`, "not a well-formed XML file: "},
		{"only a comment", `<!-- nothing -->`, "not a FIT, TCX or GPX file: XML without any element"},
		{"deep nesting", "<gpx>" + strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300) + "</gpx>", "not a well-formed GPX file: elements nested too deeply"},
	} {
		_, err := Summarize([]byte(tc.data))
		if got := mustUnreadable(t, err); !strings.HasPrefix(got, tc.prefix) {
			t.Errorf("%s: %q, want prefix %q", tc.name, got, tc.prefix)
		}
	}
}

func TestGPXSportNames(t *testing.T) {
	for typ, want := range map[string]string{
		"Ride": "Ride", "VirtualRide": "VirtualRide", "running": "Run", "Hike": "Hike", "gravel_cycling": "GravelRide",
		"kitesurfing": "Other", "": "",
	} {
		doc := strings.Replace(gpxRide, "<type>cycling</type>", "<type>"+typ+"</type>", 1)
		s, err := Summarize([]byte(doc))
		if err != nil || s.IntervalsType() != want {
			t.Errorf("type %q: %v %q, want %q", typ, err, s.IntervalsType(), want)
		}
	}
}

package fitfile

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type outcome int

const (
	activity outcome = iota
	notActivity
	corrupt
)

type wantSession struct {
	sport, sub string
	start      string // RFC 3339, UTC; "" = not checked
	elapsed    float64
	distance   float64
}

type fixtureCase struct {
	file    string
	outcome outcome
	// activity
	sport, sub string
	itype      string // IntervalsType()
	start      string
	elapsed    float64
	distance   float64
	timer      float64 // 0 = not checked
	manuID     uint16
	device     string
	sessions   []wantSession // multisport only
	// not an activity
	fileType string
	// corrupt: what the repair says
	repaired string
}

// Expected values come from testdata/PROVENANCE.md: the tormoder/fit decode
// (sport/sub-sport, start, elapsed, distance of session 0) and the raw walk
// (manufacturer, session sport numbers, elapsed, distance). Where both exist
// they agree. Sub-sports are the FIT names of the raw walk's numbers; a
// missing number (tormoder "Invalid") is "". Values not in PROVENANCE are
// marked where used.
var fixtureCases = []fixtureCase{
	{file: "zwift_2015-07-21_watopia_hdr12.fit", sport: "cycling", sub: "indoor_cycling", itype: "VirtualRide",
		start: "2015-07-21T10:28:36Z", elapsed: 3195, timer: 3190, distance: 24024, manuID: 260, device: "Zwift"},
	{file: "zwift_2017-10-05_virtualride.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2017-10-05T00:04:06Z", elapsed: 1807, timer: 1808, distance: 13400, manuID: 260, device: "Zwift"},
	{file: "zwift_2025-04-01_virtualride.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2025-04-01T14:55:45Z", elapsed: 3690, timer: 3691, distance: 33873, manuID: 260, device: "Zwift"},
	// tormoder cannot read it; raw walk: cycling/58, 3690 s, 33873 m. The start
	// is the Zwift original's (PROVENANCE: "same ride as zwift_2025-04-01").
	{file: "onelap_reexport_of_zwift_2025-04-01.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2025-04-01T14:55:45Z", elapsed: 3690, distance: 33873, manuID: 307, device: "Onelap"},
	{file: "onelap_2021-03-04_indoor.fit", sport: "cycling", sub: "indoor_cycling", itype: "VirtualRide",
		start: "2021-03-04T12:04:26Z", elapsed: 720, timer: 720, distance: 7123, manuID: 307, device: "Onelap"},
	{file: "mywhoosh_2026-01-10_virtualride.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2026-01-10T21:07:24Z", elapsed: 4118, timer: 4118, distance: 36479, manuID: 331, device: "MyWhoosh"},
	{file: "tpv_2025-01-11_manu_development.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2025-01-11T19:01:01Z", elapsed: 7940, timer: 7940, distance: 80080, manuID: 255, device: ""},
	{file: "tpv_2025-11-20_peaksware.fit", sport: "cycling", sub: "virtual_activity", itype: "VirtualRide",
		start: "2025-11-20T18:36:43Z", elapsed: 3727, timer: 3727, distance: 33970, manuID: 28, device: "TrainingPeaks Virtual"},
	// tormoder cannot read it; raw walk: cycling/7, 10215 s, 59687 m. Neither
	// reading has the start: 01:20:13Z is muktihari/fit's reading, and the
	// 09:20:13 in the source file name is the same time at UTC+8 (China).
	{file: "igpsport_igs320_2021-06-27_ride_serial32B.fit", sport: "cycling", sub: "road", itype: "Ride",
		start: "2021-06-27T01:20:13Z", elapsed: 10215, distance: 59687, manuID: 115, device: "iGPSport iGS320"},
	{file: "garmin_edge530_2020-11-07_road.fit", sport: "cycling", sub: "road", itype: "Ride",
		start: "2020-11-07T19:13:55Z", elapsed: 10177, timer: 8789, distance: 66802, manuID: 1, device: "Garmin Edge 530"},
	{file: "garmin_edge810_2013-08-16_vector_power.fit", sport: "cycling", sub: "generic", itype: "Ride",
		start: "2013-08-16T18:05:10Z", elapsed: 4700, timer: 4700, distance: 41339, manuID: 1, device: "Garmin Edge 810"},
	{file: "garmin_edge500_2011-06-26_ride.fit", sport: "cycling", sub: "", itype: "Ride",
		start: "2011-06-26T21:18:39Z", elapsed: 11742, timer: 10699, distance: 88797, manuID: 1, device: "Garmin Edge 500"},
	{file: "garmin_edge200_2015-10-13_ride.fit", sport: "cycling", sub: "generic", itype: "Ride",
		start: "2015-10-13T15:43:15Z", elapsed: 1623, timer: 1558, distance: 11536, manuID: 1, device: "Garmin Edge 200"},
	{file: "garmin_edge820_2017-06-12_commute_short.fit", sport: "cycling", sub: "commuting", itype: "Ride",
		start: "2017-06-12T16:10:15Z", elapsed: 65, timer: 65, distance: 457, manuID: 1, device: "Garmin Edge 820"},
	{file: "garmin_edge520_2021-10-17_ride.fit", sport: "cycling", sub: "generic", itype: "Ride",
		start: "2021-10-17T07:45:11Z", elapsed: 8084, timer: 8027, distance: 56658, manuID: 1, device: "Garmin Edge 520"},
	{file: "wahoo_elemnt_2019-02-17_ride_6h.fit", sport: "cycling", sub: "", itype: "Ride",
		start: "2019-02-17T06:26:44Z", elapsed: 23595, timer: 13471, distance: 78941, manuID: 32, device: "Wahoo ELEMNT"},
	{file: "wahoo_elemnt_bolt_2017-08-21_no_app_id.fit", sport: "cycling", sub: "", itype: "Ride",
		start: "2017-08-21T08:18:00Z", elapsed: 140, timer: 132, distance: 964, manuID: 32, device: "Wahoo ELEMNT BOLT"},
	{file: "wahoo_2023-11-08_indoor_unterminated_strings.fit", sport: "cycling", sub: "indoor_cycling", itype: "VirtualRide",
		start: "2023-11-08T10:19:38Z", elapsed: 32, timer: 32, distance: 69, manuID: 32, device: "Wahoo"},
	{file: "bryton_2020-10-17_ride_no_laps.fit", sport: "cycling", sub: "generic", itype: "Ride",
		start: "2020-10-17T06:21:34Z", elapsed: 7263, timer: 5233, distance: 17324, manuID: 267, device: "Bryton"},
	{file: "stages_dash_l50_2021-04-24_road.fit", sport: "cycling", sub: "road", itype: "Ride",
		start: "2021-04-24T22:43:56Z", elapsed: 2038, timer: 2038, distance: 9300, manuID: 69, device: "Stages DashL50"},
	{file: "garmin_fenix2_2015-08-15_run.fit", sport: "running", sub: "", itype: "Run",
		start: "2015-08-15T14:45:08Z", elapsed: 2832, timer: 2832, distance: 9008, manuID: 1, device: "Garmin Fenix 2"},
	{file: "garmin_fr110_2013-02-06_run.fit", sport: "running", sub: "generic", itype: "Run",
		start: "2013-02-06T12:11:14Z", elapsed: 2625, timer: 2625, distance: 4835, manuID: 1, device: "Garmin Forerunner 110"},
	{file: "garmin_fr935_2020-12-02_indoor_run_devfields.fit", sport: "running", sub: "indoor_running", itype: "VirtualRun",
		start: "2020-12-02T22:49:14Z", elapsed: 3442, timer: 3442, distance: 13068, manuID: 1, device: "Garmin Forerunner 935"},
	{file: "garmin_fenix5_2017-06-11_run_short.fit", sport: "running", sub: "generic", itype: "Run",
		start: "2017-06-11T14:34:09Z", elapsed: 57, timer: 57, distance: 158, manuID: 1, device: "Garmin Fenix 5"},
	{file: "stryd_2017-01-17_run_devfields.fit", sport: "running", sub: "generic", itype: "Run",
		start: "2017-01-17T17:06:47Z", elapsed: 3424, timer: 3424, distance: 6754, manuID: 95, device: "Stryd"},
	// tormoder cannot read it. The raw walk lists the first three sessions;
	// the last two and the start (= file_id.time_created in PROVENANCE) are
	// muktihari/fit's reading.
	{file: "garmin_fr255_2023-09-02_triathlon_64bit_fields.fit", sport: "swimming", sub: "open_water", itype: "OpenWaterSwim",
		start: "2023-09-02T13:15:24Z", elapsed: 676 + 157 + 1567 + 69.623 + 1573.613, distance: 513 + 132 + 13518 + 71.72 + 4491.51,
		manuID: 1, device: "Garmin Forerunner 255",
		sessions: []wantSession{
			{"swimming", "open_water", "2023-09-02T13:15:24Z", 676, 513},
			{"transition", "generic", "", 157, 132},
			{"cycling", "generic", "", 1567, 13518},
			{"transition", "generic", "", 69.623, 71.72},
			{"running", "generic", "", 1573.613, 4491.51},
		}},
	{file: "garmin_fenix3_2016-08-13_poolswim_hr.fit", sport: "swimming", sub: "lap_swimming", itype: "Swim",
		start: "2016-08-13T13:10:47Z", elapsed: 3505, timer: 3485, distance: 1700, manuID: 1, device: "Garmin Fenix 3"},
	// PROVENANCE: first=21:29:53Z last=22:03:05Z, lap_time_sum=1993s, lap_dist_sum=4689m.
	{file: "tcx_garmin_fr410_2012-12-26_run.tcx", sport: "running", sub: "", itype: "Run",
		start: "2012-12-26T21:29:53Z", elapsed: 1992, timer: 1993, distance: 4689, device: "Forerunner 410"},

	// The corrupt class: every one is repaired and read; repaired says how.
	// PROVENANCE: fileCRC=BAD; raw walk running/0 14 s 6 m.
	{file: "corrupt_sdk_activity_bad_file_crc.fit", outcome: corrupt, sport: "running", sub: "generic", itype: "Run",
		start: "2012-04-09T21:22:26Z", elapsed: 13.7, distance: 5.7, manuID: 15, device: "Dynastream HRM 1",
		repaired: "repaired: the file checksum was wrong"},
	// PROVENANCE: TRUNCATED(have 768 of 771 bytes): the activity message is
	// cut off, the session before it is whole.
	{file: "corrupt_sdk_activity_unexpected_eof.fit", outcome: corrupt, sport: "running", sub: "generic", itype: "Run",
		start: "2012-04-09T21:22:26Z", elapsed: 13.7, distance: 5.7, manuID: 15, device: "Dynastream HRM 1",
		repaired: "repaired: the file ended early, 13 seconds of records kept"},
	// PROVENANCE: second segment fileCRC=BAD.
	{file: "chained_activity_then_bad_crc_segment.fit", outcome: corrupt, sport: "running", sub: "generic", itype: "Run",
		start: "2012-04-09T21:22:26Z", elapsed: 13.7, distance: 5.7, manuID: 15, device: "Dynastream HRM 1",
		repaired: "repaired: the file checksum was wrong"},
	// PROVENANCE: second segment TRUNCATED(have 15 of 82 bytes): nothing in it to keep.
	{file: "chained_activity_then_truncated_settings.fit", outcome: corrupt, sport: "running", sub: "generic", itype: "Run",
		start: "2012-04-09T21:22:26Z", elapsed: 13.7, distance: 5.7, manuID: 15, device: "Dynastream HRM 1",
		repaired: "repaired: a damaged chained part was left out"},
	// PROVENANCE: no session, fileCRC=BAD, last record overruns the data;
	// record count 14392, file_id created 2020-09-12T12:23:37Z. Values from
	// the records: the session is rebuilt from them.
	{file: "sigma_2020-09-12_unterminated_crc_bad.fit", outcome: corrupt, sport: "cycling", sub: "", itype: "Ride",
		start: "2020-09-12T12:23:38Z", elapsed: 16723, distance: 113551, manuID: 70, device: "Sigma",
		repaired: "repaired: its last 19 bytes were unreadable, the file checksum was wrong, the missing session was rebuilt from the records, 4 h 38 min of records kept"},

	{file: "workout_sdk_repeat_steps.fit", outcome: notActivity, fileType: "workout"},
	{file: "workout_stages_link_devdata_before_fileid.fit", outcome: notActivity, fileType: "workout"},
	{file: "course_garmin_old_stage_lefthand_lee.fit", outcome: notActivity, fileType: "course"},
	{file: "course_stages_link_28832.fit", outcome: notActivity, fileType: "course"},
	{file: "settings_garmin_edge510.fit", outcome: notActivity, fileType: "settings"},
	{file: "monitoring_vivofit_sdk.fit", outcome: notActivity, fileType: "monitoring_b"},
	{file: "gpx_strava_route_no_times.gpx", outcome: notActivity, fileType: "route"},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixtureFiles lists the activity files in testdata.
func fixtureFiles(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestFixtureSummaries(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range fixtureCases {
		covered[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			s, err := Summarize(readFixture(t, tc.file))
			switch tc.outcome {
			case notActivity:
				if !errors.Is(err, ErrNotActivity) {
					t.Fatalf("err = %v, want ErrNotActivity", err)
				}
				if s.FileType != tc.fileType {
					t.Errorf("FileType = %q, want %q", s.FileType, tc.fileType)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if s.Repaired != tc.repaired {
				t.Errorf("repaired = %q, want %q", s.Repaired, tc.repaired)
			}
			if s.FileType != "activity" {
				t.Errorf("FileType = %q", s.FileType)
			}
			if s.Sport != tc.sport || s.SubSport != tc.sub {
				t.Errorf("sport = %q/%q, want %q/%q", s.Sport, s.SubSport, tc.sport, tc.sub)
			}
			if got := s.IntervalsType(); got != tc.itype {
				t.Errorf("IntervalsType = %q, want %q", got, tc.itype)
			}
			want, _ := time.Parse(time.RFC3339, tc.start)
			if !s.Start.Equal(want) || s.Start.Location() != time.UTC {
				t.Errorf("start = %v, want %v (UTC)", s.Start, want)
			}
			if !near(s.ElapsedS, tc.elapsed, 1) {
				t.Errorf("elapsed = %.3f, want %.0f ±1", s.ElapsedS, tc.elapsed)
			}
			if tc.timer != 0 && !near(s.TimerS, tc.timer, 1) {
				t.Errorf("timer = %.3f, want %.0f ±1", s.TimerS, tc.timer)
			}
			if !near(s.DistanceM, tc.distance, 1) {
				t.Errorf("distance = %.2f, want %.0f ±1", s.DistanceM, tc.distance)
			}
			if s.ManufacturerID != tc.manuID {
				t.Errorf("manufacturer = %d, want %d", s.ManufacturerID, tc.manuID)
			}
			if s.Device != tc.device {
				t.Errorf("device = %q, want %q", s.Device, tc.device)
			}
			wantSessions := tc.sessions
			if wantSessions == nil {
				wantSessions = []wantSession{{tc.sport, tc.sub, tc.start, tc.elapsed, tc.distance}}
			}
			if len(s.Sessions) != len(wantSessions) {
				t.Fatalf("%d sessions, want %d", len(s.Sessions), len(wantSessions))
			}
			for i, w := range wantSessions {
				g := s.Sessions[i]
				if g.Sport != w.sport || g.SubSport != w.sub || !near(g.ElapsedS, w.elapsed, 1) || !near(g.DistanceM, w.distance, 1) {
					t.Errorf("session %d = %s/%s %.1fs %.1fm, want %s/%s %.0fs %.0fm", i,
						g.Sport, g.SubSport, g.ElapsedS, g.DistanceM, w.sport, w.sub, w.elapsed, w.distance)
				}
				if ws, _ := time.Parse(time.RFC3339, w.start); w.start != "" && !g.Start.Equal(ws) {
					t.Errorf("session %d start = %v, want %v", i, g.Start, ws)
				}
			}
		})
	}
	for _, name := range fixtureFiles(t) {
		if !covered[name] {
			t.Errorf("testdata/%s has no expected outcome in fixtureCases", name)
		}
	}
}

// Every copied fixture keeps its provenance row.
func TestFixtureProvenance(t *testing.T) {
	prov := string(readFixture(t, "PROVENANCE.md"))
	for _, name := range fixtureFiles(t) {
		if !strings.Contains(prov, "| `"+name+"` |") {
			t.Errorf("testdata/PROVENANCE.md has no row for %s", name)
		}
	}
}

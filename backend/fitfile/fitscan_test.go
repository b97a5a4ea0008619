package fitfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 5, 1, 7, 0, 30, 0, time.UTC)

// fileIDFields: type, manufacturer, product, time_created.
var fileIDFields = []fld{{0, 1, btEnum}, {1, 2, btUint16}, {2, 2, btUint16}, {4, 4, btUint32}}

// recordFields: timestamp, distance (cm), heart rate, power.
var recordFields = []fld{{253, 4, btUint32}, {5, 4, btUint32}, {3, 1, btUint8}, {7, 2, btUint16}}

// sessionFields: timestamp, start, elapsed (ms), timer (ms), distance (cm), sport, sub-sport.
var sessionFields = []fld{{253, 4, btUint32}, {2, 4, btUint32}, {7, 4, btUint32}, {8, 4, btUint32}, {9, 4, btUint32}, {5, 1, btEnum}, {6, 1, btEnum}}

func activityHeader(b *fitBuilder) *fitBuilder {
	return b.define(0, mesgFileID, false, fileIDFields...).data(0, u(4), u(1), u(3121), fitTS(t0))
}

func mustUnreadable(t *testing.T, err error) string {
	t.Helper()
	var ue *UnreadableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want *UnreadableError", err, err)
	}
	return ue.Reason
}

func TestCRCTableMatchesNibbleCRC(t *testing.T) {
	for _, name := range []string{"garmin_edge820_2017-06-12_commute_short.fit", "zwift_2017-10-05_virtualride.fit"} {
		data := readFixture(t, name)
		if a, b := fitCRC(0, data[:len(data)-2]), fitCRCTest(data[:len(data)-2]); a != b || a != binary.LittleEndian.Uint16(data[len(data)-2:]) {
			t.Errorf("%s: table CRC %04x, nibble CRC %04x, stored %04x", name, a, b, binary.LittleEndian.Uint16(data[len(data)-2:]))
		}
	}
}

func TestCRCAllLengths(t *testing.T) {
	data := readFixture(t, "wahoo_2023-11-08_indoor_unterminated_strings.fit")
	for n := 0; n <= 64; n++ {
		for off := 0; off < 9; off++ {
			b := data[off : off+n]
			if a, w := fitCRC(0, b), fitCRCTest(b); a != w {
				t.Fatalf("len %d off %d: %04x, want %04x", n, off, a, w)
			}
		}
	}
}

// A sound activity without a session is summarised from its records.
func TestRecordsOnlyActivity(t *testing.T) {
	b := activityHeader(&fitBuilder{})
	b.define(1, mesgRecord, false, recordFields...)
	b.define(2, mesgSport, false, fld{0, 1, btEnum}, fld{1, 1, btEnum})
	b.data(2, u(2), u(46)) // cycling, gravel_cycling
	// 11 records, one per 10 s, 50 m apart, power 100..200, HR 120..130.
	for i := range int64(11) {
		b.data(1, fitTS(t0)+u(10*i), u(5000*i), u(120+i), u(100+10*i))
	}
	s, err := Summarize(b.file())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Start.Equal(t0) || s.ElapsedS != 100 || s.TimerS != 100 || s.DistanceM != 500 {
		t.Errorf("start %v elapsed %v timer %v distance %v, want %v 100 100 500", s.Start, s.ElapsedS, s.TimerS, s.DistanceM, t0)
	}
	if s.AvgPowerW != 150 || s.AvgHR != 125 {
		t.Errorf("avg power %v HR %v, want 150 125", s.AvgPowerW, s.AvgHR)
	}
	if s.Sport != "cycling" || s.SubSport != "gravel_cycling" || s.IntervalsType() != "GravelRide" {
		t.Errorf("sport %q/%q type %q", s.Sport, s.SubSport, s.IntervalsType())
	}
	// Sound but without a session: read from the records, and the copy that
	// goes up gets the session rebuilt.
	if len(s.Sessions) != 1 || s.Decoder != decoderRepaired ||
		s.Repaired != "repaired: the missing session was rebuilt from the records, 100 seconds of records kept" {
		t.Errorf("sessions %d decoder %q repaired %q", len(s.Sessions), s.Decoder, s.Repaired)
	}
	if s.Device != "Garmin Edge 530" {
		t.Errorf("device %q", s.Device)
	}
}

// Compressed timestamp headers carry 5 bits of seconds and roll over every 32 s.
func TestCompressedTimestamps(t *testing.T) {
	base := fitTS(t0)&^0x1F + 30 // low bits 30
	b := activityHeader(&fitBuilder{})
	b.define(1, mesgRecord, false, recordFields...)
	b.define(3, mesgRecord, false, fld{5, 4, btUint32}) // distance only, time from the header
	b.data(1, base, u(0), u(100), u(200))
	b.compressed(3, 31, u(1000)) // base+1
	b.compressed(3, 2, u(2000))  // rolls over: base+4
	b.compressed(3, 2, u(3000))  // same second again
	s, err := Summarize(b.file())
	if err != nil {
		t.Fatal(err)
	}
	if s.ElapsedS != 4 || s.DistanceM != 30 {
		t.Errorf("elapsed %v distance %v, want 4 30", s.ElapsedS, s.DistanceM)
	}
}

// Big-endian definitions, developer fields and over-wide fields are read or
// skipped by their declared sizes.
func TestBigEndianDevFieldsAndWideFields(t *testing.T) {
	start := t0
	b := &fitBuilder{}
	// file_id with a 32-byte serial number (field 3), like the iGPSport file.
	b.define(0, mesgFileID, true, fld{0, 1, btEnum}, fld{3, 32, 0x8C}, fld{1, 2, btUint16}, fld{2, 2, btUint16})
	b.data(0, u(4), []byte("0123456789abcdef0123456789abcdef"), u(32), u(31))
	b.defineDev(1, mesgRecord, true, []byte{3, 5}, recordFields...)
	b.data(1, fitTS(start), u(0), u(140), u(250))
	b.data(1, fitTS(start)+60, u(123456), u(150), u(260))
	// Session field 124 declared 8 bytes wide, like the FR255 triathlon.
	fields := append([]fld{{124, 8, btUint32}}, sessionFields...)
	b.defineDev(2, mesgSession, true, []byte{4}, fields...)
	b.data(2, u(7), fitTS(start)+60, fitTS(start), u(60500), u(59000), u(123456), u(1), u(3))
	s, err := Summarize(b.file())
	if err != nil {
		t.Fatal(err)
	}
	if s.Sport != "running" || s.SubSport != "trail" || s.IntervalsType() != "TrailRun" {
		t.Errorf("sport %q/%q", s.Sport, s.SubSport)
	}
	if !s.Start.Equal(start) || s.ElapsedS != 60.5 || s.TimerS != 59 || s.DistanceM != 1234.56 {
		t.Errorf("start %v elapsed %v timer %v distance %v", s.Start, s.ElapsedS, s.TimerS, s.DistanceM)
	}
	if s.Device != "Wahoo ELEMNT BOLT" || s.ManufacturerID != 32 || s.ProductID != 31 {
		t.Errorf("device %q %d/%d", s.Device, s.ManufacturerID, s.ProductID)
	}
	// No session averages: the records' means.
	if s.AvgPowerW != 255 || s.AvgHR != 145 {
		t.Errorf("avg power %v HR %v", s.AvgPowerW, s.AvgHR)
	}
}

// A session without start_time starts at its timestamp minus elapsed time.
func TestSessionWithoutStart(t *testing.T) {
	b := activityHeader(&fitBuilder{})
	b.define(2, mesgSession, false, sessionFields...)
	b.data(2, fitTS(t0)+3600, u(0xFFFFFFFF), u(3600000), u(3500000), u(3000000), u(2), u(58))
	s, err := Summarize(b.file())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Start.Equal(t0) || s.DistanceM != 30000 || s.IntervalsType() != "VirtualRide" {
		t.Errorf("start %v distance %v type %q", s.Start, s.DistanceM, s.IntervalsType())
	}
}

func TestStructuralErrors(t *testing.T) {
	// Bytes are counted from the file start; the 14-byte header comes first.
	undefined := activityHeader(&fitBuilder{}).raw(0x05, 1, 2, 3).file()
	cutOff := activityHeader(&fitBuilder{}).define(1, mesgRecord, false, recordFields...).raw(0x01, 1, 2, 3).file()
	badArch := (&fitBuilder{}).raw(0x40, 0, 7, 0, 0, 0).file()
	defCut := (&fitBuilder{}).raw(0x40, 0, 0, 0, 0, 3, 1, 1).file()
	idLen := 1 + 5 + 3*len(fileIDFields) + 1 + 9 // definition + data message
	recDef := 1 + 5 + 3*len(recordFields)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		// Nothing usable comes before the damage, so repair has nothing to keep.
		{"undefined local type", undefined, fmt.Sprintf("data message at byte %d uses local message type 5 before defining it, and no whole record comes before the damage", 14+idLen)},
		{"message past data end", cutOff, fmt.Sprintf("data message at byte %d runs 8 bytes past the end of the data, and no whole record comes before the damage", 14+idLen+recDef)},
		{"bad byte order", badArch, "definition message at byte 14 has unknown byte order 7, and no whole message follows the header"},
		{"definition cut off", defCut, "definition message at byte 14 is cut off by the end of the data, and no whole message follows the header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Summarize(tc.data)
			if got := mustUnreadable(t, err); got != tc.want {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHeaderChecks(t *testing.T) {
	good := readFixture(t, "garmin_edge820_2017-06-12_commute_short.fit")
	t.Run("header CRC", func(t *testing.T) {
		bad := append([]byte(nil), good...)
		bad[2]++ // profile version, covered by the header CRC
		s, err := Summarize(bad)
		if err != nil || s.Repaired != "repaired: the file checksum was wrong, the header checksum was wrong" {
			t.Errorf("err %v, repaired %q", err, s.Repaired)
		}
	})
	t.Run("header CRC zero is not checked", func(t *testing.T) {
		d := append([]byte(nil), good...)
		d[12], d[13] = 0, 0
		binary.LittleEndian.PutUint16(d[len(d)-2:], fitCRCTest(d[:len(d)-2]))
		if _, err := Summarize(d); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("4 GB data size", func(t *testing.T) {
		d := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(d[4:8], 0xFFFFFFFF)
		binary.LittleEndian.PutUint16(d[12:14], fitCRCTest(d[:12]))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := Summarize(d)
		runtime.ReadMemStats(&after)
		// Read as a cut-off file: every message is there.
		whole, _ := Summarize(good)
		if err != nil || !strings.HasPrefix(s.Repaired, "repaired: the file ended early") || s.ElapsedS != whole.ElapsedS {
			t.Errorf("err %v, repaired %q, elapsed %v want %v", err, s.Repaired, s.ElapsedS, whole.ElapsedS)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("allocated %d bytes", grew)
		}
	})
	t.Run("no data", func(t *testing.T) {
		_, err := Summarize(fitWrap(nil, 14))
		if got := mustUnreadable(t, err); got != "FIT header declares no data, and no whole message follows the header" {
			t.Errorf("reason %q", got)
		}
	})
	t.Run("12-byte header", func(t *testing.T) {
		b := activityHeader(&fitBuilder{})
		b.define(1, mesgRecord, false, recordFields...)
		b.data(1, fitTS(t0), u(0), u(100), u(100)).data(1, fitTS(t0)+5, u(700), u(100), u(100))
		s, err := Summarize(fitWrap(b.body.Bytes(), 12))
		if err != nil || s.ElapsedS != 5 || s.DistanceM != 7 {
			t.Errorf("err %v elapsed %v distance %v", err, s.ElapsedS, s.DistanceM)
		}
	})
}

// Every prefix of a good file is either repaired (its whole records kept)
// or fails cleanly, saying how much is missing and why nothing was kept.
func TestTruncatedPrefixes(t *testing.T) {
	full := readFixture(t, "garmin_edge820_2017-06-12_commute_short.fit")
	whole, err := Summarize(full)
	if err != nil {
		t.Fatal(err)
	}
	repaired := 0
	for n := 0; n < len(full); n++ {
		s, err := Summarize(full[:n])
		if err == nil {
			repaired++
			if !strings.HasPrefix(s.Repaired, "repaired: the file ended early") || s.ElapsedS > whole.ElapsedS+1 || !s.Start.Equal(whole.Start) {
				t.Fatalf("prefix %d: repaired %q, elapsed %v of %v, start %v", n, s.Repaired, s.ElapsedS, whole.ElapsedS, s.Start)
			}
			continue
		}
		got := mustUnreadable(t, err)
		var want string
		switch {
		case n == 0:
			want = "empty file"
		case n == 1:
			want = "not a FIT, TCX or GPX file"
		case n < 8:
			want = fmt.Sprintf("file ends inside the FIT header (%d of 12 or more bytes)", n)
		case n < 14:
			want = fmt.Sprintf("file ends %d bytes early", len(full)-n)
		default:
			want = fmt.Sprintf("file ends %d bytes early, and no whole ", len(full)-n)
		}
		if !strings.HasPrefix(got, want) {
			t.Fatalf("prefix %d: %q, want %q", n, got, want)
		}
	}
	if repaired == 0 {
		t.Fatal("no prefix was repaired")
	}
}

func TestChainedFiles(t *testing.T) {
	settings := readFixture(t, "settings_garmin_edge510.fit")
	ride := readFixture(t, "garmin_edge820_2017-06-12_commute_short.fit")
	run := readFixture(t, "garmin_fenix5_2017-06-11_run_short.fit")

	s, err := Summarize(append(append([]byte(nil), settings...), ride...))
	if err != nil || s.Sport != "cycling" || s.Device != "Garmin Edge 820" {
		t.Errorf("settings+ride: %v %q %q", err, s.Sport, s.Device)
	}
	if s.Note != "chained FIT file with 2 parts; summarised part 2" {
		t.Errorf("note %q", s.Note)
	}
	s, err = Summarize(append(append([]byte(nil), run...), ride...))
	if err != nil || s.Sport != "running" || len(s.Sessions) != 1 {
		t.Errorf("run+ride: %v %q %d", err, s.Sport, len(s.Sessions))
	}
	s, err = Summarize(append(append([]byte(nil), settings...), settings...))
	if !errors.Is(err, ErrNotActivity) || s.FileType != "settings" {
		t.Errorf("settings+settings: %v %q", err, s.FileType)
	}
	// Zero padding after the file is tolerated and noted.
	s, err = Summarize(append(append([]byte(nil), ride...), 0, 0, 0, 0))
	if err != nil || s.Note != "ignored 4 bytes after the end of the FIT data" {
		t.Errorf("padded: %v %q", err, s.Note)
	}
}

func TestEmptyActivityIsNotAnActivity(t *testing.T) {
	s, err := Summarize(activityHeader(&fitBuilder{}).file())
	if !errors.Is(err, ErrNotActivity) || s.FileType != "activity" || s.Device != "Garmin Edge 530" {
		t.Errorf("err %v type %q device %q", err, s.FileType, s.Device)
	}
}

func TestGarbageAndEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"text", []byte("hello, this is not an activity"), "not a FIT, TCX or GPX file"},
		{"binary", []byte{0x00, 0xFF, 0x13, 0x37, 0x42, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}, "not a FIT, TCX or GPX file"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "not a FIT, TCX or GPX file"},
	} {
		_, err := Summarize(tc.data)
		if got := mustUnreadable(t, err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPrettyGarminProduct(t *testing.T) {
	for in, want := range map[string]string{
		"edge_530": "Edge 530", "edge530": "Edge 530", "fr935": "Forerunner 935", "fenix5s_plus_apac": "Fenix 5S Plus",
		"edge_1030_plus": "Edge 1030 Plus", "fr735xt_japan": "Forerunner 735XT", "hrm_pro": "HRM Pro",
	} {
		if got := prettyGarminProduct(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// Each byte of a small file changed in turn, CRCs made right again so the
// message walk sees the damage: no panic, and a result that makes sense.
func TestByteFlipsWithValidCRCs(t *testing.T) {
	good := readFixture(t, "wahoo_2023-11-08_indoor_unterminated_strings.fit")
	for i := range good {
		d := append([]byte(nil), good...)
		d[i] ^= 0xFF
		if f := fixCRCs(d); f != nil {
			d = f
		}
		s, err := summarizeAll(d)
		checkResult(t, s, err)
		checkStreams(t, d)
	}
}

package fitfile

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/intervals"
)

// damage is one way a fixture is broken in the test.
type damage struct {
	name string
	make func(whole []byte, scan *fitScan) []byte
	// full: every record survives, so the summary must be within 2% of the
	// whole file's elapsed time (where the records span it).
	full bool
}

var damages = []damage{
	{"last byte missing", func(w []byte, _ *fitScan) []byte { return w[:len(w)-1] }, true},
	{"cut just after the last record", func(w []byte, s *fitScan) []byte {
		end := 0
		for _, seg := range s.segments {
			end = max(end, seg.lastRecordEnd)
		}
		return w[:end+1] // one byte into the summary messages
	}, true},
	{"cut at two thirds", func(w []byte, _ *fitScan) []byte { return w[:len(w)*2/3] }, false},
	{"file checksum flipped", func(w []byte, _ *fitScan) []byte {
		d := bytes.Clone(w)
		d[len(d)-1] ^= 0x5A
		return d
	}, true},
	{"record value flipped", func(w []byte, s *fitScan) []byte {
		// A byte inside the last record's fields: the structure stays, the
		// checksum breaks.
		d := bytes.Clone(w)
		end := s.segments[0].lastRecordEnd
		d[end-1] ^= 0x01
		return d
	}, true},
}

// recordSpan is the time the records of a sound file span.
func recordSpan(scan *fitScan) float64 {
	var sum float64
	for _, seg := range scan.segments {
		if seg.rec.n > 0 {
			sum += float64(seg.rec.lastTS - seg.rec.firstTS)
		}
	}
	return sum
}

// Truncated and bad-checksum copies of every sound activity fixture are
// read, summarised within 2% of the whole file where their records allow,
// and their repaired copy is sound for both reference decoders and the
// strict Intervals.icu fake.
func TestDamagedFixturesAreRepaired(t *testing.T) {
	fake := intervalsfake.New(intervalsfake.Options{RatePerSec: -1})
	url := fake.Start()
	defer fake.Close()
	client := intervals.New(url, fake.AthleteID(), fake.APIKey())
	uploads := 0
	sent := map[string]string{} // hash of a repaired copy → activity id

	for _, name := range fixtureFiles(t) {
		if !isFIT(name) {
			continue
		}
		whole := readFixture(t, name)
		ws, err := Summarize(whole)
		if err != nil || ws.Repaired != "" {
			continue // not a sound activity: the corrupt class is in fixtureCases
		}
		scan, err := scanFIT(whole, false)
		if err != nil {
			t.Fatal(err)
		}
		_, tormoderErr := tormoder(whole)
		span := recordSpan(scan)
		spanCovers := span >= 0.98*ws.ElapsedS && span <= 1.02*ws.ElapsedS
		firstRecord := fitTime(scan.segments[0].rec.firstTS)
		for _, dm := range damages {
			t.Run(name+"/"+dm.name, func(t *testing.T) {
				bad := dm.make(whole, scan)
				if _, err := scanFIT(bad, false); err == nil {
					t.Fatal("the damage left a sound file: the test proves nothing")
				}
				s, err := Summarize(bad)
				if err != nil {
					t.Fatalf("not repaired: %v", err)
				}
				if !strings.HasPrefix(s.Repaired, "repaired: ") {
					t.Errorf("repaired = %q", s.Repaired)
				}
				// Without the session, the first record tells the start.
				if !s.Start.Equal(ws.Start) && !s.Start.Equal(firstRecord) {
					t.Errorf("start %v, whole file %v, first record %v", s.Start, ws.Start, firstRecord)
				}
				switch {
				case dm.full && spanCovers:
					if d := s.ElapsedS - ws.ElapsedS; d > 0.02*ws.ElapsedS || -d > 0.02*ws.ElapsedS {
						t.Errorf("elapsed %.1f s, whole file %.1f s", s.ElapsedS, ws.ElapsedS)
					}
				case dm.full:
					// The records span more or less than the session says (a
					// wait before the first record): the records decide.
					if !near(s.ElapsedS, ws.ElapsedS, 1) && !near(s.ElapsedS, span, 1) {
						t.Errorf("elapsed %.1f s, records span %.1f s, whole %.1f s", s.ElapsedS, span, ws.ElapsedS)
					}
				default:
					if s.ElapsedS <= 0 || s.ElapsedS > max(ws.ElapsedS, span)+1 {
						t.Errorf("elapsed %.1f s of %.1f s", s.ElapsedS, ws.ElapsedS)
					}
				}
				// Without its session a file may say nothing of the sport, or
				// less (a sport message without the sub-sport).
				if s.Sport != "" && s.Sport != ws.Sport {
					t.Errorf("sport %q, whole file %q", s.Sport, ws.Sport)
				}

				fixed, ok := UploadBytes(bad)
				if !ok {
					t.Fatal("UploadBytes did not give the repaired copy")
				}
				if _, err := scanFIT(fixed, false); err != nil {
					t.Fatalf("repaired copy: %v", err)
				}
				if fs, err := Summarize(fixed); err != nil || fs.Repaired != "" || fs.ElapsedS != s.ElapsedS {
					t.Errorf("repaired copy summarised: %v %q %.1f (damaged read %.1f)", err, fs.Repaired, fs.ElapsedS, s.ElapsedS)
				}
				if act, _, err := mukti(fixed, false); err != nil || act == nil || len(act.Sessions) == 0 {
					t.Errorf("muktihari/fit: %v (activity %v)", err, act != nil)
				}
				if tormoderErr == nil {
					f, err := tormoder(fixed)
					if err != nil {
						t.Fatalf("tormoder/fit: %v", err)
					}
					if a, err := f.Activity(); err != nil || len(a.Sessions) == 0 || len(a.Records) == 0 {
						t.Errorf("tormoder/fit activity: %v", err)
					}
					// The strict fake decodes uploads with tormoder/fit.
					r, err := client.Upload(context.Background(), intervals.Upload{Filename: "repaired.fit", Data: fixed, Name: name})
					// Two damages may repair to the same bytes: the fake then
					// answers 200 with the activity it holds.
					hash := ContentHash(fixed)
					if err != nil || (!r.Created && sent[hash] == "") || (!r.Created && sent[hash] != r.ID) {
						t.Fatalf("Intervals.icu fake: %v %+v", err, r)
					}
					sent[hash] = r.ID
					uploads++
				}
			})
		}
	}
	if uploads < 20 {
		t.Errorf("only %d repaired copies went to the fake", uploads)
	}
}

// The repaired copy is exactly the kept messages plus the rebuilt ones, with
// the header's size and both checksums right; the original is not touched.
func TestRepairedCopyLayout(t *testing.T) {
	whole := readFixture(t, "zwift_2017-10-05_virtualride.fit") // 12-byte header
	scan, _ := scanFIT(whole, false)
	cut := whole[:scan.segments[0].lastRecordEnd+5]
	before := bytes.Clone(cut)
	fixed, rep, err := RepairFIT(cut)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cut, before) {
		t.Fatal("RepairFIT changed its input")
	}
	if !rep.EndedEarly || !rep.RebuiltSummary || rep.DroppedBytes != 5 || rep.RecordsS < 1700 {
		t.Errorf("repair = %+v", rep)
	}
	if want := "repaired: the file ended early, the missing session was rebuilt from the records, 30 minutes of records kept"; rep.String() != want {
		t.Errorf("String() = %q, want %q", rep.String(), want)
	}
	if fixed[0] != 14 || int(binary.LittleEndian.Uint32(fixed[4:8])) != len(fixed)-16 ||
		binary.LittleEndian.Uint16(fixed[12:14]) != fitCRC(0, fixed[:12]) ||
		binary.LittleEndian.Uint16(fixed[len(fixed)-2:]) != fitCRC(0, fixed[:len(fixed)-2]) {
		t.Error("header size or checksums wrong")
	}
	// The messages kept are the original's, byte for byte.
	if !bytes.Equal(fixed[14:14+scan.segments[0].lastRecordEnd-12], whole[12:scan.segments[0].lastRecordEnd]) {
		t.Error("kept messages differ from the original's")
	}
	again, rep2, err := RepairFIT(fixed)
	if err != nil || rep2.Any() || !bytes.Equal(again, fixed) {
		t.Errorf("a repaired copy needs no more repair: %+v %v", rep2, err)
	}
}

// A file with nothing usable still says why.
func TestRepairNothingUsable(t *testing.T) {
	whole := readFixture(t, "garmin_fenix5_2017-06-11_run_short.fit")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"header only", whole[:14], "no whole message follows the header"},
		{"file_id only", whole[:60], "no whole record comes before the damage"},
		{"not FIT", []byte("<html>hello</html>"), "not a FIT file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := RepairFIT(tc.data)
			var ue *UnreadableError
			if !errors.As(err, &ue) || !strings.Contains(ue.Reason, tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.name != "not FIT" {
				_, err := Summarize(tc.data)
				if got := mustUnreadable(t, err); !strings.Contains(got, tc.want) || !strings.HasPrefix(got, fmt.Sprintf("file ends %d bytes early", len(whole)-len(tc.data))) {
					t.Errorf("Summarize: %q", got)
				}
			}
		})
	}
}

func TestSpanWords(t *testing.T) {
	for sec, want := range map[float64]string{13: "13 seconds", 180: "3 minutes", 7199: "120 minutes", 16723: "4 h 38 min"} {
		if got := spanWords(sec); got != want {
			t.Errorf("%v s: %q, want %q", sec, got, want)
		}
	}
}

// checkRepair: whatever the damage, RepairFIT either says why nothing is
// usable or gives a copy the strict reader accepts whole and that needs no
// further repair.
func checkRepair(t *testing.T, data []byte) {
	t.Helper()
	fixed, rep, err := RepairFIT(data)
	if err != nil {
		var ue *UnreadableError
		if !errors.As(err, &ue) || ue.Reason == "" {
			t.Fatalf("error %T %v", err, err)
		}
		return
	}
	if !rep.Any() {
		if !bytes.Equal(fixed, data) {
			t.Fatal("nothing repaired, yet the bytes changed")
		}
		return
	}
	if _, err := scanFIT(fixed, false); err != nil {
		t.Fatalf("repaired copy is not sound: %v (repair %+v)", err, rep)
	}
	if again, rep2, err := RepairFIT(fixed); err != nil || (rep2.Any() && !rep2.RebuiltSummary) || (!rep2.Any() && !bytes.Equal(again, fixed)) {
		t.Fatalf("repairing the repaired copy: %+v %v", rep2, err)
	}
}

// Cuts and flipped bytes anywhere in every fixture.
func TestRepairAnyDamage(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		if !isFIT(name) {
			continue
		}
		whole := readFixture(t, name)
		step := max(1, len(whole)/40)
		for at := 0; at < len(whole); at += step {
			checkRepair(t, whole[:at])
			flipped := bytes.Clone(whole)
			flipped[at] ^= 0xFF
			checkRepair(t, flipped)
		}
	}
}

func FuzzRepairFIT(f *testing.F) {
	for _, name := range fixtureFiles(f) {
		if d := readFixture(f, name); isFIT(name) && len(d) < 64<<10 {
			f.Add(d)
			f.Add(d[:len(d)*2/3])
		}
	}
	f.Fuzz(checkRepair)
}

package fitfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	mdec "github.com/muktihari/fit/decoder"
	"github.com/muktihari/fit/profile/filedef"
	tfit "github.com/tormoder/fit"
)

// These tests compare the scanner with the two Go FIT SDKs on every FIT
// fixture: the evidence behind the choice described in fitscan.go.

// mukti decodes with muktihari/fit; ignoreCRC skips its file CRC check.
func mukti(data []byte, ignoreCRC bool) (act *filedef.Activity, fileType string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic")
		}
	}()
	lis := filedef.NewListener()
	defer lis.Close()
	opts := []mdec.Option{mdec.WithMesgListener(lis), mdec.WithBroadcastOnly()}
	if ignoreCRC {
		opts = append(opts, mdec.WithIgnoreChecksum())
	}
	dec := mdec.New(bytes.NewReader(data), opts...)
	for dec.Next() {
		if _, err := dec.Decode(); err != nil {
			return nil, "", err
		}
		switch f := lis.File().(type) {
		case *filedef.Activity:
			if act == nil {
				act = f
			}
		default:
			if fileType == "" {
				fileType = fitFileKind(f)
			}
		}
	}
	return act, fileType, nil
}

// fitFileKind names muktihari's file kinds as FIT file types.
func fitFileKind(v any) string {
	switch v.(type) {
	case *filedef.Course:
		return "course"
	case *filedef.Workout:
		return "workout"
	case *filedef.Settings:
		return "settings"
	case *filedef.MonitoringB:
		return "monitoring_b"
	}
	return "other"
}

func tormoder(data []byte) (f *tfit.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic")
		}
	}()
	return tfit.Decode(bytes.NewReader(data))
}

func isFIT(name string) bool { return strings.HasSuffix(name, ".fit") }

// The scanner and muktihari/fit (CRC check off) agree on every session of
// every sound activity; on files the scanner rejects, muktihari also fails or
// the file's class is corrupt.
func TestScannerAgreesWithMuktihari(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		if !isFIT(name) {
			continue
		}
		data := readFixture(t, name)
		s, err := Summarize(data)
		if s.Repaired != "" {
			// A damaged file is summarised as its repaired copy: muktihari
			// reads that copy, checksum and all.
			data, _ = UploadBytes(data)
		}
		act, ft, merr := mukti(data, s.Repaired == "")
		var ue *UnreadableError
		switch {
		case errors.As(err, &ue):
			// Unreadable for us: muktihari must fail too, or the file is one
			// PROVENANCE classes corrupt (bad file CRC, which muktihari was told
			// to ignore).
			if merr == nil && !strings.Contains(ue.Reason, "checksum mismatch") {
				t.Errorf("%s: scanner says %q, muktihari reads it", name, ue.Reason)
			}
		case errors.Is(err, ErrNotActivity):
			if act != nil || merr != nil || ft != s.FileType {
				t.Errorf("%s: scanner: not an activity (%s); muktihari: activity %v, %q, %v", name, s.FileType, act != nil, ft, merr)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		default:
			if merr != nil || act == nil {
				t.Errorf("%s: muktihari: %v", name, merr)
				continue
			}
			if len(act.Sessions) != len(s.Sessions) {
				t.Errorf("%s: %d sessions, muktihari %d", name, len(s.Sessions), len(act.Sessions))
				continue
			}
			for i, ms := range act.Sessions {
				g := s.Sessions[i]
				if g.Sport != ms.Sport.String() || !g.Start.Equal(ms.StartTime) ||
					!near(g.ElapsedS, ms.TotalElapsedTimeScaled(), 0.001) || !near(g.TimerS, ms.TotalTimerTimeScaled(), 0.001) ||
					!near(g.DistanceM, ms.TotalDistanceScaled(), 0.01) {
					t.Errorf("%s session %d: scanner %s %v %.3f %.3f %.2f; muktihari %s %v %.3f %.3f %.2f", name, i,
						g.Sport, g.Start, g.ElapsedS, g.TimerS, g.DistanceM,
						ms.Sport, ms.StartTime.UTC(), ms.TotalElapsedTimeScaled(), ms.TotalTimerTimeScaled(), ms.TotalDistanceScaled())
				}
			}
		}
	}
}

// Which fixtures each SDK rejects with its default options. These lists are
// the measured reason the scanner is used; if a library update changes them,
// this test says so.
func TestSDKRejections(t *testing.T) {
	wantTormoder := []string{
		"corrupt_sdk_activity_bad_file_crc.fit",
		"corrupt_sdk_activity_unexpected_eof.fit",
		"garmin_fr255_2023-09-02_triathlon_64bit_fields.fit",
		"igpsport_igs320_2021-06-27_ride_serial32B.fit",
		"onelap_reexport_of_zwift_2025-04-01.fit",
		"sigma_2020-09-12_unterminated_crc_bad.fit",
		"workout_stages_link_devdata_before_fileid.fit",
	}
	// Sound files with a 12-byte header or a zero header CRC are rejected
	// ("crc checksum mismatch"), plus the truly corrupt ones.
	wantMukti := []string{
		"chained_activity_then_bad_crc_segment.fit",
		"chained_activity_then_truncated_settings.fit",
		"corrupt_sdk_activity_bad_file_crc.fit",
		"corrupt_sdk_activity_unexpected_eof.fit",
		"garmin_edge200_2015-10-13_ride.fit",
		"garmin_edge500_2011-06-26_ride.fit",
		"garmin_edge810_2013-08-16_vector_power.fit",
		"garmin_fr110_2013-02-06_run.fit",
		"onelap_reexport_of_zwift_2025-04-01.fit",
		"settings_garmin_edge510.fit",
		"sigma_2020-09-12_unterminated_crc_bad.fit",
		"zwift_2015-07-21_watopia_hdr12.fit",
		"zwift_2017-10-05_virtualride.fit",
		"zwift_2025-04-01_virtualride.fit",
	}
	var gotT, gotM []string
	for _, name := range fixtureFiles(t) {
		if !isFIT(name) {
			continue
		}
		data := readFixture(t, name)
		if _, err := tormoder(data); err != nil {
			gotT = append(gotT, name)
		}
		if _, _, err := mukti(data, false); err != nil {
			gotM = append(gotM, name)
		}
	}
	if strings.Join(gotT, "\n") != strings.Join(wantTormoder, "\n") {
		t.Errorf("tormoder/fit rejects:\n%s", strings.Join(gotT, "\n"))
	}
	if strings.Join(gotM, "\n") != strings.Join(wantMukti, "\n") {
		t.Errorf("muktihari/fit rejects:\n%s", strings.Join(gotM, "\n"))
	}
}

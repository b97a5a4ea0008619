package folder

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"strings"
	"testing"
)

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, data := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckFIT(t *testing.T) {
	ride := fixture(t, zwiftRide) // 12-byte header: no header CRC
	bryton := fixture(t, "bryton_2020-10-17_ride_no_laps.fit")
	badHeaderCRC := cloneBytes(bryton) // 14-byte header
	badHeaderCRC[12] ^= 0xFF
	flipped := cloneBytes(ride)
	flipped[len(flipped)/2] ^= 0x01
	// A recording whose header still says "no data yet", as while Zwift writes it.
	staleSize := cloneBytes(ride)
	binary.LittleEndian.PutUint32(staleSize[4:8], 0)
	noCRCCheck := cloneBytes(bryton) // a 14-byte header may leave its CRC at 0
	noCRCCheck[12], noCRCCheck[13] = 0, 0
	binary.LittleEndian.PutUint16(noCRCCheck[len(noCRCCheck)-2:], fitCRC(noCRCCheck[:len(noCRCCheck)-2]))

	tests := []struct {
		name string
		data []byte
		want string // "" = valid; otherwise a substring of the error
	}{
		{"real Zwift ride", ride, ""},
		{"real Bryton ride", bryton, ""},
		{"header CRC left at zero", noCRCCheck, ""},
		{"synthetic ride", syntheticRide(t, 1), ""},
		{"bad file CRC (FIT SDK sample)", fixture(t, "corrupt_sdk_activity_bad_file_crc.fit"), "checksum mismatch"},
		{"cut short (FIT SDK sample)", fixture(t, "corrupt_sdk_activity_unexpected_eof.fit"), "ends 3 bytes early"},
		{"second chained part corrupt", fixture(t, "chained_activity_then_bad_crc_segment.fit"), "chained part 2"},
		{"one bit flipped", flipped, "checksum mismatch"},
		{"header CRC wrong", badHeaderCRC, "header checksum"},
		{"cut in the middle", ride[:len(ride)/2], "bytes early"},
		{"header only", ride[:14], "bytes early"},
		{"stale data size", staleSize, "still being written"},
		{"trailing garbage", append(cloneBytes(ride), "junk"...), "after the end"},
		{"text", []byte("hello, this is not a FIT file at all"), "not a FIT file"},
		{"empty", nil, "not a FIT file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkFIT(tt.data)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("checkFIT: %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("checkFIT: %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestActivityContent(t *testing.T) {
	ride := fixture(t, zwiftRide)
	tcx := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	gpx := []byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!-- exported -->\n<gpx version=\"1.1\" creator=\"x\"><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><time>2024-05-01T07:00:00Z</time></trkpt></trkseg></trk></gpx>\n")
	prefixed := []byte(`<?xml version="1.0"?><g:gpx xmlns:g="http://www.topografix.com/GPX/1/1"><g:trk/></g:gpx>`)
	gzRide := gz(t, ride)

	tests := []struct {
		name         string
		data         []byte
		format, wrap string
		wantErr      string // "" = whole activity file
	}{
		{"FIT", ride, "fit", "", ""},
		{"TCX (real Garmin export)", tcx, "tcx", "", ""},
		{"GPX with BOM, comment and Latin-1 declaration", gpx, "gpx", "", ""},
		{"GPX with namespace prefix", prefixed, "gpx", "", ""},
		{"TCX still being written", tcx[:len(tcx)/2], "tcx", "", "does not end with </TrainingCenterDatabase>"},
		{"gzipped FIT", gzRide, "fit", "gzip", ""},
		{"gzipped TCX", gz(t, tcx), "tcx", "gzip", ""},
		{"gzip cut off", gzRide[:len(gzRide)-10], "", "gzip", "gzip"},
		{"gzipped corrupt FIT", gz(t, ride[:len(ride)-5]), "fit", "gzip", "bytes early"},
		{"gzipped text", gz(t, []byte("plain words")), "", "gzip", "no FIT, TCX or GPX"},
		{"zip with FIT", zipOf(t, map[string][]byte{"ride.fit": ride}), "fit", "zip", ""},
		{"zip with readme and TCX", zipOf(t, map[string][]byte{"readme.txt": []byte("hi"), "run.tcx": tcx}), "tcx", "zip", ""},
		{"zip being written", zipOf(t, map[string][]byte{"ride.fit": ride})[:2000], "", "zip", "zip"},
		{"zip with photos only", zipOf(t, map[string][]byte{"a.jpg": {0xFF, 0xD8, 0xFF}}), "", "zip", "no FIT, TCX or GPX"},
		{"JPEG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "", "", errUnknownContent.Error()},
		{"other XML", []byte(`<?xml version="1.0"?><plist><dict/></plist>`), "", "", errUnknownContent.Error()},
		{"text", []byte("just notes"), "", "", errUnknownContent.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, wrap, err := activityContent(tt.data)
			if format != tt.format || wrap != tt.wrap {
				t.Errorf("format, wrapping = %q, %q; want %q, %q", format, wrap, tt.format, tt.wrap)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWalkFITReadsCutOffRecordings(t *testing.T) {
	ride := fixture(t, zwiftRide)
	whole, err := walkFIT(ride, false)
	if err != nil {
		t.Fatal(err)
	}
	// Values from testdata/PROVENANCE.md: Zwift (260), activity, 1808 records.
	if whole.Manufacturer != 260 || whole.FileType != 4 || whole.Records != 1808 {
		t.Fatalf("whole file: manufacturer %d type %d records %d", whole.Manufacturer, whole.FileType, whole.Records)
	}
	if got := whole.Created.UTC().Format("2006-01-02T15:04:05Z"); got != "2017-10-05T00:03:29Z" {
		t.Fatalf("created %s", got)
	}

	cut := cloneBytes(ride[:len(ride)/3])
	binary.LittleEndian.PutUint32(cut[4:8], 0) // header not yet updated
	part, err := walkFIT(cut, false)
	if err != nil {
		t.Fatal(err)
	}
	if !part.First.Equal(whole.First) || part.Records == 0 || part.Records >= whole.Records || part.End > len(cut) {
		t.Fatalf("cut file: first %v (want %v), records %d of %d, end %d of %d", part.First, whole.First, part.Records, whole.Records, part.End, len(cut))
	}
	sealed := sealFIT(cut, part)
	if err := checkFIT(sealed); err != nil {
		t.Fatalf("sealed recording: %v", err)
	}
	again, _ := walkFIT(sealed, false)
	if again.Records != part.Records || !again.Last.Equal(part.Last) {
		t.Fatalf("sealed file reads %d records to %v, want %d to %v", again.Records, again.Last, part.Records, part.Last)
	}
}

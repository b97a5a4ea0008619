package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"os"
	"testing"
	"time"
)

// gzipBomb is about size bytes of gzip that unpack to about a thousand
// times more: one member of zeros, repeated (every member is unpacked).
func gzipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 16<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), max(1, size/member.Len()))
}

// zipBomb is about size bytes of zip whose entries, each named and starting
// like a FIT file, unpack to gigabytes: one compressed entry written many
// times.
func zipBomb(t *testing.T, size int) []byte {
	t.Helper()
	const entry = 256 << 20
	zeros := make([]byte, 1<<20)
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	crc := crc32.NewIEEE()
	header := []byte{14, 0x10, 0x52, 0x08, 0xf2, 0xff, 0xff, 0x0f, '.', 'F', 'I', 'T', 0, 0}
	_, _ = fw.Write(header)
	_, _ = crc.Write(header)
	for range entry/len(zeros) - 1 {
		_, _ = fw.Write(zeros)
		_, _ = crc.Write(zeros)
	}
	_ = fw.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for i := 0; out.Len() < size; i++ {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: fmt.Sprintf("activities/%d.fit", i), Method: zip.Deflate,
			CRC32: crc.Sum32(), CompressedSize64: uint64(deflated.Len()), UncompressedSize64: entry - 1<<20 + 14,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(deflated.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// writeTCX writes a real ride of about size bytes: one trackpoint a second
// with position, heart rate and power.
func writeTCX(t *testing.T, path string, size int64) {
	t.Helper()
	writeTCXAt(t, path, size, time.Date(2024, 5, 4, 6, 0, 0, 0, time.UTC))
}

// writeTCXAt is writeTCX for a ride starting at start.
func writeTCXAt(t *testing.T, path string, size int64, start time.Time) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities><Activity Sport="Biking"><Id>%s</Id><Lap StartTime="%s"><TotalTimeSeconds>0</TotalTimeSeconds><DistanceMeters>0</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>
`, start.Format(time.RFC3339), start.Format(time.RFC3339))
	var written int64
	for i := 0; written < size; i++ {
		n, _ := fmt.Fprintf(w, `<Trackpoint><Time>%s</Time><Position><LatitudeDegrees>%.7f</LatitudeDegrees><LongitudeDegrees>%.7f</LongitudeDegrees></Position><AltitudeMeters>%.1f</AltitudeMeters><DistanceMeters>%.1f</DistanceMeters><HeartRateBpm><Value>%d</Value></HeartRateBpm><Cadence>90</Cadence><Extensions><ns3:TPX><ns3:Speed>8.3</ns3:Speed><ns3:Watts>%d</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
`, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339), 45+float64(i%1000)*1e-5, 7+float64(i%1000)*1e-5, 200+float64(i%50), float64(i)*8.3, 120+i%40, 180+i%60)
		written += int64(n)
	}
	fmt.Fprint(w, "</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

package archive

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Real activity files, with their provenance in ../fitfile/testdata/PROVENANCE.md.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fitfile", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type file struct {
	name   string
	data   []byte
	stored bool // zip.Store instead of Deflate
}

func zipOf(t testing.TB, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.stored {
			h.Method = zip.Store
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corruptMember flips bytes inside one member's compressed data, so the
// ZIP's directory is sound and only that member fails.
func corruptMember(t testing.TB, z []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			off, _ := f.DataOffset()
			out := bytes.Clone(z)
			for i := off + 10; i < off+int64(f.CompressedSize64)-10; i += 7 {
				out[i] ^= 0xA5
			}
			return out
		}
	}
	t.Fatalf("no member %s", name)
	return nil
}

// An English export of 2024: the header Strava writes today, a description
// with quotes, commas and line breaks, a manual entry without a file, a row
// whose file is missing.
const englishCSV = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Commute\n" +
	"101,\"Jun 12, 2017, 4:10:15 PM\",Commute home,Ride,\"Rain, then \"\"sun\"\"\nand a flat\",65,0.3,,,true,,Canyon,activities/101.fit.gz,,,65,60,300,true\n" +
	"102,\"Oct 5, 2017, 12:04:06 AM\",Watopia,Virtual Ride,,1807,13.4,,,false,,,activities/102.fit,,,,,,\n" +
	"103,\"Jan 1, 2018, 9:00:00 AM\",Yoga,Yoga,,3600,0,,,false,,,,,,,,,\n" +
	"104,\"Dec 26, 2012, 9:29:53 PM\",Evening run,Run,,1992,4.7,,,false,,,activities/104.tcx.gz,,,,,,\n" +
	"105,\"Feb 2, 2019, 8:00:00 AM\",Lost,Ride,,100,1,,,false,,,activities/105.fit,,,,,,\n" +
	"106,\"Feb 3, 2019, 8:00:00 AM\",Broken,Ride,,100,1,,,false,,,activities/106.fit,,,,,,\n"

// A German export: every header in German.
const germanCSV = "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,Verstrichene Zeit,Distanz,Pendeln,Aktivitätsausrüstung,Dateiname\n" +
	"201,\"12.06.2017, 16:10:15\",Heimweg,Radfahrt,\"Regen, dann \"\"Sonne\"\"\nund ein Platten\",65,0.3,true,Canyon,activities/201.fit.gz\n" +
	"202,\"05.10.2017, 00:04:06\",Watopia am Abend,Virtuelle Radfahrt,,1807,13.4,false,,activities/202.fit\n"

func stravaZip(t testing.TB) []byte {
	z := zipOf(t,
		file{name: "export_1234/activities.csv", data: []byte(englishCSV)},
		file{name: "export_1234/activities/101.fit.gz", data: gz(t, fixture(t, "garmin_edge820_2017-06-12_commute_short.fit"))},
		file{name: "export_1234/activities/102.fit", data: fixture(t, "zwift_2017-10-05_virtualride.fit")},
		file{name: "export_1234/activities/104.tcx.gz", data: gz(t, fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"))},
		file{name: "export_1234/activities/106.fit", data: fixture(t, "garmin_fenix5_2017-06-11_run_short.fit")},
		file{name: "export_1234/activities/107.gpx", data: fixture(t, "gpx_strava_route_no_times.gpx")},
		file{name: "export_1234/profile.csv", data: []byte("Athlete ID\n1\n")},
		file{name: "export_1234/media/a.jpg", data: []byte("jpeg")},
	)
	return corruptMember(t, z, "export_1234/activities/106.fit")
}

func walkAll(t *testing.T, s *Source, opts Options) []Member {
	t.Helper()
	var out []Member
	if err := s.Walk(context.Background(), opts, func(m Member) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStravaExportZip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "anything.zip") // recognised by layout, not name
	if err := os.WriteFile(p, stravaZip(t), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(p)
	if err != nil || s == nil {
		t.Fatalf("Open: %v, %v", s, err)
	}
	defer s.Close()
	if s.Kind != Strava {
		t.Fatalf("kind %q", s.Kind)
	}
	var progress []int
	members := walkAll(t, s, Options{Progress: func(done, total int, _ string) { progress = append(progress, done*100+total) }})
	got := map[string]Member{}
	var paths []string
	for _, m := range members {
		got[m.Path] = m
		paths = append(paths, m.Path)
	}
	want := []string{
		"export_1234/activities/101.fit.gz", "export_1234/activities/102.fit", "export_1234/activities/104.tcx.gz",
		"export_1234/activities/106.fit", "export_1234/activities/107.gpx", "export_1234/activities/105.fit",
		"export_1234/activities.csv",
	}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("members %v\nwant    %v", paths, want)
	}
	ride := got["export_1234/activities/101.fit.gz"]
	if ride.Err != nil || ride.Meta == nil || ride.Meta.Name != "Commute home" || ride.Meta.Description != "Rain, then \"sun\"\nand a flat" ||
		!ride.Meta.Commute || ride.Meta.Gear != "Canyon" || ride.Meta.Sport != "Ride" || ride.Meta.ID != "101" {
		t.Errorf("101: %+v %v", ride.Meta, ride.Err)
	}
	if !bytes.Equal(ride.Data, gz(t, fixture(t, "garmin_edge820_2017-06-12_commute_short.fit"))) {
		t.Error("101: the member's bytes are not as stored")
	}
	if m := got["export_1234/activities/102.fit"]; m.Meta == nil || m.Meta.Sport != "VirtualRide" || m.Meta.Commute || m.Err != nil {
		t.Errorf("102: %+v %v", m.Meta, m.Err)
	}
	if m := got["export_1234/activities/106.fit"]; m.Err == nil || m.Data != nil || m.Meta == nil || m.Meta.Name != "Broken" {
		t.Errorf("corrupt member: %+v %v", m.Meta, m.Err)
	}
	if m := got["export_1234/activities/107.gpx"]; m.Meta != nil || m.Err != nil {
		t.Errorf("a file the CSV does not list: %+v %v", m.Meta, m.Err)
	}
	if m := got["export_1234/activities/105.fit"]; m.Err == nil || !strings.Contains(m.Err.Error(), "does not hold it") {
		t.Errorf("listed but missing: %v", m.Err)
	}
	// Entered by hand on Strava: its row, marked, with no file.
	if m := got["export_1234/activities.csv"]; !m.Manual || m.Err != nil || m.Data != nil || m.Meta == nil || m.Meta.ID != "103" ||
		m.Meta.Name != "Yoga" || !m.Meta.Start().Equal(time.Date(2018, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("manual entry: %+v %v", m, m.Meta)
	}
	for _, m := range members {
		if m.Manual && m.Path != "export_1234/activities.csv" {
			t.Errorf("%s marked as entered by hand", m.Path)
		}
	}
	if len(progress) != 5 || progress[4] != 505 {
		t.Errorf("progress %v", progress)
	}
}

func TestStravaExportFolderInGerman(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "activities"), 0o755)
	os.WriteFile(filepath.Join(dir, "activities.csv"), []byte("\ufeff"+germanCSV), 0o644)
	os.WriteFile(filepath.Join(dir, "activities", "201.fit.gz"), gz(t, fixture(t, "garmin_edge820_2017-06-12_commute_short.fit")), 0o644)
	os.WriteFile(filepath.Join(dir, "activities", "202.fit"), fixture(t, "zwift_2017-10-05_virtualride.fit"), 0o644)
	s, err := Open(dir)
	if err != nil || s == nil || s.Kind != Strava {
		t.Fatalf("Open: %v %v", s, err)
	}
	members := walkAll(t, s, Options{})
	if len(members) != 2 {
		t.Fatalf("%d members", len(members))
	}
	m := members[0]
	if m.Path != "activities/201.fit.gz" || m.Meta == nil || m.Meta.Name != "Heimweg" || m.Meta.Sport != "Ride" ||
		m.Meta.Description != "Regen, dann \"Sonne\"\nund ein Platten" || !m.Meta.Commute || m.Meta.Gear != "Canyon" {
		t.Errorf("201: %s %+v", m.Path, m.Meta)
	}
	if got := m.Meta.Start(); !got.Equal(time.Date(2017, 6, 12, 16, 10, 15, 0, time.UTC)) {
		t.Errorf("201 starts %v", got)
	}
	if m := members[1]; m.Meta == nil || m.Meta.Sport != "VirtualRide" || m.Meta.Name != "Watopia am Abend" {
		t.Errorf("202: %+v", m.Meta)
	}
}

func TestGarminExport(t *testing.T) {
	part1 := zipOf(t,
		file{name: "12345678901.fit", data: fixture(t, "garmin_edge530_2020-11-07_road.fit")},
		file{name: "notes.json", data: []byte("{}")},
		file{name: "12345678902.tcx", data: fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")},
	)
	part2 := zipOf(t, file{name: "user_3_12345678903.fit", data: fixture(t, "garmin_fenix5_2017-06-11_run_short.fit")})
	const up = "DI_CONNECT/DI-Connect-Uploaded-Files/"
	export := zipOf(t,
		file{name: "DI_CONNECT/DI-Connect-Fitness/rider_0_summarizedActivities.json", data: []byte("[]")},
		file{name: up + "UploadedFiles_0-_Part1.zip", data: part1},
		file{name: up + "UploadedFiles_0-_Part2.zip", data: part2, stored: true},
		file{name: up + "UploadedFiles_0-_Part3.zip", data: []byte("not a zip at all")},
	)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"nested in memory", Options{}},
		{"nested through a temporary file", Options{NestedInMemory: 1, TempDir: t.TempDir()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "export.zip")
			os.WriteFile(p, export, 0o644)
			s, err := Open(p)
			if err != nil || s == nil || s.Kind != Garmin {
				t.Fatalf("Open: %v %v", s, err)
			}
			defer s.Close()
			members := walkAll(t, s, tc.opts)
			var paths []string
			for _, m := range members {
				paths = append(paths, m.Path)
			}
			want := []string{
				up + "UploadedFiles_0-_Part1.zip/12345678901.fit",
				up + "UploadedFiles_0-_Part1.zip/12345678902.tcx",
				up + "UploadedFiles_0-_Part2.zip/user_3_12345678903.fit",
				up + "UploadedFiles_0-_Part3.zip",
			}
			if strings.Join(paths, "\n") != strings.Join(want, "\n") {
				t.Fatalf("members:\n%s", strings.Join(paths, "\n"))
			}
			if !bytes.Equal(members[0].Data, fixture(t, "garmin_edge530_2020-11-07_road.fit")) || members[0].Meta != nil {
				t.Error("Part1 member bytes differ")
			}
			if !bytes.Equal(members[2].Data, fixture(t, "garmin_fenix5_2017-06-11_run_short.fit")) {
				t.Error("stored Part2 member bytes differ")
			}
			if members[3].Err == nil {
				t.Error("a nested ZIP that is not one must say so")
			}
			if tc.opts.TempDir != "" {
				if left, _ := os.ReadDir(tc.opts.TempDir); len(left) != 0 {
					t.Errorf("temporary files left: %d", len(left))
				}
			}
		})
	}
}

// An older export's folder name, unpacked with its nested ZIPs unpacked too.
func TestGarminExportUnpacked(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "DI_CONNECT", "DI-Connect-Fitness-Uploaded-Files", "UploadedFiles_0-_Part1")
	os.MkdirAll(part, 0o755)
	os.WriteFile(filepath.Join(part, "1.fit"), fixture(t, "garmin_fenix5_2017-06-11_run_short.fit"), 0o644)
	os.WriteFile(filepath.Join(part, "1.json"), []byte("{}"), 0o644)
	s, err := Open(dir)
	if err != nil || s == nil || s.Kind != Garmin {
		t.Fatalf("Open: %v %v", s, err)
	}
	members := walkAll(t, s, Options{})
	if len(members) != 1 || members[0].Path != "DI_CONNECT/DI-Connect-Fitness-Uploaded-Files/UploadedFiles_0-_Part1/1.fit" || members[0].Err != nil {
		t.Fatalf("members %+v", members)
	}
}

func TestNotAnArchive(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "rides")
	os.MkdirAll(plain, 0o755)
	os.WriteFile(filepath.Join(plain, "a.fit"), fixture(t, "garmin_fenix5_2017-06-11_run_short.fit"), 0o644)
	z := filepath.Join(dir, "export_9.zip") // the name alone makes no export
	os.WriteFile(z, zipOf(t, file{name: "ride.fit", data: fixture(t, "garmin_fenix5_2017-06-11_run_short.fit")}), 0o644)
	fitPath := filepath.Join(plain, "a.fit")
	for _, p := range []string{plain, z, fitPath} {
		if s, err := Open(p); s != nil || err != nil {
			t.Errorf("%s: %v %v", p, s, err)
		}
	}
	if OpenBytes("x.zip", stravaZip(t)) == nil {
		t.Error("an export in memory is recognised too")
	}
}

func TestColumnsByMeaning(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   map[column]int
	}{
		{[]string{"Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Elapsed Time", "Commute", "Activity Gear", "Filename", "Commute"},
			map[column]int{colID: 0, colDate: 1, colName: 2, colType: 3, colDescription: 4, colCommute: 6, colGear: 7, colFilename: 8}},
		{[]string{"ID de l'activité", "Date de l'activité", "Nom de l'activité", "Type d'activité", "Description de l'activité", "Temps écoulé", "Nom du fichier"},
			map[column]int{colID: 0, colDate: 1, colName: 2, colType: 3, colDescription: 4, colFilename: 6}},
		{[]string{"ID de la actividad", "Fecha de la actividad", "Nombre de la actividad", "Tipo de actividad", "Descripción de la actividad", "Nombre del archivo"},
			map[column]int{colID: 0, colDate: 1, colName: 2, colType: 3, colDescription: 4, colFilename: 5}},
		// Older exports: short names.
		{[]string{"id", "date", "name", "type", "description", "elapsed_time", "distance", "commute", "gear", "filename"},
			map[column]int{colID: 0, colDate: 1, colName: 2, colType: 3, colDescription: 4, colCommute: 7, colGear: 8, colFilename: 9}},
	} {
		got := findColumns(tc.header)
		for c, want := range tc.want {
			if got[c] != want {
				t.Errorf("%v: column %d at %d, want %d", tc.header[:2], c, got[c], want)
			}
		}
	}
}

func TestIntervalsType(t *testing.T) {
	for in, want := range map[string]string{
		"Ride": "Ride", "Virtual Ride": "VirtualRide", "VirtualRide": "VirtualRide", "Radfahrt": "Ride",
		"Virtuelle Radfahrt": "VirtualRide", "Vélo virtuel": "VirtualRide", "Course à pied": "Run", "Lauf": "Run",
		"Natación": "Swim", "E-Bike Ride": "EBikeRide", "Something new": "",
	} {
		if got := IntervalsType(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

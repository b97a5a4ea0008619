package service

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fitbridge/backend/secrets"
)

func fitFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fitfile", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A German export of two rides, one of them cut off by a dead battery.
func germanExport(t *testing.T) map[string][]byte {
	run := fitFixture(t, "garmin_fenix2_2015-08-15_run.fit")
	return map[string][]byte{
		"activities.csv": []byte("Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,Pendeln,Dateiname\n" +
			"1,\"05.10.2017, 00:04:06\",Watopia am Abend,Virtuelle Radfahrt,\"Locker \"\"rollen\"\"\nmit Freunden\",false,activities/1.fit\n" +
			"2,\"15.08.2015, 14:45:08\",Akku leer,Lauf,,false,activities/2.fit\n"),
		"activities/1.fit": fitFixture(t, "zwift_2017-10-05_virtualride.fit"),
		"activities/2.fit": run[:len(run)/2],
	}
}

func checkGermanExport(t *testing.T, svc *Service, got []ActivityView, prefix string) {
	t.Helper()
	if len(got) != 2 {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	if a := got[0]; a.File != prefix+"activities/1.fit" || a.Name != "Watopia am Abend" || a.Sport != "VirtualRide" || a.State != "ready" {
		t.Errorf("ride: %+v", a)
	}
	if a := got[1]; a.Name != "Akku leer" || a.Sport != "Run" || a.State != "ready" || a.Repaired == "" {
		t.Errorf("cut-off run: %+v", a)
	}
	row, err := svc.Store.Get(got[0].ID)
	if err != nil || row.Description != "Locker \"rollen\"\nmit Freunden" || row.Commute {
		t.Errorf("row: %+v %v", row, err)
	}
}

func openTestService(t *testing.T) *Service {
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

func TestImportStravaExportZipAndFolder(t *testing.T) {
	files := germanExport(t)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, name := range []string{"activities.csv", "activities/1.fit", "activities/2.fit"} {
		w, _ := zw.Create(name)
		w.Write(files[name])
	}
	zw.Close()

	t.Run("zip file", func(t *testing.T) {
		svc := openTestService(t)
		p := filepath.Join(t.TempDir(), "export_7.zip")
		os.WriteFile(p, zb.Bytes(), 0o644)
		var heard []string
		res := svc.ImportWithProgress(context.Background(), []string{p}, func(done, total int, file string) {
			heard = append(heard, fmt.Sprintf("%d/%d %s", done, total, file))
		})
		checkGermanExport(t, svc, res.Activities, p+"/")
		if want := []string{"1/2 " + p + "/activities/1.fit", "2/2 " + p + "/activities/2.fit"}; strings.Join(heard, "|") != strings.Join(want, "|") {
			t.Errorf("progress %q", heard)
		}
	})
	t.Run("unpacked folder", func(t *testing.T) {
		svc := openTestService(t)
		dir := t.TempDir()
		for name, data := range files {
			os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
			os.WriteFile(filepath.Join(dir, name), data, 0o644)
		}
		checkGermanExport(t, svc, svc.Import([]string{dir}).Activities, dir+"/")
	})
	t.Run("zip handed over by the browser", func(t *testing.T) {
		svc := openTestService(t)
		res := svc.ImportFiles([]ImportFile{{Name: "export_7.zip", DataBase64: base64.StdEncoding.EncodeToString(zb.Bytes())}})
		checkGermanExport(t, svc, res.Activities, "export_7.zip/")
	})
	t.Run("folder dropped in the browser", func(t *testing.T) {
		svc := openTestService(t)
		var in []ImportFile
		for _, name := range []string{"activities.csv", "activities/1.fit", "activities/2.fit"} {
			in = append(in, ImportFile{Name: "export_7/" + name, DataBase64: base64.StdEncoding.EncodeToString(files[name])})
		}
		// A loose file dropped with it is imported as ever.
		in = append(in, ImportFile{Name: "other.fit", DataBase64: base64.StdEncoding.EncodeToString(fitFixture(t, "garmin_fenix5_2017-06-11_run_short.fit"))})
		res := svc.ImportFiles(in)
		if len(res.Activities) != 3 || res.Activities[2].File != "other.fit" || res.Activities[2].State != "ready" {
			t.Fatalf("%+v", res.Activities)
		}
		checkGermanExport(t, svc, res.Activities[:2], "export_7/")
	})
}

// Garmin's export: the originals in nested ZIPs; without a CSV the files decide.
func TestImportGarminExport(t *testing.T) {
	zipOf := func(files map[string][]byte, order ...string) []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for _, name := range order {
			f, _ := w.Create(name)
			f.Write(files[name])
		}
		w.Close()
		return b.Bytes()
	}
	part := zipOf(map[string][]byte{
		"11111.fit": fitFixture(t, "garmin_edge530_2020-11-07_road.fit"),
		"22222.fit": fitFixture(t, "settings_garmin_edge510.fit"),
	}, "11111.fit", "22222.fit")
	const up = "DI_CONNECT/DI-Connect-Uploaded-Files/"
	export := zipOf(map[string][]byte{up + "UploadedFiles_0-_Part1.zip": part, "DI_CONNECT/DI-Connect-User/user.json": []byte("{}")},
		"DI_CONNECT/DI-Connect-User/user.json", up+"UploadedFiles_0-_Part1.zip")
	p := filepath.Join(t.TempDir(), "garmin-export.zip")
	os.WriteFile(p, export, 0o644)
	svc := openTestService(t)
	got := svc.Import([]string{p}).Activities
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	if a := got[0]; a.File != p+"/"+up+"UploadedFiles_0-_Part1.zip/11111.fit" || a.State != "ready" || a.Sport != "Ride" || a.Name != "11111" {
		t.Errorf("ride: %+v", a)
	}
	if a := got[1]; a.State != "not_an_activity" || a.Reason == "" {
		t.Errorf("settings file: %+v", a)
	}
}

// Browser mode: a chosen export folder comes up as loose uploads under
// random names; put back in its folder, it is read as the export it is,
// with a loose ride and a file that never arrived in their places.
func TestImportUploadedExportFolder(t *testing.T) {
	svc := openTestService(t)
	incoming := t.TempDir()
	n := 0
	upload := func(data []byte) string {
		n++
		p := filepath.Join(incoming, fmt.Sprintf("%032x", n))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	export := germanExport(t)
	loose := fitFixture(t, "garmin_fenix5_2017-06-11_run_short.fit")
	files := []UploadedFile{
		{Name: "lauf.fit", Path: upload(loose)},
		{Name: "export_7/activities.csv", Path: upload(export["activities.csv"])},
		{Name: "never.fit", Err: fmt.Errorf("this file did not finish uploading: add it again")},
		{Name: "export_7/activities/1.fit", Path: upload(export["activities/1.fit"])},
		{Name: `export_7\activities\2.fit`, Path: upload(export["activities/2.fit"])},
		{Name: "export_7/../../escape/media/photo.jpg", Path: upload([]byte("jpeg"))},
	}
	got := svc.ImportUploaded(files).Activities
	if len(got) != 5 {
		t.Fatalf("%d entries, want the loose ride, the two rides of the export, the file that never arrived and the photo: %+v", len(got), got)
	}
	if got[0].File != "lauf.fit" || got[0].State != "ready" {
		t.Errorf("loose ride: %+v", got[0])
	}
	checkGermanExport(t, svc, got[1:3], "export_7/")
	if got[3].File != "never.fit" || got[3].State != "unreadable" || !strings.Contains(got[3].Reason, "did not finish") {
		t.Errorf("the file that never arrived: %+v", got[3])
	}
	if got[4].State != "unreadable" {
		t.Errorf("a photo named to climb out of its folder: %+v", got[4])
	}
	// Nothing was staged outside the uploads' own folder, and nothing stays.
	left, _ := os.ReadDir(incoming)
	if len(left) != 6-1 {
		t.Errorf("the uploads' folder holds %d entries afterwards, want the 5 uploads only", len(left))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(incoming), "escape")); err == nil {
		t.Error("a name with .. reached outside the folder")
	}
}

// An export whose download stopped part way says so, not that it is "not an
// activity file", whether added from disk or sent up by a browser.
func TestImportCutOffExportSaysDownloadAgain(t *testing.T) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, data := range germanExport(t) {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "export_9.zip")
	if err := os.WriteFile(p, zb.Bytes()[:zb.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	svc := openTestService(t)
	for _, got := range [][]ActivityView{
		svc.Import([]string{p}).Activities,
		svc.ImportUploaded([]UploadedFile{{Name: "export_9.zip", Path: p}}).Activities,
	} {
		if len(got) != 1 || got[0].State != "unreadable" || !strings.Contains(got[0].Reason, "download it again") {
			t.Errorf("a cut-off export: %+v", got)
		}
	}
}

// A ZIP of several rides that is no export (a part of Garmin's export on its
// own) gives each ride, added directly or found in a folder; a ZIP of one
// ride is that ride.
func TestImportZipOfSeveralRides(t *testing.T) {
	zipOf := func(names ...string) []byte {
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		for _, n := range names {
			w, _ := zw.Create("UploadedFiles_0-_Part1/" + n)
			w.Write(fitFixture(t, n))
		}
		zw.Close()
		return zb.Bytes()
	}
	dir := t.TempDir()
	two := filepath.Join(dir, "rides", "UploadedFiles_0-_Part1.zip")
	os.MkdirAll(filepath.Dir(two), 0o755)
	os.WriteFile(two, zipOf("zwift_2017-10-05_virtualride.fit", "garmin_fenix5_2017-06-11_run_short.fit"), 0o644)
	one := filepath.Join(dir, "one.zip")
	os.WriteFile(one, zipOf("garmin_edge820_2017-06-12_commute_short.fit"), 0o644)

	for _, tc := range []struct {
		name  string
		paths []string
		want  int
	}{
		{"the ZIP itself", []string{two}, 2},
		{"the folder holding it", []string{filepath.Dir(two)}, 2},
		{"a ZIP of one ride", []string{one}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := openTestService(t)
			got := svc.Import(tc.paths).Activities
			ready := 0
			for _, a := range got {
				if a.State == "ready" {
					ready++
				}
			}
			if len(got) != tc.want || ready != tc.want {
				t.Fatalf("%d entries, %d ready; want %d rides: %+v", len(got), ready, tc.want, got)
			}
		})
	}
}

package service

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fitbridge/backend/secrets"
	"fitbridge/backend/store"
)

// A real ride file, kept by the folder source's tests (see its PROVENANCE.md).
const rideFile = "../source/folder/testdata/zwift_2017-10-05_virtualride.fit"

func newImportService(t *testing.T) *Service {
	t.Helper()
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// The same bytes from two places are one activity: the second import says
// it is already in the library and the activity lists both places.
func TestImportSameFileTwiceIsOneActivityWithItsPlaces(t *testing.T) {
	svc := newImportService(t)
	data, err := os.ReadFile(rideFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a", "ride.fit"), filepath.Join(dir, "b", "copy of ride.fit")
	for _, p := range []string{first, second} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	a := svc.Import([]string{first}).Activities
	if len(a) != 1 || a[0].AlreadyInLibrary || a[0].State != store.StateReady {
		t.Fatalf("first import: %+v", a)
	}
	steps := []struct {
		name       string
		paths      []string
		wantPlaces []string
	}{
		{"the same bytes elsewhere", []string{second}, []string{second}},
		{"both again", []string{first, second}, []string{second}},
	}
	for _, st := range steps {
		got := svc.Import(st.paths).Activities
		for i, v := range got {
			if v.ID != a[0].ID || !v.AlreadyInLibrary {
				t.Fatalf("%s: %+v, want activity %d marked already in the library", st.name, v, a[0].ID)
			}
			if v.File != st.paths[i] {
				t.Fatalf("%s: entry %d names %q, want the path as given %q", st.name, i, v.File, st.paths[i])
			}
		}
		d, err := svc.ActivityDetail(a[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Places, st.wantPlaces) {
			t.Fatalf("%s: places %q, want %q", st.name, d.Places, st.wantPlaces)
		}
	}
	all, err := svc.Activities(ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("the library holds %d activities, want 1", len(all))
	}
}

// A file a source already brought in (here a Zwift folder) is not added again
// by hand: the import answers with that activity.
func TestImportOfAFileASourceHasIsThatActivity(t *testing.T) {
	svc := newImportService(t)
	data, err := os.ReadFile(rideFile)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := svc.Cache.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	zw, _, err := svc.Store.CreateOrGet(&store.Activity{Source: "zwift", RemoteID: "2017-10-05.fit", File: "/Zwift/Activities/2017-10-05.fit", Hash: hash, State: store.StateUploaded})
	if err != nil {
		t.Fatal(err)
	}
	got := svc.ImportFiles([]ImportFile{{Name: "ride.fit", DataBase64: base64.StdEncoding.EncodeToString(data)}}).Activities
	if len(got) != 1 || got[0].ID != zw.ID || got[0].Source != "zwift" || !got[0].AlreadyInLibrary {
		t.Fatalf("import of the Zwift file: %+v, want activity %d from zwift", got, zw.ID)
	}
	d, err := svc.ActivityDetail(zw.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Places, []string{"ride.fit"}) {
		t.Fatalf("places %q", d.Places)
	}
}

package backfill

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
	"fitbridge/backend/store"
)

// iGPSport lists every ride as plain cycling ("Ride"); the FIT says more.
// Read over HTTP from the fake, the file's type must reach Intervals.icu.
func TestIGPSportListingNeverDowngradesTheFileSport(t *testing.T) {
	f := igpsportfake.New(igpsportfake.Options{})
	u := f.Start()
	t.Cleanup(f.Close)
	start := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	want := map[string]string{}
	for i, c := range []struct {
		sub  fit.SubSport
		want string
	}{
		{fit.SubSportGravelCycling, "GravelRide"},
		{fit.SubSportVirtualActivity, "VirtualRide"},
		{fit.SubSportMountain, "MountainBikeRide"},
		{fit.SubSportRoad, "Ride"},
	} {
		r := igpsportfake.Ride{RideID: int64(100 + i), Title: "Outdoor Ride", Start: start.Add(time.Duration(i)*30*time.Hour + time.Duration(i*97)*time.Second),
			Duration: time.Hour, DistanceM: 30000, ProductName: "iGS630"}
		f.AddRide(r, fitgen.Activity(fitgen.Ride{Start: r.Start, Duration: r.Duration, DistanceM: r.DistanceM,
			SubSport: c.sub, Manufacturer: fit.ManufacturerIgpsport, Serial: uint32(i + 1), Every: time.Minute}))
		want[strconv.Itoa(100+i)] = c.want
	}
	cl, err := igpsport.New(source.Config{BaseURL: u, Token: f.Token()}, igpsport.Options{
		Pace: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := source.Lookup(igpsport.Name)
	w := newWorld(t, nil)
	w.eng.Sources = []Connected{{Desc: desc, Source: cl}}

	res, err := w.eng.Run(context.Background(), Request{})
	if err != nil || res.Uploaded != 4 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	got := map[string]string{}
	for _, a := range w.fake.Activities() {
		got[a.ExternalID] = a.Type
	}
	for id, typ := range want {
		if got[igpsport.ExternalID(id)] != typ {
			t.Errorf("ride %s is a %q in Intervals.icu, want %q", id, got[igpsport.ExternalID(id)], typ)
		}
		row, _ := w.store.FindBySource(igpsport.Name, id)
		if row == nil || row.Sport != typ {
			t.Errorf("ride %s is a %+v in the library, want %q", id, row, typ)
		}
	}
}

// A platform's hint still refines a file that says only cycling (MyWhoosh
// rides are indoor), and rows stored with a plain hint over a closer file
// type no longer downgrade it on upload.
func TestSportHintRefinesOnlyAPlainFileType(t *testing.T) {
	start := time.Date(2025, 7, 1, 6, 0, 0, 0, time.UTC)
	cases := []struct {
		hint string
		sub  fit.SubSport
		want string
	}{
		{"VirtualRide", fit.SubSportRoad, "VirtualRide"},
		{"MountainBikeRide", fit.SubSportGeneric, "MountainBikeRide"},
		{"Ride", fit.SubSportGravelCycling, "GravelRide"},
		{"", fit.SubSportVirtualActivity, "VirtualRide"},
	}
	src := &rideSource{files: map[string][]byte{}}
	for i, c := range cases {
		id := "s" + strconv.Itoa(i)
		ts := start.Add(time.Duration(i)*30*time.Hour + time.Duration(i*97)*time.Second) // never the same mm:ss
		src.rides = append(src.rides, source.Activity{RemoteID: id, Sport: c.hint, StartHint: ts})
		src.files[id] = fitgen.Activity(fitgen.Ride{Start: ts, Duration: time.Hour, DistanceM: 30000, SubSport: c.sub, Serial: uint32(i + 1), Every: time.Minute})
	}
	w := newWorld(t, src)
	if _, err := w.eng.Run(context.Background(), Request{FetchOnly: true}); err != nil {
		t.Fatal(err)
	}
	// s2 as an older version stored it: the plain hint kept over the file's.
	row, _ := w.store.FindBySource("testapp", "s2")
	if err := w.store.Update(row.ID, store.Changes{Sport: new("Ride")}); err != nil {
		t.Fatal(err)
	}
	if res, err := w.eng.Run(context.Background(), Request{}); err != nil || res.Uploaded != len(cases) {
		t.Fatalf("run: %+v, %v", res, err)
	}
	got := map[string]string{}
	for _, a := range w.fake.Activities() {
		got[a.ExternalID] = a.Type
	}
	for i, c := range cases {
		id := "s" + strconv.Itoa(i)
		ext := w.eng.Sources[0].Desc.ExternalIDFor(id)
		if got[ext] != c.want {
			t.Errorf("hint %q over a %v file: %q in Intervals.icu, want %q", c.hint, c.sub, got[ext], c.want)
		}
	}
}

package bench

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/service"
	"fitbridge/backend/store"
)

var archiveRides = 3000

// writeStravaExport writes a Strava bulk export of n one-hour rides, one a
// day from 2018, every other file gzipped, with its activities.csv; a third
// of the rides are put into the Intervals.icu fake as Garmin's copies.
func writeStravaExport(b *testing.B, path string, n int, fake *intervalsfake.Server) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	var csv strings.Builder
	csv.WriteString("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Commute,Activity Gear,Filename\n")
	start := time.Date(2018, 1, 1, 6, 30, 0, 0, time.UTC)
	for i := range n {
		// Different minutes day to day, as a rider's rides are (equal ones a
		// day apart look like a time-zone mix-up and go to review).
		t := start.Add(time.Duration(i)*24*time.Hour + time.Duration(i%7)*13*time.Minute + time.Duration(i%11)*time.Second)
		data := fitgen.Activity(fitgen.Ride{Start: t, Duration: time.Hour, DistanceM: 30000, Serial: uint32(i + 1), AvgPower: 200, AvgHR: 140, Every: 5 * time.Second})
		name := fmt.Sprintf("activities/%d.fit", 1000+i)
		if i%2 == 0 {
			var gz bytes.Buffer
			w := gzip.NewWriter(&gz)
			w.Write(data)
			w.Close()
			data, name = gz.Bytes(), name+".gz"
		}
		w, err := zw.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		w.Write(data)
		fmt.Fprintf(&csv, "%d,\"%s\",Morning ride %d,Ride,\"Easy, \"\"steady\"\"\nwith a coffee stop\",3600,30.0,false,,%s\n", 1000+i, t.Format("Jan 2, 2006, 3:04:05 PM"), i, name)
		if i%3 == 0 {
			fake.AddActivity(intervalsfake.Activity{StartDate: t, ElapsedTime: 3600, Distance: 30000, Type: "Ride", Source: "GARMIN_CONNECT", ExternalID: fmt.Sprint(9000 + i)})
		}
	}
	w, err := zw.Create("activities.csv")
	if err != nil {
		b.Fatal(err)
	}
	w.Write([]byte(csv.String()))
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
}

// peakMemory samples the Go heap in use until stop is closed.
func peakMemory(stop <-chan struct{}, peak *atomic.Uint64) {
	var m runtime.MemStats
	for {
		runtime.ReadMemStats(&m)
		if v := m.HeapInuse + m.StackInuse; v > peak.Load() {
			peak.Store(v)
		}
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A Strava export of 3,000 rides: read in place, every file summarised and
// added to the library, then matched against Intervals.icu (a dry-run
// backfill: what a rider sees before anything is uploaded). Target: under
// 60 s and 300 MB of Go memory in use at the peak.
func BenchmarkStravaArchive3000(b *testing.B) {
	if n, err := strconv.Atoi(os.Getenv("FITBRIDGE_BENCH_RIDES")); err == nil && n > 0 {
		archiveRides = n // a smaller archive for a quick look
	}
	dir := b.TempDir()
	fake := intervalsfake.New(intervalsfake.Options{RatePerSec: -1, Summarize: summarize})
	url := fake.Start()
	defer fake.Close()
	export := filepath.Join(dir, "export_3000.zip")
	writeStravaExport(b, export, archiveRides, fake)
	st, _ := os.Stat(export)
	runtime.GC()
	b.ResetTimer()

	for i := 0; i < b.N; i++ {
		b.StopTimer()
		home := b.TempDir()
		env := map[string]string{"FITBRIDGE_INTERVALS_URL": url}
		svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.ConnectIntervals(context.Background(), fake.AthleteID(), fake.APIKey()); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		go peakMemory(stop, &peak)
		b.StartTimer()

		began := time.Now()
		res := svc.Import([]string{export})
		read := time.Since(began)
		ready := 0
		for _, a := range res.Activities {
			if a.State == store.StateReady {
				ready++
			}
		}
		if ready != archiveRides {
			b.Fatalf("%d of %d rides ready after import", ready, archiveRides)
		}
		out, err := svc.Backfill(context.Background(), service.BackfillOptions{DryRun: true}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if out.Already != (archiveRides+2)/3 || out.WouldUpload != archiveRides-(archiveRides+2)/3 {
			rows, _ := svc.Activities(service.ActivityFilter{States: []store.State{store.StateSkipped}})
			if len(rows) > 0 {
				b.Logf("skipped: %s", rows[0].Reason)
			}
			b.Fatalf("matched: %+v", out)
		}
		total := time.Since(began)

		b.StopTimer()
		close(stop)
		b.ReportMetric(float64(st.Size())/(1<<20), "archive-MB")
		b.ReportMetric(read.Seconds(), "read+summarise-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		svc.Close()
	}
}

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
	"fitbridge/backend/service"
)

// How long after a Zwift ride finishes writing it is on Intervals.icu, with
// `watch` running (the Strava hop takes 15–30 minutes).
func BenchmarkZwiftRideToIntervals(b *testing.B) {
	const settle = time.Second
	ivl := intervalsfake.New(intervalsfake.Options{Summarize: summarize})
	url := ivl.Start()
	defer ivl.Close()
	home, dir := b.TempDir(), b.TempDir()
	env := map[string]string{"FITBRIDGE_INTERVALS_URL": url}
	svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.ConnectIntervals(context.Background(), ivl.AthleteID(), ivl.APIKey()); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ConnectFolder("zwift", dir); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Watcher(service.WatchOptions{Settle: settle, Poll: time.Hour}).Run(ctx, nil)
	time.Sleep(500 * time.Millisecond)

	var worst time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC).Add(time.Duration(i)*26*time.Hour + time.Duration(i*71)*time.Second)
		data := fitgen.Activity(fitgen.Ride{Start: start, Duration: time.Hour, DistanceM: 30000, SubSport: fit.SubSportVirtualActivity, Manufacturer: fit.ManufacturerZwift, Serial: uint32(i + 1)})
		before := ivl.UploadCount()
		if err := os.WriteFile(filepath.Join(dir, start.Format("2006-01-02-15-04-05")+".fit"), data, 0o644); err != nil {
			b.Fatal(err)
		}
		written := time.Now()
		for ivl.UploadCount() == before {
			if time.Since(written) > time.Minute {
				b.Fatal("the ride never reached Intervals.icu")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if took := time.Since(written); took > worst {
			worst = took
		}
	}
	b.ReportMetric(worst.Seconds(), "s-worst")
	fmt.Printf("zwift ride on Intervals.icu %.1fs after it finished writing (settle %v; target settle + 5s)\n", worst.Seconds(), settle)
}

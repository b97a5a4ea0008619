// Package demo runs FitBridge against built-in sample services: two years of
// history on several platforms, some of it already in Intervals.icu, a few
// broken files. A newcomer can try every screen without an account.
package demo

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	"sync"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/secrets"
	"fitbridge/backend/service"
	"fitbridge/backend/source"
)

// AthleteID and APIKey sign in to the demo's Intervals.icu.
const (
	AthleteID = "i12345"
	APIKey    = "demo-api-key"
)

// Demo is the running sample world.
type Demo struct {
	Service   *service.Service
	Intervals *intervalsfake.Server
	MyWhoosh  *mywhooshfake.Server
	IGPSport  *igpsportfake.Server
	TP        *trainingpeaksfake.Server
	closers   []func()
	stopOnce  sync.Once
}

// Close stops the sample services and closes the library.
func (d *Demo) Close() {
	if d.Service != nil {
		d.Service.Close()
	}
	d.StopServices()
}

// StopServices stops the sample services only (the library's own close
// calls it, so it must not close the library again).
func (d *Demo) StopServices() { d.stopOnce.Do(d.stop) }

func (d *Demo) stop() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// Options shape the demo.
type Options struct {
	// Connect signs in to every sample service up front; without it the
	// wizard does (with the demo's own sign-in pages).
	Connect bool
	// Now anchors the two years of history (default: today).
	Now time.Time
}

// Start builds the sample world with its library in home (a fresh folder).
func Start(ctx context.Context, home string, o Options) (*Demo, error) {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	from := o.Now.AddDate(-2, 0, 0)
	rng := rand.New(rand.NewSource(42))
	d := &Demo{}

	d.Intervals = intervalsfake.New(intervalsfake.Options{APIKey: APIKey, AthleteID: AthleteID, AthleteName: "Demo Rider", Summarize: summarize,
		AthleteFields: map[string]any{"strava_authorized": true, "strava_sync_activities": true}})
	ivlURL := d.Intervals.Start()
	d.closers = append(d.closers, d.Intervals.Close)

	d.MyWhoosh = mywhooshfake.New(mywhooshfake.Options{AutoLogin: true})
	mwURL := d.MyWhoosh.Start()
	d.closers = append(d.closers, d.MyWhoosh.Close)
	rides := d.MyWhoosh.Seed(90, from, o.Now, rng)
	// The native MyWhoosh link has uploaded the recent rides, as its own files.
	for _, r := range rides {
		if r.Start.After(o.Now.AddDate(0, -2, 0)) && r.HasFile() {
			d.Intervals.AddActivity(intervalsfake.Activity{StartDate: r.Start.Add(3 * time.Second), ElapsedTime: int(r.Duration.Seconds()),
				Distance: r.DistanceKm * 1000, Type: "VirtualRide", Source: "OAUTH_CLIENT", OAuthClientName: "MyWhoosh", Name: r.Title})
		}
	}

	d.IGPSport = igpsportfake.New(igpsportfake.Options{AutoLogin: true})
	igURL := d.IGPSport.Start()
	d.closers = append(d.closers, d.IGPSport.Close)
	igRides := d.IGPSport.Seed(50, from, o.Now, rng)
	// Some outdoor rides went to Strava too: Intervals.icu shows stubs.
	for i, r := range igRides {
		if i%6 == 0 {
			d.Intervals.AddActivity(intervalsfake.Activity{StartDateLocal: r.Start.Add(time.Minute).In(d.Intervals.Location()), Source: "STRAVA"})
		}
	}
	// One ride reached Intervals.icu through Garmin too, cut short there: the
	// same start, a third of the length. Probably the same ride: the rider decides.
	if len(igRides) > 1 {
		r := igRides[len(igRides)-2]
		d.Intervals.AddActivity(intervalsfake.Activity{StartDate: r.Start, ElapsedTime: int(r.Duration.Seconds() / 3), Distance: r.DistanceM / 3,
			Type: "Ride", Source: "GARMIN_CONNECT", ExternalID: "20240917001", Name: "Ride (Garmin)"})
	}

	d.TP = trainingpeaksfake.New(trainingpeaksfake.Options{AutoLogin: true})
	tpURL := d.TP.Start()
	d.closers = append(d.closers, d.TP.Close)
	d.TP.Seed(40, from, o.Now, rng)

	zwiftDir := filepath.Join(home, "sample-zwift", "Activities")
	if err := writeZwiftFolder(zwiftDir, from, o.Now, rng); err != nil {
		d.Close()
		return nil, err
	}
	// Zwift's custom workouts folder for the sample account, and a plan.
	if err := os.MkdirAll(filepath.Join(home, "sample-zwift", "Workouts", "1234567"), 0o755); err != nil {
		d.Close()
		return nil, err
	}
	planWorkouts(d.Intervals, o.Now.In(d.Intervals.Location()))

	env := map[string]string{
		"FITBRIDGE_HOME":              home,
		"FITBRIDGE_INTERVALS_URL":     ivlURL,
		"FITBRIDGE_MYWHOOSH_URL":      mwURL,
		"FITBRIDGE_IGPSPORT_URL":      igURL,
		"FITBRIDGE_TRAININGPEAKS_URL": tpURL,
		"FITBRIDGE_ZWIFT_DIR":         zwiftDir,
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: getenv, Demo: true})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Service = svc
	if o.Connect {
		if err := d.connectAll(ctx, zwiftDir); err != nil {
			d.Close()
			return nil, err
		}
	}
	// A few broken files, as riders have them.
	good := fitgen.Activity(fitgen.Ride{Start: from.AddDate(0, 1, 0), Duration: time.Hour, DistanceM: 30000})
	svc.ImportFiles([]service.ImportFile{
		{Name: "garmin-export-cut-short.fit", DataBase64: b64(good[:len(good)-19])},
		{Name: "not-a-ride.txt", DataBase64: b64([]byte("shopping list: inner tubes, chain lube"))},
	})
	return d, nil
}

func (d *Demo) connectAll(ctx context.Context, zwiftDir string) error {
	s := d.Service
	if _, err := s.ConnectIntervals(ctx, AthleteID, APIKey); err != nil {
		return fmt.Errorf("demo Intervals.icu: %w", err)
	}
	if _, err := s.ConnectPassword(ctx, "mywhoosh", "", mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword); err != nil {
		return fmt.Errorf("demo MyWhoosh: %w", err)
	}
	if _, err := s.ConnectPassword(ctx, "igpsport", "intl", "rider@example.com", "correct horse"); err != nil {
		return fmt.Errorf("demo iGPSport: %w", err)
	}
	if _, err := s.ConnectToken(ctx, "trainingpeaks", "", d.TP.IssueCookie()); err != nil {
		return fmt.Errorf("demo TrainingPeaks: %w", err)
	}
	if _, err := s.ConnectFolder("zwift", zwiftDir); err != nil {
		return fmt.Errorf("demo Zwift folder: %w", err)
	}
	// The sample services run on this computer: no need to pace calls.
	for _, name := range []string{"mywhoosh", "igpsport", "trainingpeaks"} {
		if err := s.SetAccountSetting(name, source.SettingMinInterval, "0s"); err != nil {
			return err
		}
	}
	return nil
}

// writeZwiftFolder fills a sample Zwift Activities folder, files settled long ago.
func writeZwiftFolder(dir string, from, to time.Time, rng *rand.Rand) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old := time.Now().Add(-24 * time.Hour)
	for i := 0; i < 25; i++ {
		start := from.Add(time.Duration(rng.Int63n(int64(to.Sub(from))))).Truncate(time.Second)
		data := fitgen.Activity(fitgen.Ride{Start: start, Duration: time.Duration(30+rng.Intn(60)) * time.Minute, DistanceM: float64(15000 + rng.Intn(30000)),
			SubSport: fit.SubSportVirtualActivity, Manufacturer: fit.ManufacturerZwift, Serial: uint32(1000 + i), AvgPower: uint16(150 + rng.Intn(100)), AvgHR: uint8(120 + rng.Intn(40))})
		name := filepath.Join(dir, start.Local().Format("2006-01-02-15-04-05")+".fit")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(name, old, old); err != nil {
			return err
		}
	}
	stub := filepath.Join(dir, "inProgressActivity.fit")
	if err := os.WriteFile(stub, make([]byte, 584), 0o644); err != nil {
		return err
	}
	return nil
}

func summarize(data []byte) (time.Time, float64, float64, string, error) {
	s, err := fitfile.Summarize(data)
	if err != nil {
		return time.Time{}, 0, 0, "", err
	}
	return s.Start, s.ElapsedS, s.DistanceM, s.IntervalsType(), nil
}

// planWorkouts puts a week of structured workouts on the sample calendar.
func planWorkouts(ivl *intervalsfake.Server, today time.Time) {
	ftp := func(v float64) map[string]any { return map[string]any{"value": v, "units": "%ftp"} }
	ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 1), Name: "Sweet Spot 3x12", Type: "VirtualRide", Steps: []map[string]any{
		{"duration": 600, "warmup": true, "ramp": true, "power": map[string]any{"start": 50, "end": 75, "units": "%ftp"}},
		{"reps": 3, "steps": []map[string]any{
			{"duration": 720, "power": map[string]any{"start": 88, "end": 93, "units": "%ftp"}, "cadence": map[string]any{"start": 85, "end": 95, "units": "rpm"}},
			{"duration": 300, "power": ftp(55)},
		}},
		{"duration": 600, "cooldown": true, "power": ftp(50)},
	}})
	ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 3), Name: "Endurance with high cadence", Type: "Ride", Steps: []map[string]any{
		{"duration": 5400, "power": map[string]any{"value": 2, "units": "power_zone"}, "text": "Stay relaxed"},
		{"reps": 5, "steps": []map[string]any{{"duration": 60, "power": ftp(70), "cadence": map[string]any{"value": 110, "units": "rpm"}}, {"duration": 240, "power": ftp(65)}}},
	}})
	ivl.AddEvent(intervalsfake.Event{Day: today.AddDate(0, 0, 5), Name: "Threshold by heart rate", Type: "Ride", Steps: []map[string]any{
		{"duration": 900, "warmup": true, "power": ftp(60)},
		{"reps": 2, "steps": []map[string]any{{"duration": 1200, "hr": map[string]any{"start": 95, "end": 100, "units": "%lthr"}}, {"duration": 300, "power": ftp(50)}}},
	}})
}

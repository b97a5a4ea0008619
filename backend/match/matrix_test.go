package match

import (
	"context"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/intervals"

	"github.com/tormoder/fit"
)

// The test matrix of dedup.md section 7, run the way the engine will:
// seed the fake, list the window over HTTP, decide, upload what is new.
func TestMatrixAgainstFake(t *testing.T) {
	start := time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC) // 08:12:44 in Berlin
	type file struct {
		ride fitgen.Ride
		ext  []string
		typ  string
	}
	mywhoosh := file{fitgen.Ride{Start: start, Duration: 90 * time.Minute, DistanceM: 45000, SubSport: fit.SubSportVirtualActivity, Manufacturer: 331, Serial: 1}, []string{"mywhoosh_66a1f0"}, "VirtualRide"}
	igpsport := file{fitgen.Ride{Start: start, Duration: 62 * time.Minute, DistanceM: 28400, Serial: 2}, []string{"igpsport_0"}, "Ride"}
	zwift := file{fitgen.Ride{Start: start, Duration: 60 * time.Minute, DistanceM: 30000, SubSport: fit.SubSportVirtualActivity, Serial: 3}, []string{"zwift_1f2e3d4c5b6a7980"}, "VirtualRide"}
	tp := file{fitgen.Ride{Start: start, Duration: 120 * time.Minute, DistanceM: 60000, Serial: 4}, []string{"trainingpeaks_123_-4"}, "Ride"}

	for _, tc := range []struct {
		name     string
		seed     func(s *intervalsfake.Server, data []byte) string // returns the id expected in the decision
		file     file
		dropOnce bool // the first upload is stored but its answer lost
		want     Outcome
		rule     int
		status   int // upload answer when the decision is (or is forced to) upload
	}{
		{name: "nothing there: MyWhoosh ride", file: mywhoosh, want: Upload, rule: 7, status: 201},
		{
			name: "same bytes uploaded by Intervals Companion", file: igpsport, want: Duplicate, rule: 3, status: 200,
			seed: func(s *intervalsfake.Server, data []byte) string { ids := s.Seed(data); return ids[len(ids)-1] },
		},
		{
			name: "Strava stub 2 min later: Zwift file", file: zwift, want: Duplicate, rule: 5,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				return s.AddActivity(intervalsfake.Activity{Source: "STRAVA", StartDateLocal: intervals.WallClock(start.In(s.Location())).Add(2 * time.Minute)})
			},
		},
		{
			name: "Strava stub exactly 1 h off: TP file", file: tp, want: Probable, rule: 6,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				return s.AddActivity(intervalsfake.Activity{Source: "STRAVA", StartDateLocal: intervals.WallClock(start.In(s.Location())).Add(-time.Hour)})
			},
		},
		{
			name: "Garmin Connect +40 s, elapsed +3 %, distance -2 %: TP file", file: tp, want: Duplicate, rule: 3,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				return s.AddActivity(intervalsfake.Activity{Source: "GARMIN_CONNECT", StartDate: start.Add(40 * time.Second),
					ElapsedTime: int(7200 * 1.03), MovingTime: 7100, Distance: 60000 * 0.98, Type: "Ride", ExternalID: "14587234120"})
			},
		},
		{
			name: "another app +1 min, elapsed -60 %: MyWhoosh ride", file: mywhoosh, want: Probable, rule: 4,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				return s.AddActivity(intervalsfake.Activity{Source: "OAUTH_CLIENT", OAuthClientName: "MyWhoosh", StartDate: start.Add(time.Minute),
					ElapsedTime: int(5400 * 0.4), MovingTime: int(5400 * 0.4), Distance: 18000, Type: "VirtualRide"})
			},
		},
		{
			name: "external id igpsport_0: iGPSport ride 0", file: igpsport, want: Duplicate, rule: 2,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				return s.AddActivity(intervalsfake.Activity{Source: "OAUTH_CLIENT", OAuthClientName: "intervalssync", ExternalID: "igpsport_0",
					StartDate: start.Add(-3 * time.Hour), ElapsedTime: 3720, Type: "Ride"})
			},
		},
		{
			name: "two activities 25 min apart: matches the second", file: zwift, want: Duplicate, rule: 3,
			seed: func(s *intervalsfake.Server, _ []byte) string {
				s.AddActivity(intervalsfake.Activity{Source: "ZWIFT", StartDate: start.Add(-25 * time.Minute), ElapsedTime: 1200, Distance: 9000, Type: "VirtualRide"})
				return s.AddActivity(intervalsfake.Activity{Source: "ZWIFT", StartDate: start.Add(20 * time.Second), ElapsedTime: 3610, Distance: 30050, Type: "VirtualRide"})
			},
		},
		{name: "nothing there; the upload's answer is lost", file: mywhoosh, dropOnce: true, want: Upload, rule: 7, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := intervalsfake.New(intervalsfake.Options{APIKey: "k", RatePerSec: -1})
			base := srv.Start()
			defer srv.Close()
			data := fitgen.Activity(tc.file.ride)
			wantID := ""
			if tc.seed != nil {
				wantID = tc.seed(srv, data)
			}
			ctx := context.Background()
			c := intervals.New(base, "", "k", intervals.WithLimiter(nil),
				intervals.WithRetry(intervals.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))

			ath, err := c.Athlete(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tz, err := time.LoadLocation(ath.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			local := start.In(tz)
			acts, err := c.Activities(ctx, local.AddDate(0, 0, -1), local.AddDate(0, 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			ix := NewIndex(acts, tz)
			cand := Candidate{ExternalIDs: tc.file.ext, Sessions: []Session{{
				StartUTC: start, ElapsedS: tc.file.ride.Duration.Seconds(), TimerS: tc.file.ride.Duration.Seconds(),
				DistanceM: tc.file.ride.DistanceM, Type: tc.file.typ,
			}}}
			d := ix.Decide(cand, Options{})
			if d.Outcome != tc.want || d.Rule != tc.rule || d.ActivityID != wantID {
				t.Fatalf("decision %+v; want %s rule %d id %q", d, tc.want, tc.rule, wantID)
			}
			t.Logf("%s: %s", d.Outcome, d.Reason)
			if tc.status == 0 {
				return
			}

			// Upload (or, for the hash case, upload anyway as a rider's
			// forced retry would) and see what the service answers.
			if tc.dropOnce {
				srv.DropConnectionAfterStore(1)
			}
			before, stored := srv.UploadCount(), len(srv.Activities())
			res, err := c.Upload(ctx, intervals.Upload{Filename: "ride.fit", Data: data, ExternalID: tc.file.ext[0]})
			if err != nil || res.Status != tc.status {
				t.Fatalf("upload %+v, %v; want %d", res, err, tc.status)
			}
			if tc.status == 200 && wantID != "" && res.ID != wantID {
				t.Fatalf("200 with id %s, want the existing %s", res.ID, wantID)
			}
			if got, n := srv.UploadCount()-before, len(srv.Activities())-stored; (tc.seed == nil) != (got == 1) || n != got {
				t.Fatalf("%d creations, %d new activities", got, n)
			}
			// The ledger would now hold res.ID; the index learns it too, so a
			// re-run decides "duplicate" without uploading.
			for _, id := range res.IDs {
				a, err := c.GetActivity(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				ix.Add(a)
			}
			if d := ix.Decide(cand, Options{}); d.Outcome != Duplicate || d.ActivityID != res.ID {
				t.Fatalf("re-run decision %+v", d)
			}
		})
	}
}

package match

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/intervals"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// t0 is 08:00 in Berlin (CEST).
var t0 = time.Date(2025, 6, 10, 6, 0, 0, 0, time.UTC)

func full(id, source string, start time.Time, elapsedS, distM float64, typ string) intervals.Activity {
	return intervals.Activity{ID: id, Source: source, StartUTC: start, StartLocal: intervals.WallClock(start.In(berlin)),
		ElapsedS: elapsedS, MovingS: elapsedS, DistanceM: distM, Type: typ}
}

func stub(id string, local time.Time) intervals.Activity {
	return intervals.Activity{ID: id, Source: "STRAVA", StartLocal: local}
}

// wall is a Berlin wall clock in the form stubs carry.
func wall(t time.Time) time.Time { return intervals.WallClock(t.In(berlin)) }

func sess(start time.Time, elapsedS, distM float64, typ string) Session {
	return Session{StartUTC: start, ElapsedS: elapsedS, TimerS: elapsedS, DistanceM: distM, Type: typ}
}

func one(s Session, ext ...string) Candidate {
	return Candidate{ExternalIDs: ext, Sessions: []Session{s}}
}

func TestDecide(t *testing.T) {
	ride90 := sess(t0, 5400, 45000, "VirtualRide")
	for _, tc := range []struct {
		name   string
		acts   []intervals.Activity
		tz     *time.Location
		cand   Candidate
		opts   Options
		want   Outcome
		rule   int
		id     string
		reason string
	}{
		{name: "empty index", cand: one(ride90, "mywhoosh_1"), want: Upload, rule: 7, reason: "not in Intervals.icu yet"},
		{
			name: "external id, zero remote id", acts: []intervals.Activity{{ID: "i1", ExternalID: "igpsport_0", Source: "OAUTH_CLIENT", OAuthClientName: "intervalssync", StartUTC: t0.AddDate(0, 0, -9)}},
			cand: one(ride90, "fitbridge-igpsport-0", "igpsport_0"), want: Duplicate, rule: 2, id: "i1", reason: `from intervalssync (same external id "igpsport_0")`,
		},
		{
			name: "empty external ids never match", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(-48*time.Hour), 5400, 45000, "Ride")},
			cand: one(ride90, ""), want: Upload, rule: 7,
		},
		{
			name: "external id wins over a closer start", acts: []intervals.Activity{
				full("i1", "GARMIN_CONNECT", t0, 5400, 45000, "Ride"),
				{ID: "i2", ExternalID: "zwift_abc", Source: "OAUTH_CLIENT", StartUTC: t0.Add(time.Hour)},
			},
			cand: one(ride90, "zwift_abc"), want: Duplicate, rule: 2, id: "i2",
		},
		{
			name: "garmin copy: +40 s, elapsed +3 %, distance -2 %", acts: []intervals.Activity{full("i1", "GARMIN_CONNECT", t0.Add(40*time.Second), 5400*1.03, 45000*0.98, "Ride")},
			cand: one(ride90), want: Duplicate, rule: 3, id: "i1", reason: "already in Intervals.icu from Garmin Connect (started 40 s apart)",
		},
		{
			name: "same start, 60 % shorter", acts: []intervals.Activity{{ID: "i1", Source: "OAUTH_CLIENT", OAuthClientName: "MyWhoosh", StartUTC: t0.Add(time.Minute), ElapsedS: 5400 * 0.4, MovingS: 5400 * 0.4, Type: "VirtualRide"}},
			cand: one(ride90), want: Probable, rule: 4, id: "i1", reason: "from MyWhoosh that started 1 min apart but lasted 36 min instead of 1 h 30 min",
		},
		{
			name: "same start and duration, distance far off", acts: []intervals.Activity{full("i1", "UPLOAD", t0, 5400, 30000, "Ride")},
			cand: one(ride90), want: Probable, rule: 4, reason: "covered 30.0 km instead of 45.0 km",
		},
		{
			name: "unknown duration on their side", acts: []intervals.Activity{full("i1", "MANUAL", t0, 0, 0, "Ride")},
			cand: one(ride90), want: Probable, rule: 4, reason: "its duration is unknown",
		},
		{
			name: "long pause: timer matches moving time", acts: []intervals.Activity{{ID: "i1", Source: "WAHOO", StartUTC: t0, ElapsedS: 9000, MovingS: 5350, Type: "Ride"}},
			cand: Candidate{Sessions: []Session{{StartUTC: t0, ElapsedS: 6000, TimerS: 5400, DistanceM: 45000, Type: "Ride"}}}, want: Duplicate, rule: 3,
		},
		{
			name: "no distance indoors: only duration counts", acts: []intervals.Activity{full("i1", "ZWIFT", t0, 5400, 0, "VirtualRide")},
			cand: one(ride90), want: Duplicate, rule: 3, reason: "from Zwift (started at the same time)",
		},
		{
			name: "strava stub +2 min, skipped by default", acts: []intervals.Activity{stub("16639341172", wall(t0).Add(2*time.Minute))},
			cand: one(ride90), want: Duplicate, rule: 5, id: "16639341172", reason: "from Strava (started 2 min apart; Strava hides",
		},
		{
			name: "strava stub +2 min, review asked", acts: []intervals.Activity{stub("16639341172", wall(t0).Add(2*time.Minute))},
			cand: one(ride90), opts: Options{ReviewStrava: true}, want: Probable, rule: 5, reason: "probably already in Intervals.icu from Strava",
		},
		{
			name: "strava stub compared in the athlete's zone, not UTC", acts: []intervals.Activity{stub("1", intervals.WallClock(t0))},
			cand: one(ride90), want: Probable, rule: 6, reason: "started exactly 2 h earlier",
		},
		{
			name: "stub exactly 1 h off, same mm:ss", acts: []intervals.Activity{stub("1", wall(t0).Add(time.Hour))},
			cand: one(ride90), want: Probable, rule: 6, reason: "started exactly 1 h later with the same minutes and seconds",
		},
		{
			name: "stub 1 h off within 2 s", acts: []intervals.Activity{stub("1", wall(t0).Add(time.Hour-2*time.Second))},
			cand: one(ride90), want: Probable, rule: 6,
		},
		{
			name: "stub 1 h 3 s off is another ride", acts: []intervals.Activity{stub("1", wall(t0).Add(time.Hour+3*time.Second))},
			cand: one(ride90), want: Upload, rule: 7,
		},
		{
			name: "half-hour zone error", acts: []intervals.Activity{stub("1", wall(t0).Add(-5*time.Hour-30*time.Minute))},
			cand: one(ride90), want: Probable, rule: 6, reason: "5 h 30 min earlier",
		},
		{
			name: "full activity a day off, same mm:ss", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(-24*time.Hour), 5500, 45100, "Ride")},
			cand: one(ride90), want: Probable, rule: 6, reason: "24 h earlier",
		},
		{
			name: "whole hours off but another duration", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(-2*time.Hour), 1800, 15000, "Ride")},
			cand: one(ride90), want: Upload, rule: 7,
		},
		{
			name: "beyond 38 h", acts: []intervals.Activity{stub("1", wall(t0).Add(39*time.Hour))},
			cand: one(ride90), want: Upload, rule: 7,
		},
		{
			name: "a run at the same second is not this ride", acts: []intervals.Activity{full("i1", "GARMIN_CONNECT", t0, 5400, 45000, "Run")},
			cand: one(ride90), want: Upload, rule: 7,
		},
		{
			name: "Workout is compatible with a ride", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(10*time.Second), 5400, 45000, "Workout")},
			cand: one(ride90), want: Duplicate, rule: 3,
		},
		{
			name: "our type unknown", acts: []intervals.Activity{full("i1", "UPLOAD", t0, 5400, 45000, "GravelRide")},
			cand: one(sess(t0, 5400, 45000, "")), want: Duplicate, rule: 3,
		},
		{
			name: "two rides 25 min apart: match the second only", acts: []intervals.Activity{
				full("warmup", "GARMIN_CONNECT", t0, 1200, 8000, "Ride"),
				full("race", "GARMIN_CONNECT", t0.Add(25*time.Minute), 5400, 45000, "Ride"),
			},
			cand: one(sess(t0.Add(25*time.Minute+30*time.Second), 5400, 45000, "Ride")), want: Duplicate, rule: 3, id: "race",
		},
		{
			name: "two rides 4 min apart: duration decides", acts: []intervals.Activity{
				full("warmup", "GARMIN_CONNECT", t0, 1200, 8000, "Ride"),
				full("race", "GARMIN_CONNECT", t0.Add(4*time.Minute), 5400, 45000, "Ride"),
			},
			cand: one(sess(t0.Add(time.Minute), 5400, 45000, "Ride")), want: Duplicate, rule: 3, id: "race",
		},
		{
			name: "smallest start difference wins", acts: []intervals.Activity{
				full("far", "UPLOAD", t0.Add(3*time.Minute), 5400, 45000, "Ride"),
				full("near", "UPLOAD", t0.Add(-time.Minute), 5400, 45000, "Ride"),
				full("nearer-but-other-sport", "UPLOAD", t0.Add(10*time.Second), 5400, 45000, "Swim"),
			},
			cand: one(ride90), want: Duplicate, rule: 3, id: "near",
		},
		{
			name: "full match beats a closer stub", acts: []intervals.Activity{
				stub("s", wall(t0)),
				full("i1", "GARMIN_CONNECT", t0.Add(4*time.Minute), 5400, 45000, "Ride"),
			},
			cand: one(ride90), want: Duplicate, rule: 3, id: "i1",
		},
		{
			name: "short ride: absolute floors", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(5*time.Second), 360+90, 2400, "Ride")},
			cand: one(sess(t0, 360, 2000, "Ride")), want: Duplicate, rule: 3,
		},
		{
			name: "short ride: beyond the floor", acts: []intervals.Activity{full("i1", "UPLOAD", t0.Add(5*time.Second), 540, 2000, "Ride")},
			cand: one(sess(t0, 360, 2000, "Ride")), want: Probable, rule: 4,
		},
		{
			name: "spring forward: stub after the gap still within 5 min", tz: berlin,
			// 01:30Z on 2025-03-30 is 03:30 CEST; a fixed +1 h would say 02:30.
			acts: []intervals.Activity{stub("1", time.Date(2025, 3, 30, 3, 31, 0, 0, time.UTC))},
			cand: one(sess(time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC), 3600, 30000, "Ride")), want: Duplicate, rule: 5,
		},
		{
			name: "fall back: the repeated hour's first pass", acts: []intervals.Activity{stub("1", time.Date(2025, 10, 26, 2, 30, 0, 0, time.UTC))},
			cand: one(sess(time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), 3600, 30000, "Ride")), want: Duplicate, rule: 5,
		},
		{
			name: "fall back: the repeated hour's second pass", acts: []intervals.Activity{stub("1", time.Date(2025, 10, 26, 2, 30, 0, 0, time.UTC))},
			cand: one(sess(time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC), 3600, 30000, "Ride")), want: Duplicate, rule: 5,
		},
		{
			name: "nil zone means UTC", tz: time.UTC, acts: []intervals.Activity{stub("1", intervals.WallClock(t0).Add(time.Minute))},
			cand: one(ride90), want: Duplicate, rule: 5,
		},
		{
			name: "multisport: every part matches", acts: []intervals.Activity{
				full("swim", "GARMIN_CONNECT", t0, 1800, 1500, "OpenWaterSwim"),
				full("bike", "GARMIN_CONNECT", t0.Add(35*time.Minute), 5400, 45000, "Ride"),
			},
			cand: Candidate{Sessions: []Session{sess(t0, 1800, 1500, "Swim"), sess(t0.Add(35*time.Minute), 5400, 45000, "Ride")}},
			want: Duplicate, rule: 3, id: "swim",
		},
		{
			name: "multisport: one part missing needs review", acts: []intervals.Activity{full("bike", "GARMIN_CONNECT", t0.Add(35*time.Minute), 5400, 45000, "Ride")},
			cand: Candidate{Sessions: []Session{sess(t0, 1800, 1500, "Swim"), sess(t0.Add(35*time.Minute), 5400, 45000, "Ride")}},
			want: Probable, rule: 3, id: "bike", reason: "1 of 2 parts: already in Intervals.icu from Garmin Connect",
		},
		{
			name: "no usable start", acts: []intervals.Activity{full("i1", "UPLOAD", t0, 5400, 45000, "Ride")},
			cand: one(Session{ElapsedS: 5400}), want: Upload, rule: 7,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tz := tc.tz
			if tz == nil {
				tz = berlin
			}
			if tc.name == "nil zone means UTC" {
				tz = nil
			}
			d := NewIndex(tc.acts, tz).Decide(tc.cand, tc.opts)
			if d.Outcome != tc.want || d.Rule != tc.rule || (tc.id != "" && d.ActivityID != tc.id) || !strings.Contains(d.Reason, tc.reason) {
				t.Fatalf("got %+v\nwant %s rule %d id %q reason containing %q", d, tc.want, tc.rule, tc.id, tc.reason)
			}
		})
	}
}

func TestDecisionNamesTheSource(t *testing.T) {
	acts := []intervals.Activity{{ID: "i1", Source: "OAUTH_CLIENT", OAuthClientName: "Intervals Companion", StartUTC: t0, ElapsedS: 5400, DistanceM: 45000, Type: "Ride"}}
	d := NewIndex(acts, berlin).Decide(one(sess(t0.Add(-2*time.Minute), 5400, 45000, "Ride")), Options{})
	if d.Source != "OAUTH_CLIENT" || d.Client != "Intervals Companion" || d.Via != "Intervals Companion" || d.Delta != 2*time.Minute ||
		d.Reason != "already in Intervals.icu from Intervals Companion (started 2 min apart)" || len(d.ActivityIDs) != 1 {
		t.Fatalf("%+v", d)
	}
}

func TestAddCatchesALaterCopy(t *testing.T) {
	ix := NewIndex([]intervals.Activity{
		full("a", "UPLOAD", t0.Add(-48*time.Hour), 3600, 30000, "Ride"),
		full("c", "UPLOAD", t0.Add(48*time.Hour), 3600, 30000, "Ride"),
	}, berlin)
	c := one(sess(t0, 5400, 45000, "VirtualRide"), "mywhoosh_9")
	if d := ix.Decide(c, Options{}); d.Outcome != Upload {
		t.Fatalf("before Add: %+v", d)
	}
	ix.Add(full("b", "OAUTH_CLIENT", t0, 5400, 45000, "VirtualRide"))
	ix.Add(full("b", "OAUTH_CLIENT", t0, 5400, 45000, "VirtualRide")) // known ids are ignored
	ix.Add(stub("s", wall(t0).AddDate(0, 0, 5)))
	if ix.Len() != 4 {
		t.Fatalf("len %d", ix.Len())
	}
	// Without the external id the time rules find it: the slice stayed sorted.
	c.ExternalIDs = nil
	if d := ix.Decide(c, Options{}); d.Outcome != Duplicate || d.ActivityID != "b" || d.Rule != 3 {
		t.Fatalf("after Add: %+v", d)
	}
	for i := 1; i < len(ix.full); i++ {
		if ix.full[i].StartUTC.Before(ix.full[i-1].StartUTC) {
			t.Fatal("index not sorted after Add")
		}
	}
}

// The engine fills an empty index row by row from listings (newest first).
func TestAddInBulkThenDecide(t *testing.T) {
	acts := history(20000)
	ix := NewIndex(nil, berlin)
	began := time.Now()
	for i := len(acts) - 1; i >= 0; i-- {
		ix.Add(acts[i])
	}
	probe := acts[6001] // a full activity
	d := ix.Decide(one(sess(probe.StartUTC.Add(30*time.Second), 3600, 30000, "Ride")), Options{})
	if el := time.Since(began); el > 5*time.Second { // one sorted insert per add moves gigabytes
		t.Fatalf("20000 adds and a decision took %v", el)
	}
	if d.Outcome != Duplicate || d.ActivityID != probe.ID || ix.Len() != len(acts) {
		t.Fatalf("%+v, len %d", d, ix.Len())
	}
	want := NewIndex(acts, berlin)
	if !slices.EqualFunc(ix.full, want.full, func(a, b intervals.Activity) bool { return a.ID == b.ID }) ||
		!slices.EqualFunc(ix.stubs, want.stubs, func(a, b intervals.Activity) bool { return a.ID == b.ID }) {
		t.Fatal("adding one by one and indexing at once disagree")
	}
}

func TestCompatible(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Ride", "VirtualRide", true},
		{"GravelRide", "EBikeRide", true},
		{"Run", "TrailRun", true},
		{"Swim", "OpenWaterSwim", true},
		{"Ride", "Run", false},
		{"Ride", "Other", true},
		{"Workout", "Swim", true},
		{"", "Rowing", true},
		{"Yoga", "Yoga", true},
		{"Yoga", "Ride", false},
	} {
		if got := Compatible(tc.a, tc.b); got != tc.want || Compatible(tc.b, tc.a) != tc.want {
			t.Errorf("Compatible(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestDecideIsFastOnALargeHistory(t *testing.T) {
	acts := history(20000)
	ix := NewIndex(acts, berlin)
	began := time.Now()
	for i := range 5000 {
		ix.Decide(one(sess(t0.Add(time.Duration(i)*7*time.Hour+13*time.Second), 3600, 30000, "Ride")), Options{})
	}
	if el := time.Since(began); el > 3*time.Second { // about 10 ms without the race detector
		t.Fatalf("5000 decisions over 20000 activities took %v", el)
	}
}

// history is years of rides twice a day with a Strava stub for each third.
func history(n int) []intervals.Activity {
	acts := make([]intervals.Activity, 0, n)
	for i := range n {
		start := t0.Add(time.Duration(i) * 12 * time.Hour)
		if i%3 == 0 {
			acts = append(acts, stub(fmt.Sprint(1e10+i), wall(start)))
			continue
		}
		acts = append(acts, full(fmt.Sprintf("i%d", i), "GARMIN_CONNECT", start, 3600, 30000, "Ride"))
	}
	return acts
}

func BenchmarkDecide(b *testing.B) {
	ix := NewIndex(history(20000), berlin)
	c := one(sess(t0.Add(500*12*time.Hour+90*time.Second), 3600, 30000, "Ride"))
	for b.Loop() {
		ix.Decide(c, Options{})
	}
}

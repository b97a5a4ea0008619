package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
)

// platform is one cloud service's fake as the shared harness drives it.
type platform interface {
	name() string
	// start seeds n activities over the last years and serves them.
	start(t *testing.T, n int, faults *fakes.Faults) (envKey, url string)
	// secret is a fresh session for `connect <name> --token-stdin`.
	secret() string
	connectArgs() []string
	// expire makes every session handed out so far invalid.
	expire()
	// expectDone is how many activities must end in Intervals.icu
	// (uploaded or already there); expectSkipped those with no file.
	expectDone() int
	expectSkipped() int
	// seedIntervals puts some of them in Intervals.icu the way another
	// link would have, and says how many.
	seedIntervals(ivl *intervalsfake.Server) int
}

var twoYears = func() (time.Time, time.Time) {
	to := time.Now().UTC().Add(-24 * time.Hour)
	return to.AddDate(-2, 0, 0), to
}

// --- MyWhoosh ---

type myWhoosh struct {
	f     *mywhooshfake.Server
	rides []mywhooshfake.Ride
	opts  mywhooshfake.Options // the fake's alternative behaviours
	// password connects with the API login instead of a pasted token.
	password bool
}

func (p *myWhoosh) name() string { return "mywhoosh" }
func (p *myWhoosh) start(t *testing.T, n int, faults *fakes.Faults) (string, string) {
	o := p.opts
	o.Faults = faults
	p.f = mywhooshfake.New(o)
	url := p.f.Start()
	t.Cleanup(p.f.Close)
	from, to := twoYears()
	p.rides = p.f.Seed(n, from, to, rand.New(rand.NewSource(3)))
	return "FITBRIDGE_MYWHOOSH_URL", url
}
func (p *myWhoosh) secret() string {
	if p.password {
		return mywhooshfake.DefaultPassword + "\n"
	}
	return p.f.IssueToken()
}
func (p *myWhoosh) connectArgs() []string {
	if p.password {
		return []string{"connect", "mywhoosh", "--username", mywhooshfake.DefaultEmail, "--password-stdin"}
	}
	return []string{"connect", "mywhoosh", "--token-stdin"}
}
func (p *myWhoosh) expire()         { p.f.ExpireTokens() }
func (p *myWhoosh) expectDone() int { return len(p.rides) - p.expectSkipped() }
func (p *myWhoosh) expectSkipped() int {
	n := 0
	for _, r := range p.rides {
		if !r.HasFile() {
			n++
		}
	}
	return n
}

// The native MyWhoosh link uploaded the most recent rides as its own files.
func (p *myWhoosh) seedIntervals(ivl *intervalsfake.Server) int {
	n := 0
	for i := len(p.rides) - 1; i >= 0 && n < 30; i-- {
		r := p.rides[i]
		if !r.HasFile() {
			continue
		}
		native := r.NativeCopy(4 * time.Second)
		sum := sha256.Sum256(native)
		ivl.AddActivity(intervalsfake.Activity{StartDate: r.Start.Add(4 * time.Second), ElapsedTime: int(r.Duration.Seconds()), Distance: r.DistanceKm * 1000,
			Type: "VirtualRide", Source: "OAUTH_CLIENT", OAuthClientName: "MyWhoosh", Name: r.Title, FileHash: hex.EncodeToString(sum[:])})
		n++
	}
	return n
}

// --- iGPSport ---

type iGPSport struct {
	f     *igpsportfake.Server
	rides []igpsportfake.Ride
	// opts are the fake's alternative behaviours; its Region is the one connected (default intl).
	opts igpsportfake.Options
}

func (p *iGPSport) region() string {
	if p.opts.Region == "" {
		return "intl"
	}
	return p.opts.Region
}

func (p *iGPSport) name() string { return "igpsport" }
func (p *iGPSport) start(t *testing.T, n int, faults *fakes.Faults) (string, string) {
	// Strict storage: a bearer sent to storage fails the downloads here.
	o := p.opts
	o.Region, o.Faults, o.StrictStorageAuth = p.region(), faults, true
	p.f = igpsportfake.New(o)
	url := p.f.Start()
	t.Cleanup(p.f.Close)
	from, to := twoYears()
	p.rides = p.f.Seed(n, from, to, rand.New(rand.NewSource(5)))
	return "FITBRIDGE_IGPSPORT_URL", url
}
func (p *iGPSport) secret() string { return p.f.Token() }
func (p *iGPSport) connectArgs() []string {
	return []string{"connect", "igpsport", "--region", p.region(), "--token-stdin"}
}
func (p *iGPSport) expire()            { p.f.ExpireTokens() }
func (p *iGPSport) expectDone() int    { return len(p.rides) }
func (p *iGPSport) expectSkipped() int { return 0 }

// intervalssync already uploaded a few, under its igpsport_<rideId> key; and
// ride 0 among them (a real id, not "missing").
func (p *iGPSport) seedIntervals(ivl *intervalsfake.Server) int {
	n := 0
	for _, r := range p.rides {
		if r.RideID != 0 && n >= 5 {
			continue
		}
		ivl.AddActivity(intervalsfake.Activity{StartDate: r.Start.Add(-3 * time.Hour), ElapsedTime: 60, Distance: 100, Type: "Ride",
			Source: "OAUTH_CLIENT", OAuthClientName: "intervalssync", ExternalID: "igpsport_" + strconv.FormatInt(r.RideID, 10)})
		n++
	}
	return n
}

// --- TrainingPeaks ---

type trainingPeaks struct {
	f    *trainingpeaksfake.Server
	opts trainingpeaksfake.Options // the fake's alternative behaviours
}

func (p *trainingPeaks) name() string { return "trainingpeaks" }
func (p *trainingPeaks) start(t *testing.T, n int, faults *fakes.Faults) (string, string) {
	o := p.opts
	o.Faults = faults
	p.f = trainingpeaksfake.New(o)
	url := p.f.Start()
	t.Cleanup(p.f.Close)
	to := time.Now().UTC().Add(-24 * time.Hour)
	p.f.Seed(n, to.AddDate(-3, 0, 0), to, rand.New(rand.NewSource(7)))
	return "FITBRIDGE_TRAININGPEAKS_URL", url
}
func (p *trainingPeaks) secret() string { return p.f.IssueCookie() }
func (p *trainingPeaks) connectArgs() []string {
	return []string{"connect", "trainingpeaks", "--cookie-stdin"}
}
func (p *trainingPeaks) expire() { p.f.RevokeCookie() }
func (p *trainingPeaks) expectDone() int {
	n := 0
	for _, w := range p.f.Workouts() {
		if w.Kind.HasFile() {
			n++
		}
	}
	return n
}
func (p *trainingPeaks) expectSkipped() int {
	n := 0
	for _, w := range p.f.Workouts() {
		if w.Kind.Completed() && !w.Kind.HasFile() {
			n++
		}
	}
	return n
}
func (p *trainingPeaks) seedIntervals(ivl *intervalsfake.Server) int { return 0 }

func platforms() []platform {
	return []platform{&myWhoosh{}, &iGPSport{}, &trainingPeaks{}}
}

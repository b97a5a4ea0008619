package soak

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"sync"
	"time"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/fitfile"
)

// The fakes run in a child process (this test binary again, started with
// childEnv=1). They keep a log of every request they answer, and the
// TrainingPeaks one answers ~110 calls per pass: in-process, that log alone
// would grow the heap by tens of MB and hide what FitBridge itself holds.
// Apart, they also keep their sockets and goroutines out of the counts.
const childEnv = "FITBRIDGE_SOAK_FAKES"

// Credentials the fakes accept.
const (
	athleteID   = "i12345"
	apiKey      = "soak-api-key"
	igpsUser    = "rider@example.com"
	igpsPass    = "correct horse"
	igpsRegion  = igpsportfake.RegionIntl
	mwEmail     = mywhooshfake.DefaultEmail
	mwPassword  = mywhooshfake.DefaultPassword
	historyRng  = 42
	faultSeed   = 7
	rideMinutes = 60
)

// hello is the child's first line: where each fake listens.
type hello struct {
	Intervals, MyWhoosh, IGPSport, TrainingPeaks string
	TPCookie                                     string
}

// command is one line the parent sends; reply is the child's answer.
type command struct {
	Op     string    // add, faults, expire, cookie, uploads, report
	Source string    // add, expire
	Start  time.Time // add
	K      int       // add: the ride's number, for unique ids and bytes
	Rate   float64   // faults: share of API requests answered 500 or 429
	// Since bounds "report": only activities starting after it count.
	Since time.Time
}

type reply struct {
	Error    string         `json:",omitempty"`
	Cookie   string         `json:",omitempty"`
	Uploads  int            // Intervals.icu uploads that created an activity
	Injected int64          // faults answered so far, all fakes
	Starts   []time.Time    `json:",omitempty"` // report: Intervals.icu activity starts after Since
	Requests map[string]int `json:",omitempty"` // report: requests each fake answered
}

// world is the fakes, in the child.
type world struct {
	ivl    *intervalsfake.Server
	mw     *mywhooshfake.Server
	ig     *igpsportfake.Server
	tp     *trainingpeaksfake.Server
	faults []*fakes.Faults
}

// runFakes is the child's main: it serves the fakes and answers the
// parent's commands until its standard input closes.
func runFakes(in io.Reader, out io.Writer) int {
	historyEnd, err := time.Parse(time.RFC3339, os.Getenv(childEnv+"_HISTORY_END"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak fakes: no history end:", err)
		return 2
	}
	w := startWorld(historyEnd)
	defer w.close()
	enc := json.NewEncoder(out)
	if err := enc.Encode(hello{
		Intervals: w.ivl.Start(), MyWhoosh: w.mw.Start(), IGPSport: w.ig.Start(), TrainingPeaks: w.tp.Start(),
		TPCookie: w.tp.IssueCookie(),
	}); err != nil {
		return 1
	}
	dec := json.NewDecoder(bufio.NewReader(in))
	for {
		var c command
		if err := dec.Decode(&c); err != nil {
			return 0 // the parent closed the pipe: the soak is over
		}
		if err := enc.Encode(w.do(c)); err != nil {
			return 1
		}
	}
}

func startWorld(historyEnd time.Time) *world {
	from := historyEnd.AddDate(-2, 0, 0)
	rng := rand.New(rand.NewSource(historyRng))
	w := &world{}
	for range 4 {
		w.faults = append(w.faults, fakes.NewFaults(faultSeed+int64(len(w.faults))))
	}
	w.ivl = intervalsfake.New(intervalsfake.Options{APIKey: apiKey, AthleteID: athleteID, Summarize: summarize, Faults: w.faults[0]})
	w.mw = mywhooshfake.New(mywhooshfake.Options{Faults: w.faults[1]})
	w.mw.Seed(30, from, historyEnd, rng)
	w.ig = igpsportfake.New(igpsportfake.Options{Faults: w.faults[2], StrictStorageAuth: true})
	w.ig.Seed(20, from, historyEnd, rng)
	w.tp = trainingpeaksfake.New(trainingpeaksfake.Options{Faults: w.faults[3]})
	w.tp.Seed(20, from, historyEnd, rng)
	return w
}

func (w *world) close() {
	w.ivl.Close()
	w.mw.Close()
	w.ig.Close()
	w.tp.Close()
}

func (w *world) do(c command) reply {
	var r reply
	switch c.Op {
	case "add":
		if err := w.add(c.Source, c.Start, c.K); err != nil {
			r.Error = err.Error()
		}
	case "faults":
		for _, f := range w.faults {
			f.Set(c.Rate*0.6, c.Rate*0.4)
		}
	case "expire":
		switch c.Source {
		case "mywhoosh":
			w.mw.ExpireTokens()
		case "igpsport":
			w.ig.ExpireTokens()
		case "trainingpeaks":
			w.tp.RevokeCookie()
		default:
			r.Error = "cannot expire " + c.Source
		}
	case "cookie":
		r.Cookie = w.tp.IssueCookie()
	case "uploads":
	case "report":
		for _, a := range w.ivl.Activities() {
			if a.StartDate.After(c.Since) {
				r.Starts = append(r.Starts, a.StartDate)
			}
		}
		st := w.mw.Stats()
		r.Requests = map[string]int{
			"intervals":     len(w.ivl.Requests()),
			"mywhoosh":      st.Logins + st.LoginsRejected + st.ListCalls + st.LinkCalls + st.Downloads + st.Unauthorized + st.BadRequests,
			"igpsport":      len(w.ig.Requests()),
			"trainingpeaks": len(w.tp.Requests()),
		}
	default:
		r.Error = "unknown command " + c.Op
	}
	r.Uploads = w.ivl.UploadCount()
	for _, f := range w.faults {
		r.Injected += f.Injected()
	}
	return r
}

// add puts one new ride on a cloud platform, as if the rider had just
// finished it there.
func (w *world) add(src string, start time.Time, k int) error {
	switch src {
	case "mywhoosh":
		w.mw.AddRide(mywhooshfake.Ride{Title: fmt.Sprintf("Soak ride %d", k), RouteName: "Yas Marina Circuit", Start: start,
			Duration: rideMinutes * time.Minute, DistanceKm: 32, Elevation: 120, Watt: 210, HeartRate: 142, WeightKg: 72, Serial: uint32(900000 + k)})
	case "igpsport":
		w.ig.AddRide(igpsportfake.Ride{RideID: int64(60_000_000 + k), Title: "Outdoor Ride", Start: start,
			Duration: rideMinutes * time.Minute, DistanceM: 28000, ProductName: "iGS630"}, nil)
	case "trainingpeaks":
		rng := rand.New(rand.NewSource(int64(k)))
		wk := w.tp.NewWorkout(rng, w.tp.PrimaryAthlete(), trainingpeaksfake.KindFIT, start.In(w.tp.Location()))
		w.tp.Add(wk)
	default:
		return fmt.Errorf("no fake for %s", src)
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

// fakesProc is the parent's handle on the child.
type fakesProc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	enc   *json.Encoder
	dec   *json.Decoder
	mu    sync.Mutex
	hello hello
}

func startFakes(historyEnd time.Time) (*fakesProc, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childEnv+"_HISTORY_END="+historyEnd.Format(time.RFC3339))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &fakesProc{cmd: cmd, in: in, enc: json.NewEncoder(in), dec: json.NewDecoder(out)}
	if err := p.dec.Decode(&p.hello); err != nil {
		p.stop()
		return nil, fmt.Errorf("fakes did not start: %w", err)
	}
	return p, nil
}

func (p *fakesProc) call(c command) (reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var r reply
	if err := p.enc.Encode(c); err != nil {
		return r, fmt.Errorf("fakes %s: %w", c.Op, err)
	}
	if err := p.dec.Decode(&r); err != nil {
		return r, fmt.Errorf("fakes %s: %w", c.Op, err)
	}
	if r.Error != "" {
		return r, fmt.Errorf("fakes %s: %s", c.Op, r.Error)
	}
	return r, nil
}

// stop ends the child and waits for it, so no process is left behind.
func (p *fakesProc) stop() error {
	p.in.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		return <-done
	}
}

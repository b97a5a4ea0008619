// Package plan is the shape of a planned workout as FitBridge carries it from
// the Intervals.icu calendar to the places a rider rides (a trainer app's
// workout folder, a head unit's account), and the contract each of those
// places fulfils. It knows no platform: each one declares what it accepts and
// the engine adapts a workout to that before handing it over.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Workout is one planned workout on one day.
type Workout struct {
	ID          string    `json:"id"`   // the calendar event's id
	Date        time.Time `json:"date"` // the planned day, midnight in the rider's own zone
	Name        string    `json:"name"`
	Sport       string    `json:"sport"` // Intervals.icu type: Ride, VirtualRide, Run...
	Description string    `json:"description,omitempty"`
	Steps       []Step    `json:"steps"`
	// Duration is the planned length in seconds the calendar gives, which a
	// workout without steps still has.
	Duration int `json:"duration,omitempty"`
	// FTP and LTHR are the rider's thresholds the plan was written against,
	// for turning absolute targets into relative ones and back. Zero when
	// the calendar did not say.
	FTP  int `json:"ftp,omitempty"`
	LTHR int `json:"lthr,omitempty"`
}

// Step is one step of a workout, or a repeated block of steps.
type Step struct {
	Text     string  `json:"text,omitempty"`     // the step's label or a cue for the rider
	Seconds  int     `json:"seconds,omitempty"`  // how long; 0 with Distance or an open step
	Distance float64 `json:"distance,omitempty"` // metres, for a distance step
	Reps     int     `json:"reps,omitempty"`     // >0: Steps repeated Reps times
	Steps    []Step  `json:"steps,omitempty"`
	Warmup   bool    `json:"warmup,omitempty"`
	Cooldown bool    `json:"cooldown,omitempty"`
	Ramp     bool    `json:"ramp,omitempty"`     // Power goes from Low to High over the step
	FreeRide bool    `json:"freeride,omitempty"` // no target: ride as you feel
	Open     bool    `json:"open,omitempty"`     // ends when the rider presses lap
	Power    *Range  `json:"power,omitempty"`
	HR       *Range  `json:"hr,omitempty"`
	Cadence  *Range  `json:"cadence,omitempty"`
	Pace     *Range  `json:"pace,omitempty"`
	// Unread are targets in a unit FitBridge cannot turn into numbers (a
	// pace zone, say), as the rider reads them: "pace zone 2". They reach
	// the rider as cues and are listed as changes, never dropped unsaid.
	Unread []string `json:"unread,omitempty"`
}

// Range is a target value, or a range of them, in one unit.
type Range struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"` // equal to Low for a single value
	Unit Unit    `json:"unit"`
}

// Unit says what a target's numbers mean.
type Unit string

const (
	PercentFTP  Unit = "%ftp"  // power as a percentage of FTP
	Watts       Unit = "w"     // absolute power
	PercentLTHR Unit = "%lthr" // heart rate as a percentage of threshold heart rate
	PercentHRM  Unit = "%hr"   // heart rate as a percentage of maximum heart rate
	BPM         Unit = "bpm"   // absolute heart rate
	RPM         Unit = "rpm"   // cadence
	PercentPace Unit = "%pace" // pace as a percentage of threshold pace
)

// IsRange reports whether the target spans more than one value.
func (t Range) IsRange() bool { return t.High != t.Low }

// Mid is the middle of the target.
func (t Range) Mid() float64 { return (t.Low + t.High) / 2 }

// Seconds is the workout's planned length, repeats counted, distance and
// open steps not (they have no time of their own).
func (w Workout) Seconds() int { return stepsSeconds(w.Steps) }

func stepsSeconds(steps []Step) int {
	total := 0
	for _, s := range steps {
		if s.Reps > 0 {
			total += s.Reps * stepsSeconds(s.Steps)
			continue
		}
		total += s.Seconds
	}
	return total
}

// Fingerprint identifies a workout's content: the same fingerprint means
// nothing a delivery carries has changed, so nothing is written again.
func (w Workout) Fingerprint() string {
	b, _ := json.Marshal(w) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

package plan

import (
	"fitbridge/backend/reason"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Accepts is what a place that takes workouts can express. The engine adapts
// every workout to it before delivery and lists what it had to change, so
// nothing is dropped without the rider being told.
type Accepts struct {
	// Sports are the Intervals.icu types taken; empty means every sport.
	Sports []string
	// PowerUnits are the power units kept as they are (the others are
	// converted through the rider's FTP); empty means no power targets.
	PowerUnits  []Unit
	PowerRanges bool // a range is kept; otherwise its middle is used
	Ramps       bool // a ramp is kept; otherwise a steady range or middle
	// HRUnits are the heart-rate units kept; empty means heart rate cannot
	// be a target (the step becomes a free ride with the target as a cue).
	HRUnits       []Unit
	Cadence       bool // cadence targets are kept
	CadenceRanges bool
	Pace          bool
	Text          bool // step labels and cues are shown to the rider
	Distance      bool // distance steps; otherwise they become timed steps
	Open          bool // steps ended by a lap press
}

// CyclingSports are the Intervals.icu types ridden on a bike, the ones a
// bike computer or a cycling trainer app takes (intervalssync's list).
var CyclingSports = []string{"Ride", "VirtualRide", "GravelRide", "MountainBikeRide", "Cyclocross", "TrackRide", "EBikeRide", "EMountainBikeRide", "Handcycle", "Velomobile"}

// TakesSport reports whether the place takes workouts of this sport.
func (a Accepts) TakesSport(sport string) bool {
	return len(a.Sports) == 0 || slices.Contains(a.Sports, sport)
}

// Speeds used to give a distance step a duration where only time is taken:
// an easy pace, so the step is rather too long than cut short.
const (
	rideSpeed = 30.0 / 3.6 // m/s
	runSpeed  = 10.0 / 3.6
)

// openStepSeconds replaces a lap-press step where laps cannot end a step.
const openStepSeconds = 600

// Adapt returns the workout as the place can take it and, in order and each
// said once, what was changed to get there.
func Adapt(w Workout, a Accepts) (Workout, []string) {
	ad := &adapter{accepts: a, workout: w}
	out := w
	if len(w.Steps) == 0 && w.Duration > 0 {
		// A workout planned by its length alone is ridden as it comes.
		ad.note(reason.ChangeFreeRide, durationText(w.Duration))
		out.Steps = []Step{{Seconds: w.Duration, FreeRide: true}}
		return out, ad.changes
	}
	out.Steps = ad.steps(w.Steps)
	return out, ad.changes
}

type adapter struct {
	accepts Accepts
	workout Workout
	changes []string
}

func (ad *adapter) note(change reason.Template, args ...any) {
	msg := change.Text(args...)
	if !slices.Contains(ad.changes, msg) {
		ad.changes = append(ad.changes, msg)
	}
}

func (ad *adapter) steps(in []Step) []Step {
	if in == nil {
		return nil
	}
	out := make([]Step, 0, len(in))
	for _, s := range in {
		out = append(out, ad.step(s))
	}
	return out
}

func (ad *adapter) step(s Step) Step {
	a := ad.accepts
	if s.Reps > 0 {
		s.Steps = ad.steps(s.Steps)
		return s
	}
	var cues []string
	for _, u := range s.Unread {
		cues = append(cues, u)
		ad.note(reason.ChangeUnreadTarget, u)
	}
	s.Unread = nil
	if s.Distance > 0 && !a.Distance {
		speed, how := rideSpeed, "30 km/h"
		if strings.Contains(ad.workout.Sport, "Run") {
			speed, how = runSpeed, "10 km/h"
		}
		s.Seconds = int(math.Round(s.Distance / speed))
		ad.note(reason.ChangeDistanceStep, distanceText(s.Distance), durationText(s.Seconds), how)
		s.Distance = 0
	}
	if s.Open && !a.Open {
		s.Open = false
		if s.Seconds == 0 {
			s.Seconds = openStepSeconds
		}
		ad.note(reason.ChangeLapPress, durationText(s.Seconds))
	}
	if s.Power != nil {
		s.Power, s.Ramp = ad.power(*s.Power, s.Ramp)
	}
	if s.HR != nil {
		if hr, ok := ad.heartRate(*s.HR); ok && s.Power == nil {
			s.HR = hr
		} else {
			cue := "heart rate " + targetText(*s.HR)
			if s.Power != nil {
				ad.note(reason.ChangeHRDropped)
			} else {
				cues = append(cues, cue)
				s.FreeRide = true
				ad.note(reason.ChangeHRFreeRide, cue)
			}
			s.HR = nil
		}
	}
	if s.Pace != nil && !a.Pace {
		cue := "pace " + targetText(*s.Pace)
		cues = append(cues, cue)
		if s.Power == nil && s.HR == nil {
			s.FreeRide = true
		}
		ad.note(reason.ChangePaceCue, cue)
		s.Pace = nil
	}
	if s.Cadence != nil {
		switch {
		case !a.Cadence:
			cue := "cadence " + targetText(*s.Cadence)
			cues = append(cues, cue)
			ad.note(reason.ChangeCadenceCue, cue)
			s.Cadence = nil
		case s.Cadence.IsRange() && !a.CadenceRanges:
			mid := math.Round(s.Cadence.Mid())
			ad.note(reason.ChangeCadenceMiddle, targetText(*s.Cadence), targetText(Range{Low: mid, High: mid, Unit: RPM}))
			s.Cadence = &Range{Low: mid, High: mid, Unit: RPM}
		}
	}
	if len(cues) > 0 {
		if a.Text {
			if s.Text != "" {
				cues = append([]string{s.Text}, cues...)
			}
			s.Text = strings.Join(cues, " · ")
		} else {
			ad.note(reason.ChangeNoCues, strings.Join(cues, ", "))
		}
	}
	if !a.Text && s.Text != "" {
		ad.note(reason.ChangeNoLabels)
		s.Text = ""
	}
	if s.Power == nil && s.HR == nil && s.Pace == nil {
		s.FreeRide = true
	}
	return s
}

// power converts a power target to what the place takes; the bool is
// whether the step stays a ramp.
func (ad *adapter) power(t Range, ramp bool) (*Range, bool) {
	a := ad.accepts
	if len(a.PowerUnits) == 0 {
		ad.note(reason.ChangeNoPower)
		return nil, false
	}
	if !slices.Contains(a.PowerUnits, t.Unit) {
		conv, ok := convertPower(t, a.PowerUnits, ad.workout.FTP)
		if !ok {
			ad.note(reason.ChangePowerNoFTP, targetText(t))
			return nil, false
		}
		t = conv
	}
	if ramp && !a.Ramps {
		if a.PowerRanges {
			ad.note(reason.ChangeRampRanges, targetText(t))
		} else {
			mid := roundTarget(t.Mid(), t.Unit)
			ad.note(reason.ChangeRampMiddle, targetText(t), targetText(Range{Low: mid, High: mid, Unit: t.Unit}))
			t = Range{Low: mid, High: mid, Unit: t.Unit}
		}
		ramp = false
	}
	if !ramp && t.IsRange() && !a.PowerRanges {
		mid := roundTarget(t.Mid(), t.Unit)
		ad.note(reason.ChangePowerMiddle, targetText(t), targetText(Range{Low: mid, High: mid, Unit: t.Unit}))
		t = Range{Low: mid, High: mid, Unit: t.Unit}
	}
	return &t, ramp
}

func convertPower(t Range, to []Unit, ftp int) (Range, bool) {
	if ftp <= 0 {
		return t, false
	}
	switch {
	case t.Unit == Watts && slices.Contains(to, PercentFTP):
		f := 100 / float64(ftp)
		return Range{Low: math.Round(t.Low * f), High: math.Round(t.High * f), Unit: PercentFTP}, true
	case t.Unit == PercentFTP && slices.Contains(to, Watts):
		f := float64(ftp) / 100
		return Range{Low: math.Round(t.Low * f), High: math.Round(t.High * f), Unit: Watts}, true
	}
	return t, false
}

// heartRate returns the heart-rate target as the place takes it, converting
// %LTHR to beats per minute when only those are taken and LTHR is known.
func (ad *adapter) heartRate(t Range) (*Range, bool) {
	a := ad.accepts
	if slices.Contains(a.HRUnits, t.Unit) {
		return &t, true
	}
	if t.Unit == PercentLTHR && slices.Contains(a.HRUnits, BPM) && ad.workout.LTHR > 0 {
		f := float64(ad.workout.LTHR) / 100
		return &Range{Low: math.Round(t.Low * f), High: math.Round(t.High * f), Unit: BPM}, true
	}
	return nil, false
}

func roundTarget(v float64, u Unit) float64 {
	if u == Watts || u == RPM || u == BPM {
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}

// targetText writes a target the way a rider reads it: "88–94% FTP", "250 W".
func targetText(t Range) string {
	num := func(v float64) string {
		if v == math.Trunc(v) {
			return fmt.Sprintf("%.0f", v)
		}
		return fmt.Sprintf("%.1f", v)
	}
	val := num(t.Low)
	if t.IsRange() {
		val += "–" + num(t.High)
	}
	switch t.Unit {
	case PercentFTP:
		return val + "% FTP"
	case Watts:
		return val + " W"
	case PercentLTHR:
		return val + "% LTHR"
	case PercentHRM:
		return val + "% max HR"
	case BPM:
		return val + " bpm"
	case RPM:
		return val + " rpm"
	case PercentPace:
		return val + "% threshold pace"
	}
	return val + " " + string(t.Unit)
}

func distanceText(m float64) string {
	if m >= 1000 {
		return fmt.Sprintf("%.1f km", m/1000)
	}
	return fmt.Sprintf("%.0f m", m)
}

// durationText is "1h 18m", "58m", "45s": the format used everywhere.
func durationText(sec int) string {
	h, m, s := sec/3600, sec%3600/60, sec%60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	case m > 0 && s > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", s)
}

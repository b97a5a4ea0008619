package folder

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fitbridge/backend/plan"
)

// zwiftAccepts is what a Zwift workout file (.zwo) can say: power as a
// fraction of FTP, one value per steady step, ramps, one cadence, text
// cues shown at a time offset; no heart-rate targets, no distance steps.
var zwiftAccepts = plan.Accepts{
	Sports:     append(slices.Clone(plan.CyclingSports), "Run", "VirtualRun"),
	PowerUnits: []plan.Unit{plan.PercentFTP},
	Ramps:      true,
	Cadence:    true,
	Text:       true,
}

// zwoFile is a Zwift workout file's root.
type zwoFile struct {
	XMLName     xml.Name     `xml:"workout_file"`
	Author      string       `xml:"author"`
	Name        string       `xml:"name"`
	Description string       `xml:"description"`
	SportType   string       `xml:"sportType"`
	Tags        struct{}     `xml:"tags"`
	Steps       []zwoElement `xml:"workout>step"`
}

// zwoElement is one element inside <workout>; its XML name is the kind.
type zwoElement struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Messages []zwoText  `xml:"textevent"`
}

type zwoText struct {
	Offset  int    `xml:"timeoffset,attr"`
	Message string `xml:"message,attr"`
}

// encodeZWO writes an adapted workout as a .zwo file. name is what Zwift
// lists; it starts with the date so the list sorts by day.
func encodeZWO(w plan.Workout, name string) ([]byte, error) {
	f := zwoFile{Author: "FitBridge", Name: name, Description: w.Description, SportType: "bike"}
	if strings.Contains(w.Sport, "Run") {
		f.SportType = "run"
	}
	f.Steps = zwoSteps(w.Steps)
	if len(f.Steps) == 0 {
		return nil, fmt.Errorf("the workout has no steps a Zwift workout file can hold")
	}
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func zwoSteps(steps []plan.Step) []zwoElement {
	var out []zwoElement
	for _, s := range steps {
		if s.Reps > 0 {
			if set, ok := intervalPair(s); ok {
				out = append(out, set)
				continue
			}
			inner := zwoSteps(s.Steps)
			for range s.Reps {
				out = append(out, inner...)
			}
			continue
		}
		if s.Seconds <= 0 {
			continue
		}
		out = append(out, zwoStep(s))
	}
	return out
}

// intervalPair writes a repeat of one on and one off step as Zwift's own
// IntervalsT, which shows the set as one block with its count.
func intervalPair(s plan.Step) (zwoElement, bool) {
	if len(s.Steps) != 2 {
		return zwoElement{}, false
	}
	on, off := s.Steps[0], s.Steps[1]
	if on.Reps > 0 || off.Reps > 0 || on.Ramp || off.Ramp || on.Power == nil || off.Power == nil || on.Seconds <= 0 || off.Seconds <= 0 {
		return zwoElement{}, false
	}
	e := zwoElement{XMLName: xml.Name{Local: "IntervalsT"}}
	e.attr("Repeat", strconv.Itoa(s.Reps))
	e.attr("OnDuration", strconv.Itoa(on.Seconds))
	e.attr("OffDuration", strconv.Itoa(off.Seconds))
	e.attr("OnPower", fraction(on.Power.Low))
	e.attr("OffPower", fraction(off.Power.Low))
	if on.Cadence != nil {
		e.attr("Cadence", strconv.Itoa(int(on.Cadence.Low)))
	}
	if off.Cadence != nil {
		e.attr("CadenceResting", strconv.Itoa(int(off.Cadence.Low)))
	}
	e.text(on.Text)
	if off.Text != "" {
		e.Messages = append(e.Messages, zwoText{Offset: on.Seconds, Message: off.Text})
	}
	return e, true
}

func zwoStep(s plan.Step) zwoElement {
	var e zwoElement
	switch {
	case s.FreeRide || s.Power == nil:
		e.XMLName.Local = "FreeRide"
		e.attr("Duration", strconv.Itoa(s.Seconds))
		e.attr("FlatRoad", "1")
	case s.Ramp || s.Warmup || s.Cooldown:
		kind := "Ramp"
		if s.Warmup {
			kind = "Warmup"
		} else if s.Cooldown {
			kind = "Cooldown"
		}
		e.XMLName.Local = kind
		e.attr("Duration", strconv.Itoa(s.Seconds))
		e.attr("PowerLow", fraction(s.Power.Low))
		e.attr("PowerHigh", fraction(s.Power.High))
	default:
		e.XMLName.Local = "SteadyState"
		e.attr("Duration", strconv.Itoa(s.Seconds))
		e.attr("Power", fraction(s.Power.Low))
	}
	if s.Cadence != nil {
		e.attr("Cadence", strconv.Itoa(int(s.Cadence.Low)))
	}
	e.text(s.Text)
	return e
}

func (e *zwoElement) attr(name, value string) {
	e.Attrs = append(e.Attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

func (e *zwoElement) text(msg string) {
	if msg = strings.TrimSpace(msg); msg != "" {
		e.Messages = append(e.Messages, zwoText{Offset: 0, Message: msg})
	}
}

// fraction turns a percentage of FTP into Zwift's fraction: 88 -> "0.88".
func fraction(percent float64) string {
	return strconv.FormatFloat(percent/100, 'f', -1, 64)
}

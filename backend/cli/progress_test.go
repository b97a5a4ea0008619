package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
	"fitbridge/backend/source"
	_ "fitbridge/backend/source/all"
)

// The terminal's progress line shows a listing's page and count whole for
// every online platform, even a long history (page 2000 of 40,000 rides),
// and a folder's count (a folder has no pages): the line cuts what is
// current to keep to one terminal row.
func TestProgressLineShowsTheListingPage(t *testing.T) {
	for _, d := range source.All() {
		t.Run(d.Name, func(t *testing.T) {
			step := fmt.Sprintf("listing %s: page 2000, 40000 found", d.DisplayName)
			if d.Kind != source.KindCloud {
				step = fmt.Sprintf("listing %s: 40000 found", d.DisplayName)
			}
			var out bytes.Buffer
			bar := &progressBar{w: &out}
			bar.Emit(events.Progress, backfill.Progress{Running: true, Phase: "listing", Current: step})
			if !strings.HasSuffix(out.String(), "  "+step) {
				t.Errorf("terminal line %q does not end with %q", out.String(), step)
			}
		})
	}
}

// A name with letters beyond ASCII is cut between characters, never inside one.
func TestProgressLineCutsBetweenCharacters(t *testing.T) {
	var out bytes.Buffer
	bar := &progressBar{w: &out}
	step := "listing x" + strings.Repeat("ä", 60) + ": 3 found"
	bar.Emit(events.Progress, backfill.Progress{Running: true, Phase: "listing", Current: step})
	if !utf8.ValidString(out.String()) {
		t.Fatalf("terminal line cut inside a character: %q", out.String())
	}
	if want := "  listing x" + strings.Repeat("ä", 41); !strings.HasSuffix(out.String(), want) {
		t.Errorf("terminal line %q does not end with the first 50 characters", out.String())
	}
}

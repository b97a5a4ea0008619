package store

import (
	"strings"
	"testing"

	"fitbridge/backend/reason"
)

// A kept-out activity is known by its reason's start (a run leaves it alone,
// the preview counts it apart, the window offers "Upload"): every sentence
// that keeps one out must start with KeptOutReason.
func TestKeptOutSentencesStartWithKeptOut(t *testing.T) {
	for _, tm := range []reason.Template{reason.KeptOutUndone, reason.KeptOutChosen} {
		if !strings.HasPrefix(tm.Text(), KeptOutReason+": ") {
			t.Errorf("%s: %q does not start with %q", tm.Key, tm.Text(), KeptOutReason)
		}
	}
}

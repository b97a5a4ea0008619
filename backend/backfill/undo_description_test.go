package backfill

import (
	"testing"

	"fitbridge/backend/source/imported"
	"fitbridge/backend/store"
)

// Undo tells the rider's own description from the one FitBridge uploaded,
// including the text a Strava export gave the ride.
func TestOurDescription(t *testing.T) {
	fromExport := store.Activity{Source: imported.Name, RemoteID: "ab12", Description: "Cold, \"windy\"\nbut fine"}
	tests := []struct {
		name string
		row  store.Activity
		got  string
		want bool
	}{
		{"an export's description, as uploaded", fromExport, "Cold, \"windy\"\nbut fine", true},
		{"an export's description, rewritten", fromExport, "Cold and windy", false},
		{"a platform this FitBridge no longer has", store.Activity{Source: "gone", RemoteID: "7"}, "From Gone App (id 7), uploaded by FitBridge", true},
		{"a platform gone, rewritten", store.Activity{Source: "gone", RemoteID: "7"}, "Hill repeats", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ourDescription(tt.row, tt.got); got != tt.want {
				t.Errorf("ourDescription(%q) = %v, want %v", tt.got, got, tt.want)
			}
		})
	}
}

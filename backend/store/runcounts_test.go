package store

import (
	"fmt"
	"testing"
)

// The runs list's undoable counts, one query, agree with what undo itself
// would look at (RunUploads) for each run.
func TestUndoableByRunAgreesWithRunUploads(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, a := range []Activity{
		{RunID: 1, State: StateUploaded, IntervalsID: "i1"},
		{RunID: 1, State: StateUploaded, IntervalsID: "i2"},
		{RunID: 1, State: StateSkipped, IntervalsID: ""}, // undone: kept out
		{RunID: 2, State: StateUploaded, IntervalsID: "i3"},
		{RunID: 2, State: StateUploaded, IntervalsID: ""},
		{RunID: 0, State: StateUploaded, IntervalsID: "i4"}, // before runs were recorded
	} {
		a.Source, a.RemoteID = "testapp", fmt.Sprint(i)
		if err := s.db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.UndoableByRun()
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []uint{1, 2, 3} {
		ups, err := s.RunUploads(run)
		if err != nil {
			t.Fatal(err)
		}
		if got[run] != len(ups) {
			t.Errorf("run %d: %d undoable, RunUploads lists %d", run, got[run], len(ups))
		}
	}
	if got[1] != 2 || got[2] != 1 || len(got) != 2 {
		t.Errorf("undoable by run %v, want run 1: 2, run 2: 1", got)
	}
}

package store

import (
	"testing"
	"time"
)

// A write sets what Changes names, clears what points at a zero value and
// leaves the rest; Apply does the same to a row in memory.
func TestChangesSetClearAndLeave(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _, err := s.Discover(&Activity{Source: "folder", RemoteID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)
	if err := s.SetState(a.ID, Transition{State: StateReady, Set: Changes{
		Hash: new("h1"), Sport: new("Ride"), Start: &start, ElapsedS: new(3600.0), Attempts: new(2),
	}}); err != nil {
		t.Fatal(err)
	}
	clear := Changes{Hash: new(""), Attempts: new(0)}
	if err := s.Update(a.ID, clear); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != "" || got.Attempts != 0 || got.Sport != "Ride" || got.ElapsedS != 3600 || got.Start == nil || !got.Start.Equal(start) || got.State != StateReady {
		t.Errorf("stored row %+v", got)
	}
	mem := Activity{Hash: "h1", Sport: "Ride", Attempts: 2}
	clear.Apply(&mem)
	if mem.Hash != "" || mem.Attempts != 0 || mem.Sport != "Ride" {
		t.Errorf("row in memory %+v", mem)
	}
	if err := s.Update(a.ID, Changes{}); err != nil {
		t.Errorf("no changes is no write, not an error: %v", err)
	}
}

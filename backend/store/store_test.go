package store

import (
	"testing"
	"time"
)

func TestDiscoverKeepsStateAndHistory(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	hint := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	a, created, err := s.Discover(&Activity{Source: "mywhoosh", RemoteID: "0", Name: "Ride", StartHint: &hint})
	if err != nil || !created || a.ID == 0 || a.State != StateDiscovered {
		t.Fatalf("first discover: %+v %v %v", a, created, err)
	}
	if err := s.SetState(a.ID, Transition{State: StateUploaded, Set: Changes{IntervalsID: new("i1")}}); err != nil {
		t.Fatal(err)
	}
	b, created, err := s.Discover(&Activity{Source: "mywhoosh", RemoteID: "0", Name: "Renamed"})
	if err != nil || created || b.ID != a.ID || b.State != StateUploaded || b.Name != "Ride" {
		t.Fatalf("second discover changed a finished row: %+v created=%v err=%v", b, created, err)
	}
	h, _ := s.History(a.ID)
	if len(h) != 2 || h[0].State != StateDiscovered || h[1].State != StateUploaded {
		t.Fatalf("history = %+v", h)
	}
	s.Close()

	// The data survives a reopen of the same file.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.FindBySource("mywhoosh", "0")
	if err != nil || got.IntervalsID != "i1" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	counts, _ := s2.Counts(Filter{})
	if counts["mywhoosh"][StateUploaded] != 1 {
		t.Fatalf("counts = %v", counts)
	}
}

func TestFilterByDateKeepsUnreadRows(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := func(y, m, day int) *time.Time {
		t := time.Date(y, time.Month(m), day, 10, 0, 0, 0, time.UTC)
		return &t
	}
	for i, st := range []*time.Time{d(2024, 1, 1), d(2025, 1, 1), nil} {
		if _, _, err := s.Discover(&Activity{Source: "x", RemoteID: string(rune('a' + i)), StartHint: st}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.List(Filter{Since: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if len(got) != 2 {
		t.Fatalf("want the 2025 ride and the undated one, got %d", len(got))
	}
}

func TestCacheDedupsBytes(t *testing.T) {
	c := NewCache(t.TempDir())
	h1, err := c.Put([]byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := c.Put([]byte("abc"))
	if h1 != h2 {
		t.Fatal("same bytes, different hashes")
	}
	b, err := c.Get(h1)
	if err != nil || string(b) != "abc" {
		t.Fatalf("get: %q %v", b, err)
	}
}

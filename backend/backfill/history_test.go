package backfill

import (
	"context"
	"testing"
	"time"

	"fitbridge/backend/source/igpsport"
	"fitbridge/backend/store"
)

// An account an older FitBridge already listed (a last sync, no history
// mark) is not a new connection after the upgrade: a ride that started after
// its last listing is new, for continuous sync to take; what it held before
// is history. A truly new connection's first listing is all history.
func TestFirstListingAfterAnUpgradeKeepsNewRidesNew(t *testing.T) {
	lastSync := time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC).Add(30 * 30 * time.Hour) // after the 30th of 45 rides
	for _, tc := range []struct {
		name     string
		lastSync *time.Time
	}{
		{"connected before history was recorded", &lastSync},
		{"connected just now", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := pagedWorld(t)
			if err := w.store.SaveAccount(&store.Account{Name: igpsport.Name, State: store.AccountConnected, LastSync: tc.lastSync}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.eng.Run(context.Background(), Request{FetchOnly: true}); err != nil {
				t.Fatal(err)
			}
			rows, err := w.store.List(store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			fresh, after := 0, 0
			for _, r := range rows {
				started := r.StartHint != nil && tc.lastSync != nil && r.StartHint.After(*tc.lastSync)
				if started {
					after++
				}
				switch {
				case !r.History && tc.lastSync == nil:
					t.Errorf("ride of %s, held when the account was connected, is not history", r.StartHint)
				case !r.History && r.StartHint.Before(tc.lastSync.Add(-historyGrace-24*time.Hour)):
					t.Errorf("ride of %s, well before the last sync, is not history", r.StartHint)
				case r.History && started:
					t.Errorf("ride of %s, after the last sync, is history: continuous sync would never take it", r.StartHint)
				case !r.History:
					fresh++
				}
			}
			if len(rows) != 45 || (tc.lastSync != nil && (after == 0 || fresh < after)) {
				t.Fatalf("%d rows, %d new, %d after the last sync; want 45 with every ride after the last sync new", len(rows), fresh, after)
			}
		})
	}
}

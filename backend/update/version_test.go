package update

import "testing"

func TestNewer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.2.4", "1.2.3", true},
		{"1.2.3", "1.2.3", false},
		{"1.2.3", "1.2.4", false},
		{"1.10.0", "1.9.9", true},
		{"2.0.0", "1.99.99", true},
		{"v1.3.0", "1.2.0", true},
		// A release is newer than the builds leading up to it, not older.
		{"1.2.3", "1.2.3-dev.4+g1a2b3c4", true},
		{"1.2.3-dev.4+g1a2b3c4", "1.2.3", false},
		{"1.2.3", "1.2.2-dev.9+gabc", true},
		{"0.1.0", "0.0.0-dev.66+g1de517f", true},
		{"1.2.3-rc.2", "1.2.3-rc.1", true},
		{"1.2.3-rc.10", "1.2.3-rc.9", true},
		{"1.2.3-rc.1", "1.2.3-rc", true},
		{"1.2.3-beta", "1.2.3-alpha", true},
		{"1.2.3-alpha", "1.2.3-1", true},
		// Build metadata does not order.
		{"1.2.3+b", "1.2.3+a", false},
		// Garbage is never an update; anything beats an unparsable current.
		{"latest", "1.2.3", false},
		{"1.2", "1.0.0", false},
		{"1.2.3-", "1.0.0", false},
		{"1.2.3", "dev", true},
	}
	for _, tt := range tests {
		if got := Newer(tt.a, tt.b); got != tt.want {
			t.Errorf("Newer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

package intervals

import (
	"encoding/json"
	"slices"
	"testing"

	"fitbridge/backend/plan"
)

// A percentage target arrives as 90 from the calendar's own builder and as
// 0.9 from some public clients; both must mean 90% for the rider.
func TestStepsReadPercentTargetsWrittenAsRatios(t *testing.T) {
	tests := []struct {
		name string
		step string
		want plan.Range
		kind string
	}{
		{"percent of FTP", `{"duration":300,"power":{"value":90,"units":"%ftp"}}`, plan.Range{Low: 90, High: 90, Unit: plan.PercentFTP}, "power"},
		{"ratio of FTP", `{"duration":300,"power":{"value":0.9,"units":"%ftp"}}`, plan.Range{Low: 90, High: 90, Unit: plan.PercentFTP}, "power"},
		{"ratio range of FTP", `{"duration":300,"power":{"start":0.88,"end":0.94,"units":"%ftp"}}`, plan.Range{Low: 88, High: 94, Unit: plan.PercentFTP}, "power"},
		{"sprint ratio of FTP", `{"duration":15,"power":{"value":2.5,"units":"%ftp"}}`, plan.Range{Low: 250, High: 250, Unit: plan.PercentFTP}, "power"},
		{"watts stay watts", `{"duration":300,"power":{"value":2,"units":"w"}}`, plan.Range{Low: 2, High: 2, Unit: plan.Watts}, "power"},
		{"ratio of LTHR", `{"duration":300,"hr":{"start":0.8,"end":0.85,"units":"%lthr"}}`, plan.Range{Low: 80, High: 85, Unit: plan.PercentLTHR}, "hr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wire stepWire
			if err := json.Unmarshal([]byte(tt.step), &wire); err != nil {
				t.Fatal(err)
			}
			got := steps([]stepWire{wire})[0]
			r := got.Power
			if tt.kind == "hr" {
				r = got.HR
			}
			if r == nil {
				t.Fatalf("target lost: %+v", got)
			}
			if *r != tt.want { // exact: a Zwift file would show 0.8800000000000001

				t.Fatalf("got %+v, want %+v", *r, tt.want)
			}
		})
	}
}

// A target in a unit FitBridge cannot read, and that the service did not
// resolve, is kept in words so the rider still sees it.
func TestStepsKeepUnreadableTargetsInWords(t *testing.T) {
	tests := []struct {
		name string
		step string
		want []string
	}{
		{"pace zone", `{"duration":600,"pace":{"value":2,"units":"pace_zone"}}`, []string{"pace zone 2"}},
		{"power zone resolved", `{"duration":600,"power":{"value":2,"units":"power_zone"},"_power":{"start":140,"end":190}}`, nil},
		{"unknown power unit", `{"duration":600,"power":{"start":5,"end":6,"units":"%mmp"}}`, []string{"power 5–6 %mmp"}},
		{"no target", `{"duration":600}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wire stepWire
			if err := json.Unmarshal([]byte(tt.step), &wire); err != nil {
				t.Fatal(err)
			}
			if got := steps([]stepWire{wire})[0].Unread; !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

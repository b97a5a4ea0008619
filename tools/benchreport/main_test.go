package main

import (
	"strings"
	"testing"
)

func TestParseAndCompare(t *testing.T) {
	raw := `goos: linux
BenchmarkBackfillIGPSport300-2        	       1	142380200073 ns/op	         1.129 ratio-to-bound	         2.975 speedup
BenchmarkSummarizeScanner/garmin.fit-2   1260	    977715 ns/op	 498.75 MB/s	     624 B/op	      15 allocs/op
BenchmarkServeIdle 1 38.5 MB
not a benchmark 1 2 s
`
	now, err := parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(now) != 6 {
		t.Fatalf("figures: %v", now)
	}
	if r := now["BenchmarkBackfillIGPSport300 ratio-to-bound"]; r.Value != 1.129 || r.Better != "lower" {
		t.Fatalf("ratio: %+v", r)
	}
	if r := now["BenchmarkSummarizeScanner/garmin.fit MB/s"]; r.Better != "higher" {
		t.Fatalf("throughput: %+v", r)
	}
	if _, ok := now["BenchmarkSummarizeScanner/garmin.fit B/op"]; ok {
		t.Fatal("allocation sizes are not compared")
	}
	base := map[string]Result{
		"BenchmarkBackfillIGPSport300 ratio-to-bound": {Value: 1.0, Unit: "ratio-to-bound", Better: "lower"}, // now 12.9 % worse
		"BenchmarkBackfillIGPSport300 speedup":        {Value: 3.0, Unit: "speedup", Better: "higher"},       // 0.8 % worse: within
		"BenchmarkSummarizeScanner/garmin.fit MB/s":   {Value: 600, Unit: "MB/s", Better: "higher"},          // 17 % worse
		"BenchmarkServeIdle MB":                       {Value: 60, Unit: "MB", Better: "lower"},              // better
	}
	worse := map[string]bool{}
	for _, r := range compare(now, base) {
		if r.Worsened {
			worse[r.Name] = true
		}
	}
	want := map[string]bool{"BenchmarkBackfillIGPSport300 ratio-to-bound": true, "BenchmarkSummarizeScanner/garmin.fit MB/s": true}
	if len(worse) != len(want) || !worse["BenchmarkBackfillIGPSport300 ratio-to-bound"] || !worse["BenchmarkSummarizeScanner/garmin.fit MB/s"] {
		t.Fatalf("flagged %v, want %v", worse, want)
	}
	var sb strings.Builder
	if n := table(&sb, compare(now, base)); n != 2 || !strings.Contains(sb.String(), "| `BenchmarkServeIdle MB` | 38.5 MB | 60 MB | 0.64 |  |") {
		t.Fatalf("table (%d worse):\n%s", n, sb.String())
	}
}

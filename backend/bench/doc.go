// Package bench holds FitBridge's speed and memory measurements (run by
// `make bench`, never by `make test`): backfill throughput per platform
// against fakes with realistic latency, as a ratio to the bound the rate
// limits and latencies set and as a speed-up over one activity at a time;
// the calendar's query; continuous sync's latency; reading, summarising and
// matching a 3,000-ride Strava export.
package bench

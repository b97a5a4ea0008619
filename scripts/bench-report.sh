#!/usr/bin/env bash
# Runs the benchmarks and writes docs/BENCHMARKS.md with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
go test -run '^$' -bench "${BENCH:-.}" -benchtime 1x -timeout 60m ./backend/bench/ 2>&1 | tee "$out"
go test -run '^$' -bench 'Summarize' -benchmem ./backend/fitfile/ 2>&1 | tee -a "$out"
if [ -x build/bin/fitbridge ]; then
  bash scripts/startup-bench.sh 2>&1 | tee -a "$out"
  seed=$(mktemp -d)
  FITBRIDGE_BENCH_SEED=$seed go test -count=1 -run '^TestSeedFiveYearLibrary$' ./backend/bench/ >/dev/null
  (cd frontend && FITBRIDGE_HOME=$seed node e2e/bench-year.mjs) 2>&1 | tee -a "$out"
  rm -rf "$seed"
fi
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "| machine | |"
  echo "| --- | --- |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') ($(nproc) cores) |"
  echo "| memory | $(free -h 2>/dev/null | awk '/Mem:/{print $2}') |"
  echo "| OS | $(uname -sr) |"
  echo "| Go | $(go version | cut -d' ' -f3) |"
  echo
  echo "What each measures:"
  echo
  echo "- \`BenchmarkBackfill*\`: a whole backfill against the fakes with realistic latency (list page 150 ms,"
  echo "  file address 80 ms, object download 60 ms, Intervals.icu upload 250 ms), as a ratio to the bound"
  echo "  that Intervals.icu's rate limit (10 requests/s) and those latencies set, and as a speed-up over"
  echo "  downloading and uploading one activity at a time. Target: ratio to bound ≤ 1.15."
  echo "- \`BenchmarkCalendarQueryFiveYears\`: the library queries behind the calendar, 1,500 activities."
  echo "- \`BenchmarkZwiftRideToIntervals\`: seconds from a Zwift ride finishing writing to it being on"
  echo "  Intervals.icu with \`watch\` running (settle 1 s; the Strava hop takes 15–30 minutes)."
  echo "- \`BenchmarkStravaArchive3000\`: a Strava export ZIP of 3,000 one-hour rides (half gzipped, a CSV"
  echo "  with quoted multi-line descriptions) imported in place, every file summarised into the library, then"
  echo "  matched against Intervals.icu (a dry run; a third are there already). \`total-s\` and \`peak-heap-MB\`"
  echo "  (Go heap and stacks in use, sampled every 20 ms). Target: under 60 s and 300 MB."
  echo "- \`BenchmarkSummarize*\`: FIT summary by FitBridge's reader against fully decoding the same bytes"
  echo "  with tormoder/fit and muktihari/fit."
  echo "- \`BenchmarkYearView\`: the calendar's year view in headless Chromium against \`fitbridge serve\`"
  echo "  with the same five-year library, from the click to the frame that shows the year's rides"
  echo "  (fetch and draw, timed inside the page): from the month view, and stepping to the previous"
  echo "  year. Target: median ≤ 250 ms."
  echo "- start-up and idle memory: \`fitbridge serve\` until it prints its address, the window under Xvfb"
  echo "  until it shows content, and the Go process's resident memory once idle."
  echo
  echo '```'
  grep -v '^20[0-9][0-9]/' "$out"
  echo '```'
} > docs/BENCHMARKS.md
rm -f "$out"
echo "wrote docs/BENCHMARKS.md"

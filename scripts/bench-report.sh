#!/usr/bin/env bash
# Runs the benchmarks and writes docs/BENCHMARKS.md with the machine and date,
# docs/benchmarks.json with every figure, and each figure against the checked-in
# baseline (docs/benchmarks-baseline.json; `make bench-baseline` renews it).
set -euo pipefail
cd "$(dirname "$0")/.."
export FITBRIDGE_BIN=$PWD/build/bin/fitbridge
out=$(mktemp)
# The memory benchmark runs the real program, which keeps keys in the Secret
# Service: give the run a session bus with a fresh, unlocked keyring.
keyrings=$(mktemp -d)
XDG_DATA_HOME=$keyrings dbus-run-session -- bash -c 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
  go test -run "^$" -bench "${BENCH:-.}" -benchtime 1x -timeout 60m ./backend/bench/' 2>&1 | grep -v '^dbus-daemon' | tee "$out"
rm -rf "$keyrings"
go test -run '^$' -bench 'Summarize' -benchmem ./backend/fitfile/ 2>&1 | tee -a "$out"
if [ -x build/bin/fitbridge ]; then
  seed=$(mktemp -d)
  FITBRIDGE_BENCH_SEED=$seed go test -count=1 -run '^TestSeedFiveYearLibrary$' ./backend/bench/ >/dev/null
  FITBRIDGE_BENCH_SEED=$seed bash scripts/startup-bench.sh 2>&1 | tee -a "$out"
  (cd frontend && FITBRIDGE_HOME=$seed node e2e/bench-year.mjs) 2>&1 | tee -a "$out"
  rm -rf "$seed"
fi
# make fuzz-long's counts live in the same file: keep them.
fuzz=$(sed -n '/<!-- fuzz-long -->/,/<!-- \/fuzz-long -->/p' docs/BENCHMARKS.md 2>/dev/null || true)
compare=$(go run ./tools/benchreport -in "$out" -json docs/benchmarks.json -baseline docs/benchmarks-baseline.json)
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
  echo "## Against the baseline"
  echo
  echo "Every figure of this run beside the same figure in \`docs/benchmarks-baseline.json\`, as a ratio"
  echo "(machines differ, so only ratios compare). A figure that moved the wrong way by more than 10 %"
  echo "is flagged. The figures of this run are in \`docs/benchmarks.json\`."
  echo
  echo "$compare"
  echo
  echo "## Where memory goes"
  echo
  echo "FitBridge idles in the background next to a trainer app, so its resident memory matters. Measured"
  echo "by \`scripts/startup-bench.sh\` from \`/proc/<pid>/smaps\` and the Go runtime's own metrics"
  echo "(\`FITBRIDGE_MEMSTATS\`), on this run:"
  echo
  echo '```'
  grep -E '^(serve|serve-in-window-program)( Go runtime)?:' "$out" || true
  grep -E '^watch' "$out" || true
  echo '```'
  echo
  echo "- **Before**: one program served everything. Built with the window, it links GTK and WebKitGTK, so"
  echo "  even \`serve\` and \`watch\` loaded some 170 shared libraries at start: about 44 MB of their pages"
  echo "  resident and 10 MB more of private copies the loader writes (relocations, counted as anonymous),"
  echo "  next to 20 MB of the program itself. The Go heap was never the cost: about 1.5 MB in use at idle."
  echo "- **After**: \`fitbridge\` (command line, \`serve\`, \`watch\`) is built without the GUI libraries and"
  echo "  hands the window over to \`fitbridge-window\` installed beside it. The line \`serve-in-window-program\`"
  echo "  above is the old way measured in the same run. SQLite's page cache and connections, the embedded"
  echo "  web assets (about 150 kB, served from the program file) and the 14 idle goroutines (HTTP server,"
  echo "  event stream, background sync) are each under a megabyte; no browser or folder watcher runs until"
  echo "  a sign-in or a connected folder asks for one."
  echo "- A run that touched 20 or more activities hands its memory back at once (\`debug.FreeOSMemory\`);"
  echo "  \`BenchmarkWatchMemory\` measures \`watch\` idle, at its peak while 300 new rides go up, and 60 s after."
  echo
  echo "## What each measures"
  echo
  echo "- \`BenchmarkBackfill*\`: a whole backfill against the fakes with realistic latency (list page 150 ms,"
  echo "  file address 80 ms, object download 60 ms, Intervals.icu upload 250 ms), as a ratio to the bound"
  echo "  that the declared limits and those latencies set, and as a speed-up over downloading and"
  echo "  uploading one activity at a time. Target: ratio to bound ≤ 1.05."
  echo "- \`BenchmarkCalendarQueryFiveYears\`: the library queries behind the calendar, 1,500 activities."
  echo "- \`BenchmarkZwiftRideToIntervals\`: seconds from a Zwift ride finishing writing to it being on"
  echo "  Intervals.icu with \`watch\` running (settle 1 s; the Strava hop takes 15–30 minutes)."
  echo "- \`BenchmarkStravaArchive3000\`: a Strava export ZIP of 3,000 one-hour rides (half gzipped, a CSV"
  echo "  with quoted multi-line descriptions) imported in place, every file summarised into the library, then"
  echo "  matched against Intervals.icu (a dry run; a third are there already). \`total-s\` and \`peak-heap-MB\`"
  echo "  (Go heap and stacks in use, sampled every 20 ms). Target: under 60 s and 300 MB."
  echo "- \`BenchmarkWatchMemory\`: \`fitbridge watch\` as a separate process: resident memory idle, at its peak"
  echo "  while 300 new rides are uploaded, and 60 s after. Target: under 40 MB idle."
  echo "- \`BenchmarkSummarize*\`: FIT summary by FitBridge's reader against fully decoding the same bytes"
  echo "  with tormoder/fit and muktihari/fit."
  echo "- \`BenchmarkYearView\`: the calendar's year view in headless Chromium against \`fitbridge serve\`"
  echo "  with the same five-year library, from the click to the frame that shows the year's rides"
  echo "  (fetch and draw, timed inside the page): from the month view, and stepping to the previous"
  echo "  year. Target: median ≤ 250 ms."
  echo "- start-up and idle memory: \`fitbridge serve\` until it prints its address and its resident memory"
  echo "  once idle (target under 40 MB); the window under Xvfb, opening the five-year library, until it"
  echo "  shows content and until the page marks its first screen painted with the library's data"
  echo "  (\`BenchmarkWindowUsable\`, target under 1.0 s)."

  echo
  echo "## Raw output"
  echo
  echo '```'
  grep -v '^20[0-9][0-9]/' "$out"
  echo '```'
  if [ -n "$fuzz" ]; then echo; echo "$fuzz"; fi
} > docs/BENCHMARKS.md
rm -f "$out"
echo "wrote docs/BENCHMARKS.md and docs/benchmarks.json"

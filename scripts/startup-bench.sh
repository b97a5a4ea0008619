#!/usr/bin/env bash
# Start-up time and idle memory: the desktop window under Xvfb (time until it
# shows real content) and `fitbridge serve` (time until it prints its address,
# then the Go process's memory once idle). Needs build/bin/fitbridge.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/fitbridge
test -x "$bin" || { echo "build/bin/fitbridge missing: run make build"; exit 1; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
now() { date +%s.%N; }

# breakdown PID LABEL: where a process's resident memory goes.
breakdown() {
  local pid=$1 label=$2 exe
  exe=$(readlink "/proc/$pid/exe")
  awk -v exe="$exe" -v label="$label" '
    /^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
    /^Rss:/ { if (name == exe) bin += $2; else if (name ~ /\.so/) { lib += $2; libs[name] = 1 } }
    /^Anonymous:/ { anon += $2 }
    END {
      n = 0; for (l in libs) n++
      printf "%s: %.1f MB anonymous (Go heap, stacks, SQLite), %.1f MB of the program file, %.1f MB of %d shared libraries\n", label, anon/1024, bin/1024, lib/1024, n
    }' "/proc/$pid/smaps"
}

# serve PROGRAM LABEL: start-up, then idle memory once settled.
serve_bench() {
  local bin=$1 label=$2 t0 t1 pid rss
  t0=$(now)
  FITBRIDGE_MEMSTATS=$home/$label.mem FITBRIDGE_HOME=$home/$label "$bin" serve --addr 127.0.0.1:0 > "$home/$label.out" 2>&1 &
  pid=$!
  until grep -q "running at" "$home/$label.out" 2>/dev/null; do sleep 0.02; done
  t1=$(now)
  sleep 5
  rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  breakdown $pid "$label"
  awk -v label="$label" '
    /heap\/objects/ { obj = $2 } /heap\/unused/ { unused = $2 } /heap\/released/ { rel = $2 }
    /heap\/stacks/ { stk = $2 } /goroutines/ { g = $2 }
    END { printf "%s Go runtime: heap in use %.1f MB, heap held but unused %.1f MB, released to the system %.1f MB, stacks %.1f MB, %d goroutines\n", label, obj/1048576, unused/1048576, rel/1048576, stk/1048576, g }' "$home/$label.mem"
  kill $pid; wait $pid 2>/dev/null || true
  printf '%s start-up: %.2f s, idle memory (RSS after 5 s): %.1f MB\n' "$label" "$(echo "$t1 - $t0" | bc)" "$(echo "$rss / 1024" | bc -l)"
  SERVE_T=$(echo "$t1 - $t0" | bc); SERVE_RSS=$(echo "$rss / 1024" | bc -l)
}

# The shipped command line, and for comparison the window program running
# serve (what every command was before they were split).
serve_bench "$bin" serve
printf 'BenchmarkServeStartup 1 %.3f s\n' "$SERVE_T"
printf 'BenchmarkServeIdleRSS 1 %.1f MB\n' "$SERVE_RSS"
if [ -x "$(dirname "$bin")/fitbridge-window" ]; then
  serve_bench "$(dirname "$bin")/fitbridge-window" serve-in-window-program
  printf 'BenchmarkServeInWindowProgramIdleRSS 1 %.1f MB\n' "$SERVE_RSS"
fi

# The window under Xvfb: time until a screenshot shows real content.
if command -v Xvfb >/dev/null && command -v import >/dev/null; then
  Xvfb :96 -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  # Its own session bus with an unlocked keyring, as after a desktop login
  # (a locked one would hold the window behind the system's unlock prompt);
  # the clock starts when the app does.
  mkdir -p "$home/data"
  # A returning rider: the five-year library when make bench made one.
  if [ -n "${FITBRIDGE_BENCH_SEED:-}" ] && [ -d "$FITBRIDGE_BENCH_SEED" ]; then
    cp -a "$FITBRIDGE_BENCH_SEED" "$home/window"
  fi
  DISPLAY=:96 XDG_DATA_HOME=$home/data FITBRIDGE_HOME=$home/window FITBRIDGE_NO_UPDATE_CHECK=1 \
    FITBRIDGE_PAINT_MARK=$home/painted dbus-run-session -- bash -c \
    'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null; sleep 1; date +%s.%N > "$1"; exec "$2"' \
    _ "$home/t0" "$bin" > "$home/window.log" 2>&1 &
  app=$!
  until [ -s "$home/t0" ]; do sleep 0.02; done
  t0=$(cat "$home/t0")
  shown=""
  for i in $(seq 1 200); do
    # The FitBridge window itself, not the screen: a system prompt (a locked
    # keyring) must not count as the app showing content.
    win=$(DISPLAY=:96 xdotool search --onlyvisible --name '^FitBridge$' 2>/dev/null | head -1 || true)
    if [ -n "$win" ] && DISPLAY=:96 import -window "$win" "$home/shot.png" 2>/dev/null; then
      c=$(convert "$home/shot.png" -format '%k' info: 2>/dev/null || echo 0)
      if [ "${c:-0}" -gt 50 ]; then shown=$(now); break; fi
    fi
    sleep 0.1
  done
  # Usable: the page's own mark, once its first screen shows the library's data.
  for i in $(seq 1 100); do [ -s "$home/painted" ] && break; sleep 0.1; done
  painted=$(cat "$home/painted" 2>/dev/null || true)
  sleep 3
  wpid=$(pgrep -f -n "fitbridge-window$" || pgrep -f -n "^$bin$" || true)
  wrss=$( [ -n "$wpid" ] && awk '/VmRSS/{print $2}' /proc/$wpid/status || echo 0)
  kill $app $xvfb 2>/dev/null || true
  if [ -n "$shown" ]; then
    printf 'window start-up (until content shows): %.2f s\n' "$(echo "$shown - $t0" | bc)"
    printf 'BenchmarkWindowStartup 1 %.3f s\n' "$(echo "$shown - $t0" | bc)"
  fi
  if [ -n "$painted" ]; then
    printf 'window usable (first screen with the library'"'"'s data painted): %.2f s\n' "$(echo "$painted - $t0" | bc)"
    printf 'BenchmarkWindowUsable 1 %.3f s\n' "$(echo "$painted - $t0" | bc)"
  else
    echo "window usable: the page gave no mark within 10 s after it showed"
  fi
  [ -n "$shown" ] || echo "window start-up: no content within 20 s"
  printf 'window idle memory (RSS of the app process, web view renderer not counted): %.1f MB\n' "$(echo "$wrss / 1024" | bc -l)"
  printf 'BenchmarkWindowIdleRSS 1 %.1f MB\n' "$(echo "$wrss / 1024" | bc -l)"
fi

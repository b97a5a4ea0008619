#!/usr/bin/env bash
# make fuzz-long: the file-reading fuzz targets (FIT, TCX/GPX and, where
# present, export archives) for FUZZ_TOTAL executions in all (10 million by
# default), shared evenly; the counts go into docs/BENCHMARKS.md.
# FUZZ_PARALLEL limits the fuzzing workers (all CPUs by default).
set -euo pipefail
cd "$(dirname "$0")/.."
total=${FUZZ_TOTAL:-10000000}
pkgs=(./backend/fitfile)
[ -d backend/archive ] && pkgs+=(./backend/archive)

specs=()
for pkg in "${pkgs[@]}"; do
  for fn in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    specs+=("$pkg:$fn")
  done
done
[ ${#specs[@]} -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }
each=$(( (total + ${#specs[@]} - 1) / ${#specs[@]} ))

report=$(mktemp)
trap 'rm -f "$report"' EXIT
sum=0
start=$(date -u +%s)
for spec in "${specs[@]}"; do
  pkg=${spec%%:*}; fn=${spec##*:}
  echo "== $pkg $fn: $each executions"
  log=$(mktemp)
  t0=$(date -u +%s)
  # No minimising of new inputs: with real activity files as seeds it costs
  # seconds per input and would leave the run stalled at a few executions.
  go test -run '^$' -fuzz "^${fn}\$" -fuzztime "${each}x" -fuzzminimizetime 0s ${FUZZ_PARALLEL:+-parallel "$FUZZ_PARALLEL"} "$pkg" 2>&1 | tee "$log" | grep -v 'new interesting' || { cat "$log"; rm -f "$log"; exit 1; }
  # The last progress line holds the count actually run.
  n=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "$each")
  rm -f "$log"
  sum=$(( sum + n ))
  printf '| `%s` | %s | %d | %d s |\n' "$fn" "${pkg#./}" "$n" "$(( $(date -u +%s) - t0 ))" >> "$report"
done

doc=docs/BENCHMARKS.md
{
  echo '<!-- fuzz-long -->'
  echo '## make fuzz-long'
  echo
  echo "Run $(date -u +%Y-%m-%d) on $(nproc) CPUs, $(( $(date -u +%s) - start )) s in all; no failures. Every"
  echo "target reads untrusted bytes the way an import does."
  echo
  echo '| target | package | executions | time |'
  echo '| --- | --- | ---: | ---: |'
  cat "$report"
  echo "| **total** | | **$sum** | |"
  echo '<!-- /fuzz-long -->'
} > "$report.section"
if grep -q '<!-- fuzz-long -->' "$doc"; then
  awk -v f="$report.section" '
    /<!-- fuzz-long -->/ { while ((getline l < f) > 0) print l; skip=1; next }
    /<!-- \/fuzz-long -->/ { skip=0; next }
    !skip' "$doc" > "$doc.new" && mv "$doc.new" "$doc"
else
  { echo; cat "$report.section"; } >> "$doc"
fi
rm -f "$report.section"
echo "fuzz-long: $sum executions in all; recorded in $doc"

#!/usr/bin/env bash
# Prints FitBridge's version, taken from git at build time:
#   on a release tag v1.2.3           -> 1.2.3
#   4 commits after v1.2.3            -> 1.2.3-dev.4+g1a2b3c4
#   no release tag yet                -> 0.0.0-dev.N+g1a2b3c4 (N: commits so far)
# Semantic versions, so packages, installers and the update notice can order them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo 0.0.0-dev
  exit 0
fi
if d=$(git describe --tags --match 'v[0-9]*' --long 2>/dev/null); then
  # v1.2.3-4-g1a2b3c4 (the tag itself may hold dashes: v1.2.3-rc.1-0-g...)
  sha=${d##*-g}; rest=${d%-g*}; n=${rest##*-}; tag=${rest%-*}
  if [ "$n" = 0 ]; then echo "${tag#v}"; else echo "${tag#v}-dev.$n+g$sha"; fi
else
  echo "0.0.0-dev.$(git rev-list --count HEAD)+g$(git rev-parse --short=7 HEAD)"
fi

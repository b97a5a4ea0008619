#!/usr/bin/env bash
# Signs a Windows executable in place with Authenticode (osslsigncode), when
# the release has a certificate: WINDOWS_CERT_PFX (the .pfx, base64) and
# WINDOWS_CERT_PASSWORD. Without them it says so and leaves the file unsigned,
# so local and fork builds still work.
set -euo pipefail
file=$1
if [ -z "${WINDOWS_CERT_PFX:-}" ]; then
  echo "sign-windows: no WINDOWS_CERT_PFX, $(basename "$file") stays unsigned"
  exit 0
fi
command -v osslsigncode >/dev/null || { echo "sign-windows: osslsigncode is needed to sign" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s' "$WINDOWS_CERT_PFX" | base64 -d > "$work/cert.pfx"
osslsigncode sign -pkcs12 "$work/cert.pfx" -pass "${WINDOWS_CERT_PASSWORD:-}" \
  -n FitBridge -i "https://github.com/${FITBRIDGE_REPO:-}" \
  -t http://timestamp.digicert.com -h sha256 \
  -in "$file" -out "$work/signed"
mv "$work/signed" "$file"
echo "sign-windows: signed $(basename "$file")"

#!/usr/bin/env bash
# Fetches Debian's Prometheus binary (the package is downloaded and unpacked,
# never installed as a service) into <repo>/.peers/prometheus and prints the
# binary's path. Idempotent and quiet on success.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEST=${OTELMETRICS_PROMETHEUS_DIR:-$REPO/.peers/prometheus}
BIN="$DEST/usr/bin/prometheus"
# Test processes running side by side (pytest -n 2) may all ask at once on a
# fresh clone: one installs, the others wait for it; the tree is unpacked
# beside DEST and renamed into place, so DEST is complete or absent.
mkdir -p "$(dirname "$DEST")"
exec 9>"$DEST.lock"
flock 9
if [ ! -x "$BIN" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  if ! apt-get download prometheus >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    apt-get download prometheus >/dev/null 2>&1
  fi
  rm -rf "$DEST.new" "$DEST"
  dpkg-deb -x prometheus_*.deb "$DEST.new"
  mv "$DEST.new" "$DEST"
fi
"$BIN" --version >/dev/null 2>&1 || { echo "install-prometheus.sh: $BIN does not run" >&2; exit 1; }
echo "$BIN"

#!/usr/bin/env bash
# Fetches Debian's Prometheus binary (the package is downloaded and unpacked,
# never installed as a service) into <repo>/.peers/prometheus and prints the
# binary's path. Idempotent and quiet on success.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEST=${OTELMETRICS_PROMETHEUS_DIR:-$REPO/.peers/prometheus}
BIN="$DEST/usr/bin/prometheus"
if [ ! -x "$BIN" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  if ! apt-get download prometheus >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    apt-get download prometheus >/dev/null 2>&1
  fi
  mkdir -p "$DEST"
  dpkg-deb -x prometheus_*.deb "$DEST"
fi
"$BIN" --version >/dev/null 2>&1 || { echo "install-prometheus.sh: $BIN does not run" >&2; exit 1; }
echo "$BIN"

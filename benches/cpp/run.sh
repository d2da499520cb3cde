#!/usr/bin/env bash
# Builds and runs the C++ SDK side of the comparison (cpp_sdk.cc), first
# installing Debian's opentelemetry-cpp-dev 1.19 from bookworm-backports when
# it is missing (adds that suite to apt's sources, same mirror).
#   bash benches/cpp/run.sh
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f /usr/include/opentelemetry/sdk/metrics/meter_provider.h ]; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >/etc/apt/sources.list.d/otelmetrics-backports.sources
  fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports opentelemetry-cpp-dev >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -O2 -std=c++17 cpp_sdk.cc -o "$out/cpp_sdk" -lopentelemetry_metrics -lopentelemetry_resources -lopentelemetry_common
"$out/cpp_sdk"

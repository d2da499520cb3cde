#!/usr/bin/env bash
# Builds and runs the C++ SDK side of the comparison (cpp_sdk.cc), first
# installing Debian's opentelemetry-cpp-dev 1.19 from bookworm-backports when
# it is missing (adds that suite to apt's sources, same mirror).
#   bash benches/cpp/run.sh                   wall clock (min / median / max)
#   bash benches/cpp/run.sh --instructions    instructions per call (callgrind)
# Compile flags come from the package's pkg-config files: they define
# HAVE_ABSEIL, which the library was built with (without it, the program
# would use another variant type for attribute values than the library).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f /usr/include/opentelemetry/sdk/metrics/meter_provider.h ] || [ ! -f /usr/include/absl/types/variant.h ]; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >/etc/apt/sources.list.d/otelmetrics-backports.sources
  fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports opentelemetry-cpp-dev libabsl-dev pkg-config >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
g++ -O2 -std=c++17 cpp_sdk.cc -o "$out/cpp_sdk" \
  $(pkg-config --cflags --libs opentelemetry_metrics opentelemetry_api) -lopentelemetry_common
if [ "${1:-}" != "--instructions" ]; then
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$out/cpp_sdk"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
# Instructions per call of each case, less the empty loop's, as hot_path.rs
# counts them: callgrind collects only inside otelmetrics_bench_measured.
count() {
  valgrind --tool=callgrind --quiet --toggle-collect=otelmetrics_bench_measured \
    --callgrind-out-file="$out/cg" "$out/cpp_sdk" --run-one "$1"
  sed -n 's/^\(summary\|totals\): *//p' "$out/cg" | head -1
}
calls=200000
empty=$(count empty)
echo "instructions per call (valgrind --tool=callgrind, $calls calls; the loop's $((empty / calls)) per call subtracted)"
for case in counter_add_3_attrs histogram_record_3_attrs; do
  n=$(count "$case")
  echo "$case $(( (n - empty) / calls ))"
done

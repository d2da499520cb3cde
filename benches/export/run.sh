#!/usr/bin/env bash
# Export cost of 10,000 series, otelmetrics (C API) vs the native Rust SDK,
# both over OTLP HTTP/protobuf to the same sink process: CPU time of one
# export (median of EXPORTS, RUSAGE_SELF of the exporting process), bytes
# on the wire per export, resident memory per series, startup time (library
# ready and provider built), CPU of the idle export machinery between
# exports (IDLE_SECONDS, default 5).
#   bash benches/export/run.sh [SERIES] [EXPORTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SERIES=${1:-10000}
EXPORTS=${2:-15}
cargo build --release --quiet
(cd benches/export/native && cargo build --release --quiet)
source benches/export/setup.sh
bytes >/dev/null
"$out/ours" "$url" "$SERIES" "$EXPORTS" >"$out/ours.txt"; echo "bytes_per_export $(bytes)" >>"$out/ours.txt"
benches/export/native/target/release/native-export "$url" "$SERIES" "$EXPORTS" >"$out/native.txt"; echo "bytes_per_export $(bytes)" >>"$out/native.txt"
printf '%-22s %14s %14s %8s\n' "measure ($SERIES series)" "native Rust" "otelmetrics" "ratio"
for key in export_cpu_ms bytes_per_export rss_per_series_bytes startup_ms idle_cpu_pct; do
  n=$(awk -v k=$key '$1==k {print $2}' "$out/native.txt"); o=$(awk -v k=$key '$1==k {print $2}' "$out/ours.txt")
  printf '%-22s %14s %14s %8s\n' "$key" "$n" "$o" "$($PY -c "print(f'{$o/$n:.2f}x' if $n else '-')")"
done

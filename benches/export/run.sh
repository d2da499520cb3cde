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
PY=${PYTHON:-python3}
cargo build --release --quiet
(cd benches/export/native && cargo build --release --quiet)
out=$(mktemp -d)
trap 'kill $sink 2>/dev/null; rm -rf "$out"' EXIT
cc -O2 benches/export/ours.c -Iinclude -Ltarget/release -lotelmetrics -Wl,-rpath,"$PWD/target/release" -o "$out/ours"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY benches/export/sink.py "$port" & sink=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/stats" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/metrics"
bytes() { curl -s "http://127.0.0.1:$port/stats" | $PY -c 'import json,sys; s=json.load(sys.stdin); print(max(s) if s else 0)'; }
bytes >/dev/null
"$out/ours" "$url" "$SERIES" "$EXPORTS" >"$out/ours.txt"; echo "bytes_per_export $(bytes)" >>"$out/ours.txt"
benches/export/native/target/release/native-export "$url" "$SERIES" "$EXPORTS" >"$out/native.txt"; echo "bytes_per_export $(bytes)" >>"$out/native.txt"
printf '%-22s %14s %14s %8s\n' "measure ($SERIES series)" "native Rust" "otelmetrics" "ratio"
for key in export_cpu_ms bytes_per_export rss_per_series_bytes startup_ms idle_cpu_pct; do
  n=$(awk -v k=$key '$1==k {print $2}' "$out/native.txt"); o=$(awk -v k=$key '$1==k {print $2}' "$out/ours.txt")
  printf '%-22s %14s %14s %8s\n' "$key" "$n" "$o" "$($PY -c "print(f'{$o/$n:.2f}x' if $n else '-')")"
done

#!/usr/bin/env bash
# What the SDK self-metrics (OTELMETRICS_SELF_METRICS=true) cost per export:
# benches/export/ours.c (one counter, SERIES series, OTLP HTTP/protobuf to
# benches/export/sink.py) with them off and on, in alternating rounds; CPU
# time of one export (median of EXPORTS, RUSAGE_SELF) and bytes per export.
#   bash benches/export/self_metrics.sh [EXPORTS] [ROUNDS] [SERIES...]
set -euo pipefail
cd "$(dirname "$0")/../.."
EXPORTS=${1:-41}
ROUNDS=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
SERIES=("${@:-10 1000 10000}")
read -r -a SERIES <<<"${SERIES[*]}"
PY=${PYTHON:-python3}
cargo build --release --quiet
out=$(mktemp -d)
trap 'kill $sink 2>/dev/null; rm -rf "$out"' EXIT
cc -O2 benches/export/ours.c -Iinclude -Ltarget/release -lotelmetrics -Wl,-rpath,"$PWD/target/release" -o "$out/ours"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY benches/export/sink.py "$port" & sink=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/stats" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/metrics"
bytes() { curl -s "http://127.0.0.1:$port/stats" | $PY -c 'import json,sys; s=json.load(sys.stdin); print(max(s) if s else 0)'; }
printf '%-8s %-5s %-6s %14s %16s\n' series round self export_cpu_ms bytes_per_export
for n in "${SERIES[@]}"; do
  for round in $(seq "$ROUNDS"); do
    for self in false true; do
      bytes >/dev/null   # resets the sink's record
      cpu=$(IDLE_SECONDS=0 OTELMETRICS_SELF_METRICS=$self "$out/ours" "$url" "$n" "$EXPORTS" | awk '$1=="export_cpu_ms" {print $2}')
      printf '%-8s %-5s %-6s %14s %16s\n' "$n" "$round" "$self" "$cpu" "$(bytes)"
    done
  done
done

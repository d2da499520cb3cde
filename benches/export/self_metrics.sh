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
cargo build --release --quiet
source benches/export/setup.sh
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

#!/usr/bin/env bash
# Every runtime side by side, in one run (issue 6): the C ABI against the
# native Rust SDK (hot path and 2 threads), the C++ SDK on the same work,
# Python through otelmetrics against the Python SDK (directly and through
# the OpenTelemetry API, per call and per request of an instrumented WSGI
# server), and the cost of one export of 10,000 series. Tables go to
# stdout; BENCHMARKS.md records them.
#   bash benches/compare.sh
# Wall-clock figures move with the machine's load (printed beside them);
# the instruction counts (callgrind) are the same on any x86-64 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --quiet

echo "== C ABI vs native Rust SDK, instructions (cargo bench --bench hot_path -- --instructions)"
cargo bench --quiet --bench hot_path -- --instructions 2>/dev/null

echo; echo "== C ABI vs native Rust SDK, wall clock (cargo bench --bench hot_path)"
cargo bench --quiet --bench hot_path 2>/dev/null

echo; echo "== C++ SDK, same work (benches/cpp/run.sh --instructions; benches/cpp/run.sh)"
bash benches/cpp/run.sh --instructions
bash benches/cpp/run.sh

if [ -f benches/python/bench_vs_sdk.py ]; then
  echo; echo "== Python: otelmetrics vs the Python SDK (benches/python/bench_vs_sdk.py)"
  VENV=${OTELMETRICS_TEST_VENV:-$PWD/.venv-test}
  [ -x "$VENV/bin/python" ] || bash tests/peers/install.sh >/dev/null
  "$VENV/bin/pip" install --quiet ./bindings/python
  "$VENV/bin/python" benches/python/bench_vs_sdk.py
  echo; echo "== Python through the OpenTelemetry API (benches/python/bench_api_vs_sdk.py, bench_wsgi_requests.py)"
  "$VENV/bin/python" benches/python/bench_api_vs_sdk.py
  "$VENV/bin/python" benches/python/bench_wsgi_requests.py
fi

echo; echo "== One export of 10,000 series (benches/export/run.sh)"
PYTHON=python3 bash benches/export/run.sh 10000 21

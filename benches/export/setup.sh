# Sourced by the export benchmarks (run.sh, self_metrics.sh), from the
# repository's root: builds benches/export/ours.c into $out/ours, starts the
# sink (benches/export/sink.py, its own process) on a free port, and defines
# $url (where to export) and `bytes` (the largest request body since the
# last call). Removes $out and stops the sink on exit.
PY=${PYTHON:-python3}
out=$(mktemp -d)
trap 'kill $sink 2>/dev/null; rm -rf "$out"' EXIT
cc -O2 benches/export/ours.c -Iinclude -Ltarget/release -lotelmetrics -Wl,-rpath,"$PWD/target/release" -o "$out/ours"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY benches/export/sink.py "$port" & sink=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/stats" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/metrics"
bytes() { curl -s "http://127.0.0.1:$port/stats" | $PY -c 'import json,sys; s=json.load(sys.stdin); print(max(s) if s else 0)'; }

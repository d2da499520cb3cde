"""Two threads record into 1000 series while the provider exports every
second to the real collector, for a bounded time: the collector's final
cumulative totals equal what was recorded, to the unit, and resident memory
after warm-up stays flat. (The soak command runs the same program for 30
minutes: see BENCHMARKS.md.)"""

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

SECONDS = int(os.environ.get("OTELMETRICS_LOAD_SECONDS", "6"))


def test_two_threads_1000_series_totals_exact_and_memory_flat(tmp_path):
    exe = compile_c("tests/e2e/programs/load.c", tmp_path, "-pthread")
    with Rotel() as rotel:
        env = program_env(OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
                   OTEL_METRIC_EXPORT_INTERVAL="1000")
        r = subprocess.run([str(exe), str(SECONDS)], env=env, capture_output=True, text=True, timeout=SECONDS + 60)
        assert r.returncode == 0, r.stderr
        lines = dict(line.split(" ", 1) for line in r.stdout.splitlines() if line.startswith(("total", "shutdown")))
        assert lines["shutdown"] == "OK"
        recorded = int(lines["total"])
        rss = [int(line.split()[2]) for line in r.stdout.splitlines() if line.startswith("rss_kib")]

        def final_total_arrived():
            # The last export (at shutdown) holds every series' cumulative
            # total; rotel logs it after answering, line by line, so an
            # earlier export or a half-logged one may be the last for a while.
            last = [b for b in rotel.batches() if b.metrics("load.requests")][-1:]
            points = [p for b in last for m in b.metrics("load.requests") for p in m.data_points]
            assert len(points) == 1000
            assert sum(p.value for p in points) == recorded

        eventually(final_total_arrived, timeout_s=20)
        drift = max(rss) - min(rss)
        print(f"recorded {recorded} measurements; RSS after warm-up {min(rss)}..{max(rss)} KiB (drift {drift} KiB)")
        assert drift < 16 * 1024, f"resident memory grew by {drift} KiB: {rss}"

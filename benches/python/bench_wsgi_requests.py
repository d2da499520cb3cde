"""Whole-request cost of metrics in an instrumented HTTP server: a wsgiref
server wrapped by opentelemetry-instrumentation-wsgi, with no metrics, with the
Python SDK, and with otelmetrics behind the OpenTelemetry API.

    .venv-test/bin/python benches/python/bench_wsgi_requests.py [--requests N] [--rounds R]

Configurations (each server in its own process, since the API's global
provider can be set only once):
  bare         the app without the middleware (what HTTP handling itself costs)
  no-metrics   the middleware with no meter provider set (the API's no-op)
  python-sdk   the middleware, the Python SDK (in-memory reader, no exporter)
  otelmetrics  the middleware, otelmetrics.api.MeterProvider (no exporter)
No tracer provider is set in any: spans are the API's no-op, so what differs
is the metrics. The load comes from ApacheBench (``ab``, Debian's
apache2-utils: ``apt-get install apache2-utils``): GET /api/users, 4 concurrent connections,
which keeps the single-threaded server busy; without ``ab`` a sequential
Python client is used (it then limits the rate itself). wsgiref answers
HTTP/1.0, so every request is a new connection. Reported per configuration,
median of the rounds (rounds interleave the configurations): requests per
second, the server's CPU time per request (user + system from /proc, which
load from other processes disturbs less than wall time), and that CPU time
minus the no-metrics one: the cost of metrics per request.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Tuple

MODES = ("bare", "no-metrics", "python-sdk", "otelmetrics")
ROUTES = ("/api/users", "/api/orders", "/health")


def serve(mode: str) -> None:
    """The server process: prints its port, serves until killed."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from opentelemetry import metrics

    if mode == "python-sdk":
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))
    elif mode == "otelmetrics":
        import otelmetrics.api
        metrics.set_meter_provider(otelmetrics.api.MeterProvider(exporters=["none"]))

    def app(environ, start_response):
        body = b"ok\n"
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    if mode != "bare":
        from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
        app = OpenTelemetryMiddleware(app)
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    print(server.server_port, flush=True)
    server.serve_forever()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(port: int, n: int) -> None:
    ab = shutil.which("ab")
    if ab and n > 200:
        out = subprocess.run([ab, "-q", "-n", str(n), "-c", "4", f"http://127.0.0.1:{port}{ROUTES[0]}"],
                             capture_output=True, text=True, check=True).stdout
        assert "Failed requests:        0" in out and "Non-2xx" not in out, out
        return
    for i in range(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", ROUTES[i % len(ROUTES)])
        response = conn.getresponse()
        response.read()
        conn.close()
        assert response.status == 200


def one_round(mode: str, n: int) -> Tuple[float, float]:
    """(requests per second, server CPU microseconds per request)."""
    server = subprocess.Popen([sys.executable, __file__, "serve", mode], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        drive(port, 200)   # warm-up: imports, first series, caches
        cpu0, t0 = cpu_seconds(server.pid), time.perf_counter()
        drive(port, n)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds(server.pid) - cpu0
        return n / elapsed, cpu / n * 1e6
    finally:
        server.kill()
        server.wait()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: Dict[str, List[Tuple[float, float]]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            results[mode].append(one_round(mode, args.requests))
    base_cpu = statistics.median(c for _, c in results["no-metrics"])
    print(f"{'configuration':14} {'req/s':>8} {'server CPU us/req':>18} {'metrics us/req':>15}")
    for mode in MODES:
        rps = statistics.median(r for r, _ in results[mode])
        cpu = statistics.median(c for _, c in results[mode])
        extra = f"{cpu - base_cpu:15.0f}" if mode in ("python-sdk", "otelmetrics") else f"{'-':>15}"
        print(f"{mode:14} {rps:8.0f} {cpu:18.0f} {extra}")


if __name__ == "__main__":
    main()

"""Serves /metrics for Prometheus to scrape (pull instead of push).

    python examples/python/prometheus_endpoint.py [seconds] [port]
    curl http://127.0.0.1:9464/metrics

Port 0 picks a free port; the one chosen is printed.
"""

import random
import sys
import time

from otelmetrics import MeterProvider

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
port = int(sys.argv[2]) if len(sys.argv) > 2 else 9464

with MeterProvider(service_name="shop", exporters=["prometheus"], prometheus_host="127.0.0.1",
                   prometheus_port=port) as provider:
    print(f"serving http://127.0.0.1:{provider.prometheus_port}/metrics for {seconds:g}s", flush=True)
    meter = provider.get_meter("shop")
    requests = meter.create_counter("http.server.requests", description="Requests served")
    latency = meter.create_histogram("http.server.duration", unit="ms",
                                     explicit_bucket_boundaries_advisory=[5, 10, 25, 50, 100])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        route = random.choice(["/", "/cart", "/checkout"])
        requests.add(1, {"route": route})
        latency.record(random.expovariate(1 / 20), {"route": route})
        time.sleep(0.01)

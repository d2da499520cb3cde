"""Through the OpenTelemetry API: otelmetrics (``otelmetrics.api``) against
the Python SDK, same work, one process.

    .venv-test/bin/python benches/python/bench_api_vs_sdk.py [--calls N] [--rounds R]

Each side's meter comes from ``opentelemetry.metrics.get_meter(name,
meter_provider=...)``, the API's own function, and is used through the API's
signatures, as instrumentation libraries do:
  - counter.add(1, {"http.request.method": "GET", "http.route": "/api/v1/users", "http.response.status_code": 200})
  - histogram.record(0.0125, the same attributes)
  - counter.add(1) with no attributes
  - the counter created before the provider was known (the API's proxy
    instrument in front of each side's counter)
Both providers have an in-memory reader and no exporter, so only recording
is timed. Rounds alternate between the two; the table gives the median round
and, for the ratio, the range over rounds paired in time.
"""

from __future__ import annotations

from typing import Callable, Dict

import paired

from opentelemetry import metrics
from opentelemetry.metrics._internal import _ProxyMeter

ATTRS = {"http.request.method": "GET", "http.route": "/api/v1/users", "http.response.status_code": 200}
TARGETS = {"counter.add (dict of 3)": 6.0, "histogram.record (dict of 3)": 6.0}


def cases(provider: metrics.MeterProvider) -> Dict[str, Callable[[int], None]]:
    meter = metrics.get_meter("bench", meter_provider=provider)
    counter, histogram, bare = meter.create_counter("requests"), meter.create_histogram("duration", "s"), \
        meter.create_counter("bare")
    proxy_meter = _ProxyMeter("bench.proxy")      # what get_meter returns before set_meter_provider
    proxied = proxy_meter.create_counter("proxied")
    proxy_meter.on_set_meter_provider(provider)

    def add(n: int) -> None:
        for _ in range(n):
            counter.add(1, ATTRS)

    def record(n: int) -> None:
        for _ in range(n):
            histogram.record(0.0125, ATTRS)

    def add_bare(n: int) -> None:
        for _ in range(n):
            bare.add(1)

    def add_proxied(n: int) -> None:
        for _ in range(n):
            proxied.add(1, ATTRS)

    return {"counter.add (dict of 3)": add, "histogram.record (dict of 3)": record,
            "counter.add (no attributes)": add_bare, "proxy counter.add (dict of 3)": add_proxied}



def main() -> None:
    args = paired.arguments(__doc__.splitlines()[0])
    from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    import otelmetrics.api

    sdk = cases(SdkMeterProvider(metric_readers=[InMemoryMetricReader()]))
    ours = cases(otelmetrics.api.MeterProvider(exporters=["none"], in_memory=True))
    paired.compare(sdk, ours, TARGETS, calls=args.calls, rounds=args.rounds)


if __name__ == "__main__":
    main()

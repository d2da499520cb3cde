"""otelmetrics against the OpenTelemetry Python SDK, same work, one process.

    .venv-test/bin/python benches/python/bench_vs_sdk.py [--calls N] [--rounds R]

Measures nanoseconds per call for:
  - counter.add(1, {"method": "GET", "route": "/api/v1/users", "status": 200})
  - the same with a pre-built ``otelmetrics.Attributes`` (the SDK: its dict add)
  - the same counter bound to those attributes (otelmetrics only; the SDK has
    no bound instruments, so it is compared with the SDK's unbound add)
  - histogram.record(12.5, same attributes)
Both providers use an in-memory reader and no exporter, so only the
recording path is timed. Each case runs in rounds that alternate between the
two libraries; the table reports the median round (noise from other
processes on a shared machine hits both alike).
"""

from __future__ import annotations

from typing import Callable, Dict, Union

import paired

ATTRS: Dict[str, Union[str, int]] = {"method": "GET", "route": "/api/v1/users", "status": 200}
TARGETS = {"counter.add (dict of 3)": 6.0, "bound counter.add": 15.0}


def otel_sdk_cases() -> Dict[str, Callable[[int], None]]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    meter = MeterProvider(metric_readers=[InMemoryMetricReader()]).get_meter("bench")
    counter, histogram = meter.create_counter("requests"), meter.create_histogram("latency")

    def add(n: int) -> None:
        for _ in range(n):
            counter.add(1, ATTRS)

    def record(n: int) -> None:
        for _ in range(n):
            histogram.record(12.5, ATTRS)

    return {"counter.add (dict of 3)": add, "counter.add (Attributes set)": add, "bound counter.add": add,
            "histogram.record (dict of 3)": record}


def otelmetrics_cases() -> Dict[str, Callable[[int], None]]:
    import otelmetrics

    provider = otelmetrics.MeterProvider(exporters=["none"], in_memory=True)
    meter = provider.get_meter("bench")
    counter, histogram = meter.create_counter("requests"), meter.create_histogram("latency")
    bound = counter.bind(ATTRS)
    prebuilt = otelmetrics.Attributes(ATTRS)

    def add(n: int) -> None:
        for _ in range(n):
            counter.add(1, ATTRS)

    def add_set(n: int) -> None:
        for _ in range(n):
            counter.add(1, prebuilt)

    def bound_add(n: int) -> None:
        for _ in range(n):
            bound.add(1)

    def record(n: int) -> None:
        for _ in range(n):
            histogram.record(12.5, ATTRS)

    return {"counter.add (dict of 3)": add, "counter.add (Attributes set)": add_set, "bound counter.add": bound_add,
            "histogram.record (dict of 3)": record}



def main() -> None:
    args = paired.arguments(__doc__.splitlines()[0])
    paired.compare(otel_sdk_cases(), otelmetrics_cases(), TARGETS, calls=args.calls, rounds=args.rounds)


if __name__ == "__main__":
    main()

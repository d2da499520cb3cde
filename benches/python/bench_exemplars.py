"""What exemplars cost from Python: otelmetrics against the Python SDK (whose
default filter, trace_based, takes exemplars too), same work, one process.

    .venv-test/bin/python benches/python/bench_exemplars.py [--calls N] [--rounds R]

The cases of ``bench_vs_sdk.py`` (counter.add and histogram.record with a
dict of 3 attributes; otelmetrics' bound add against the SDK's unbound add),
each outside any span and inside a sampled span of the Python SDK's
TracerProvider (made current once per round, as a request handler's span
is): the difference is what taking an exemplar costs each library, with
the lookup of the current span included.
"""

from __future__ import annotations

from typing import Callable, Dict, Union

import paired
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

ATTRS: Dict[str, Union[str, int]] = {"method": "GET", "route": "/api/v1/users", "status": 200}
Cases = Dict[str, Callable[[int], None]]
SPAN = TracerProvider().get_tracer("bench").start_span("request")   # sampled (the default sampler)


def in_span(fn: Callable[[int], None]) -> Callable[[int], None]:
    def run(n: int) -> None:
        with trace.use_span(SPAN):
            fn(n)
    return run


def both(add: Callable[[int], None], bound_add: Callable[[int], None],
         record: Callable[[int], None]) -> Cases:
    return {"counter.add, no span": add, "counter.add, sampled span": in_span(add),
            "bound counter.add, no span": bound_add, "bound counter.add, sampled span": in_span(bound_add),
            "histogram.record, no span": record, "histogram.record, sampled span": in_span(record)}


def otel_sdk_cases() -> Cases:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    meter = MeterProvider(metric_readers=[InMemoryMetricReader()]).get_meter("bench")
    counter, histogram = meter.create_counter("requests"), meter.create_histogram("latency")

    def add(n: int) -> None:
        for _ in range(n):
            counter.add(1, ATTRS)

    def record(n: int) -> None:
        for i in range(n):
            histogram.record(float(i % 1000), ATTRS)

    return both(add, add, record)


def otelmetrics_cases() -> Cases:
    import otelmetrics

    provider = otelmetrics.MeterProvider(exporters=["none"], in_memory=True)
    meter = provider.get_meter("bench")
    counter, histogram = meter.create_counter("requests"), meter.create_histogram("latency")
    bound = counter.bind(ATTRS)

    def add(n: int) -> None:
        for _ in range(n):
            counter.add(1, ATTRS)

    def bound_add(n: int) -> None:
        for _ in range(n):
            bound.add(1)

    def record(n: int) -> None:
        for i in range(n):
            histogram.record(float(i % 1000), ATTRS)

    return both(add, bound_add, record)


def main() -> None:
    args = paired.arguments(__doc__.splitlines()[0])
    paired.compare(otel_sdk_cases(), otelmetrics_cases(), {}, calls=args.calls, rounds=args.rounds)


if __name__ == "__main__":
    main()

"""What exemplars cost from Python: otelmetrics against the Python SDK (whose
default filter, trace_based, takes exemplars too), same work, one process.

    .venv-test/bin/python benches/python/bench_exemplars.py [--calls N] [--rounds R]

The cases of ``bench_vs_sdk.py`` (counter.add and histogram.record(12.5) with
a dict of 3 attributes; otelmetrics' bound add against the SDK's unbound add),
each outside any span and inside a sampled span of the Python SDK's
TracerProvider (made current once per round, as a request handler's span
is): the difference is what taking an exemplar costs each library, with
the lookup of the current span included.
"""

from __future__ import annotations

from typing import Callable, Dict

import bench_vs_sdk
import paired
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

Cases = Dict[str, Callable[[int], None]]
SPAN = TracerProvider().get_tracer("bench").start_span("request")   # sampled (the default sampler)
# bench_vs_sdk's cases measured here (the SDK's side of the bound row is its unbound add)
CASES = {"counter.add": "counter.add (dict of 3)", "bound counter.add": "bound counter.add",
         "histogram.record": "histogram.record (dict of 3)"}


def in_span(fn: Callable[[int], None]) -> Callable[[int], None]:
    def run(n: int) -> None:
        with trace.use_span(SPAN):
            fn(n)
    return run


def with_and_without_span(cases: Cases) -> Cases:
    out = {}
    for name, case in CASES.items():
        out[f"{name}, no span"] = cases[case]
        out[f"{name}, sampled span"] = in_span(cases[case])
    return out


def main() -> None:
    args = paired.arguments(__doc__.splitlines()[0])
    paired.compare(with_and_without_span(bench_vs_sdk.otel_sdk_cases()),
                   with_and_without_span(bench_vs_sdk.otelmetrics_cases()), {}, calls=args.calls, rounds=args.rounds)


if __name__ == "__main__":
    main()

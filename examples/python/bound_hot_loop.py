"""Bound instruments in a hot loop: bind once per series, then each call is
one native call with no attribute conversion at all.

    python examples/python/bound_hot_loop.py [iterations]
"""

import sys
import time

from otelmetrics import Attributes, MeterProvider

iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000

with MeterProvider(service_name="hot-loop", exporters=["console"], export_interval_millis=60_000) as provider:
    meter = provider.get_meter("hot-loop")
    processed = meter.create_counter("items.processed", unit="{item}")
    sizes = meter.create_histogram("item.size", unit="By", value_type=int,
                                   explicit_bucket_boundaries_advisory=[64, 256, 1024])

    # One bound instrument per series you record on in the loop...
    ok = processed.bind({"outcome": "ok", "queue": "default"})
    failed = processed.bind({"outcome": "failed", "queue": "default"})
    # ...or a reusable attribute set when the instrument varies.
    default_queue = Attributes({"queue": "default"})

    start = time.perf_counter()
    for i in range(iterations):
        (failed if i % 100 == 0 else ok).add(1)
        if i % 10 == 0:
            sizes.record(i % 2000, default_queue)
    elapsed = time.perf_counter() - start
    print(f"{iterations} iterations in {elapsed:.3f}s ({elapsed / iterations * 1e9:.0f} ns each)", flush=True)

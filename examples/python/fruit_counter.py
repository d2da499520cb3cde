"""The fruit counter of the OpenTelemetry.jl tutorial, pushing OTLP to a collector.

Configured from the environment like any OpenTelemetry SDK:

    pip install ./bindings/python
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 python examples/python/fruit_counter.py

With no collector configured it prints what it would send (console exporter).
"""

import os
import sys

from otelmetrics import MeterProvider

configured = any(os.environ.get(v) for v in (
    "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"))
if not configured:
    print("No collector configured (OTEL_EXPORTER_OTLP_ENDPOINT): printing what would be sent.", flush=True)

provider = MeterProvider(service_name=os.environ.get("OTEL_SERVICE_NAME", "fruit-shop"),
                         exporters=None if configured else ["console"])
meter = provider.get_meter("fruit-shop", "0.1.0")
fruits = meter.create_counter("fruit_counter", unit="{fruit}", description="Counts the fruits sold")

red_apple = {"name": "apple", "color": "red"}
yellow_lemon = {"name": "lemon", "color": "yellow"}
fruits.add(1, red_apple)
fruits.add(2, yellow_lemon)
fruits.add(1, yellow_lemon)
fruits.add(2, red_apple)
fruits.add(5, yellow_lemon)
fruits.add(4, yellow_lemon)

# Shutdown exports what is left, within 5 s whatever the collector does.
try:
    provider.shutdown(timeout_millis=5000)
except Exception as e:   # e.g. otelmetrics.errors.ExportFailedError: collector unreachable
    sys.exit(f"shutdown: {e}")

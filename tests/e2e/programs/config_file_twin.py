"""The configuration example's workload through the OpenTelemetry API, for
a differential test: behind the API is either the Python SDK configured from
OTEL_CONFIG_FILE by opentelemetry-configuration (argument `sdk`) or
otelmetrics (`otelmetrics`: OTEL_PYTHON_METER_PROVIDER=otelmetrics, which
reads OTEL_CONFIG_FILE itself). Prints `ready` once recorded, waits for a line
on stdin (the test scrapes the Prometheus endpoint meanwhile), then shuts
down, which exports to the file's OTLP collector, and prints `shutdown OK`."""

import os
import sys

from opentelemetry import metrics

if sys.argv[1] == "sdk":
    from opentelemetry.configuration import configure_sdk, load_config_file

    configure_sdk(load_config_file(os.environ["OTEL_CONFIG_FILE"]))
provider = metrics.get_meter_provider()
meter = provider.get_meter("config.twin", "1.0")
latency = meter.create_histogram("e2e.latency", unit="ms", description="Latency")
for value in (0.5, 5, 50, 500, 5000):
    latency.record(value, {"method": "GET"})
meter.create_counter("e2e.requests", unit="{request}", description="Requests").add(5, {"method": "GET"})
print("ready", flush=True)
sys.stdin.readline()
provider.shutdown()
print("shutdown OK", flush=True)

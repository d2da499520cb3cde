"""An application that knows only the OpenTelemetry API (``opentelemetry-api``),
its metrics recorded and exported by otelmetrics. Nothing in the shop code
below names otelmetrics; only the setup picks the SDK, one of three ways:

    pip install './bindings/python[api]'
    # 1. in code (this file does it when given --in-code)
    python examples/python/api_app.py --in-code
    # 2. one setting: the API loads otelmetrics, configured by the OTEL_* variables
    OTEL_PYTHON_METER_PROVIDER=otelmetrics OTEL_METRICS_EXPORTER=console python examples/python/api_app.py
    # 3. zero-code instrumentation (pip install opentelemetry-distro): metrics through
    #    otelmetrics, traces and logs through the Python SDK
    OTEL_PYTHON_CONFIGURATOR=otelmetrics OTEL_METRICS_EXPORTER=console OTEL_TRACES_EXPORTER=none \\
        opentelemetry-instrument python examples/python/api_app.py

Point it at a collector instead of the console with the standard variables
(``OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318``, no ``OTEL_METRICS_EXPORTER``).
"""

import sys

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

# Instrumentation code gets its meter at import time, before any provider is
# set: the API hands out proxies, which start recording once one is set.
meter = metrics.get_meter("fruit.shop", "1.0")
sold = meter.create_counter("fruit.sold", unit="{fruit}", description="Fruits sold")
basket = meter.create_histogram("basket.size", unit="{fruit}", description="Fruits per basket",
                                explicit_bucket_boundaries_advisory=[1, 2, 5, 10])


def queue_lengths(options: CallbackOptions):
    yield Observation(3, {"till": "1"})
    yield Observation(0, {"till": "2"})


meter.create_observable_gauge("till.queue", [queue_lengths], unit="{customer}")


def main() -> None:
    if "--in-code" in sys.argv:
        import otelmetrics.api
        metrics.set_meter_provider(otelmetrics.api.MeterProvider(service_name="fruit-shop", exporters=["console"]))
    for fruit, count in [("apple", 2), ("lemon", 5), ("apple", 1)]:
        sold.add(count, {"fruit": fruit})
        basket.record(count, {"fruit": fruit})
    sold.add(-1, {"fruit": "apple"})   # an API call never raises: logged (logger otelmetrics.api) and dropped
    provider = metrics.get_meter_provider()
    if hasattr(provider, "shutdown"):   # (the API's placeholder, when no SDK was chosen, has none)
        provider.shutdown()   # exports what is left (also done at interpreter exit)


if __name__ == "__main__":
    main()

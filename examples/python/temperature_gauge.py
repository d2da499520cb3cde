"""An observable gauge: the library asks for the temperature at every export.

    python examples/python/temperature_gauge.py [seconds]

The callback runs on the library's export thread; it returns observations,
one per sensor. Exports every second to the console (or to the collector
set in OTEL_EXPORTER_OTLP_ENDPOINT).
"""

import math
import os
import sys
import time

from otelmetrics import CallbackOptions, MeterProvider, Observation

START = time.monotonic()


def read_sensors(options: CallbackOptions):
    """A made-up temperature per room, drifting slowly."""
    t = time.monotonic() - START
    yield Observation(round(21.0 + math.sin(t / 10), 2), {"room": "kitchen"})
    yield Observation(round(18.5 + math.cos(t / 10), 2), {"room": "cellar"})


seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
configured = bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_METRICS_EXPORTER"))
with MeterProvider(service_name="thermometer", exporters=None if configured else ["console"],
                   export_interval_millis=1000) as provider:
    meter = provider.get_meter("thermometer")
    meter.create_observable_gauge("room.temperature", callbacks=[read_sensors], unit="Cel",
                                  description="Temperature per room")
    time.sleep(seconds)   # the export thread reads the sensors once a second meanwhile

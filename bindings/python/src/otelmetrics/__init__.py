"""OpenTelemetry metrics for Python over the otelmetrics shared library (ctypes).

    from otelmetrics import MeterProvider
    provider = MeterProvider(service_name="shop", exporters=["otlp"])
    counter = provider.get_meter("shop").create_counter("fruits", description="fruits sold")
    counter.add(3, {"name": "apple"})
    provider.shutdown()
"""

from __future__ import annotations

from . import _lifecycle
from ._attributes import Attributes
from ._instruments import (BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter, Counter, Gauge,
                           Histogram, UpDownCounter)
from ._library import LIBRARY_PATH, LIBRARY_VERSION
from ._spans import clear_current_span, set_current_span
from ._observable import (CallbackOptions, Observation, ObservableCounter, ObservableGauge,
                          ObservableInstrument, ObservableUpDownCounter)
from .errors import OtelmetricsError
from .meter import Meter
from .provider import MeterProvider
from .view import (DropAggregation, ExplicitBucketHistogramAggregation, ExponentialBucketHistogramAggregation,
                   LastValueAggregation, SumAggregation, View)

__version__ = "0.1.0"

__all__ = [
    "MeterProvider", "Meter", "Attributes", "Observation", "CallbackOptions",
    "Counter", "UpDownCounter", "Histogram", "Gauge",
    "BoundCounter", "BoundUpDownCounter", "BoundHistogram", "BoundGauge",
    "ObservableInstrument", "ObservableCounter", "ObservableUpDownCounter", "ObservableGauge",
    "View", "DropAggregation", "SumAggregation", "LastValueAggregation",
    "ExplicitBucketHistogramAggregation", "ExponentialBucketHistogramAggregation",
    "OtelmetricsError", "set_current_span", "clear_current_span", "LIBRARY_PATH", "LIBRARY_VERSION", "__version__",
]

_lifecycle.install()

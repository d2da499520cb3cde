"""otelmetrics as the metrics SDK behind the OpenTelemetry API
(``opentelemetry-api``, installed by ``pip install 'otelmetrics[api]'``)::

    from opentelemetry import metrics
    import otelmetrics.api
    metrics.set_meter_provider(otelmetrics.api.MeterProvider(service_name="shop"))
    metrics.get_meter("shop").create_counter("fruits").add(3, {"name": "apple"})

or, with no code: ``OTEL_PYTHON_METER_PROVIDER=otelmetrics`` (the entry point
``opentelemetry_meter_provider``/``otelmetrics``), and for zero-code
instrumentation ``OTEL_PYTHON_CONFIGURATOR=otelmetrics opentelemetry-instrument
python app.py`` (``otelmetrics._api_configurator``).
"""

from __future__ import annotations

try:
    import opentelemetry.metrics  # noqa: F401
except ImportError as error:   # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("otelmetrics.api needs the OpenTelemetry API: pip install 'otelmetrics[api]' "
                      "(or opentelemetry-api)") from error

from ._api_instruments import (Counter, Gauge, Histogram, ObservableCounter, ObservableGauge,
                           ObservableUpDownCounter, UpDownCounter)
from ._api_meter import Meter
from ._api_provider import MeterProvider

__all__ = ["MeterProvider", "Meter", "Counter", "UpDownCounter", "Histogram", "Gauge",
           "ObservableCounter", "ObservableUpDownCounter", "ObservableGauge"]

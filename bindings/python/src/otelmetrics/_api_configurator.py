"""Zero-code instrumentation with otelmetrics for metrics::

    OTEL_PYTHON_CONFIGURATOR=otelmetrics opentelemetry-instrument python app.py

``opentelemetry-instrument`` (``opentelemetry-instrumentation``) runs the
configurator named by ``OTEL_PYTHON_CONFIGURATOR`` (entry point group
``opentelemetry_configurator``) before it instruments the libraries. This one
sets an ``otelmetrics.api.MeterProvider`` configured by the ``OTEL_*``
environment as the global meter provider, then lets the Python SDK's own
configurator (the one ``opentelemetry-distro`` uses) set up traces and logs
as usual, with its metrics part switched off.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Any, Iterator

from opentelemetry import metrics
from opentelemetry.sdk._configuration import _OTelSDKConfigurator

from ._api_provider import MeterProvider

_API_LOGGER = "opentelemetry.metrics._internal"


class _OnlyOneProvider(logging.Filter):
    """The SDK's part tries to set its own meter provider after ours; the API
    refuses and warns. That refusal is the point here: not worth a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Overriding of current MeterProvider" not in record.getMessage()


@contextmanager
def _sdk_metrics_off() -> Iterator[None]:
    saved = os.environ.get("OTEL_METRICS_EXPORTER")
    os.environ["OTEL_METRICS_EXPORTER"] = "none"   # the SDK's provider then has no reader, no thread
    quiet = _OnlyOneProvider()
    logging.getLogger(_API_LOGGER).addFilter(quiet)
    try:
        yield
    finally:
        logging.getLogger(_API_LOGGER).removeFilter(quiet)
        if saved is None:
            os.environ.pop("OTEL_METRICS_EXPORTER", None)
        else:
            os.environ["OTEL_METRICS_EXPORTER"] = saved


class Configurator(_OTelSDKConfigurator):
    """Metrics through otelmetrics; traces and logs through the Python SDK."""

    def _configure(self, **kwargs: Any) -> None:
        metrics.set_meter_provider(MeterProvider())
        with _sdk_metrics_off():
            super()._configure(**kwargs)

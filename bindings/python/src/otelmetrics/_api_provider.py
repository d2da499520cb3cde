"""The OpenTelemetry API's ``MeterProvider`` over an otelmetrics ``MeterProvider``."""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, Mapping, Optional, Tuple

from opentelemetry import metrics as api

from . import provider as core
from ._api_meter import Meter

logger = logging.getLogger("otelmetrics.api")


def _scope_key(name: str, version: Optional[str], schema_url: Optional[str],
               attributes: Optional[Mapping[str, Any]]) -> Tuple[Any, ...]:
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (attributes or {}).items()))
    return (name, version, schema_url, frozen)


class MeterProvider(api.MeterProvider):
    """otelmetrics behind ``opentelemetry.metrics``::

        from opentelemetry import metrics
        metrics.set_meter_provider(otelmetrics.api.MeterProvider(service_name="shop"))

    Keyword arguments are ``otelmetrics.MeterProvider``'s, passed through; with
    none (as ``OTEL_PYTHON_METER_PROVIDER=otelmetrics`` makes it) the provider
    is configured by the ``OTEL_*`` environment alone. ``provider=`` wraps an
    ``otelmetrics.MeterProvider`` made before instead. ``.provider`` is the
    otelmetrics provider underneath (``read_json()``, ``prometheus_port``,
    ``prometheus_ports`` ...).

    Unlike otelmetrics' own classes, nothing here raises once constructed:
    refused calls are logged on the ``otelmetrics.api`` logger.
    """

    def __init__(self, provider: Optional[core.MeterProvider] = None, **settings: Any) -> None:
        if provider is not None and settings:
            raise TypeError("pass either an otelmetrics.MeterProvider or settings, not both")
        if provider is None:
            provider = core.MeterProvider(**settings) if settings else _from_env()
        self.provider: Optional[core.MeterProvider] = provider
        self._meters: Dict[Tuple[Any, ...], Meter] = {}
        self._lock = threading.Lock()

    def get_meter(self, name: str, version: Optional[str] = None, schema_url: Optional[str] = None,
                  attributes: Optional[Mapping[str, Any]] = None) -> api.Meter:
        if not name or self.provider is None:
            if not name:
                logger.warning("Meter name cannot be None or empty: a no-op meter is returned")
            return api.NoOpMeter(name, version=version, schema_url=schema_url)
        try:
            key = _scope_key(name, version, schema_url, attributes)
            with self._lock:
                meter = self._meters.get(key)
                if meter is None:
                    meter = self._meters[key] = Meter(self.provider.get_meter(name, version, schema_url, attributes),
                                                      name, version, schema_url)
            return meter
        except Exception as error:
            logger.error("meter %r not created, its instruments will record nothing: %s", name, error)
            return api.NoOpMeter(name, version=version, schema_url=schema_url)

    def force_flush(self, timeout_millis: float = 30_000) -> bool:
        """Collects and exports now; False (logged) if that failed or timed out."""
        try:
            return self.provider is not None and self.provider.force_flush(timeout_millis)
        except Exception as error:
            logger.warning("force_flush failed: %s", error)
            return False

    def shutdown(self, timeout_millis: float = 30_000) -> None:
        """Exports what is left and stops; failures are logged."""
        try:
            if self.provider is not None:
                self.provider.shutdown(timeout_millis)
        except Exception as error:
            logger.warning("shutdown: the last export failed: %s", error)


def _from_env() -> Optional[core.MeterProvider]:
    """The provider the ``OTEL_*`` environment describes; on a configuration
    error, None (logged): the application runs on, with no-op meters."""
    try:
        return core.MeterProvider.from_env()
    except Exception as error:
        logger.error("otelmetrics: no meter provider from the OTEL_* environment, metrics are off: %s", error)
        return None

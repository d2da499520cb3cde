"""The OpenTelemetry API's ``Meter`` over an otelmetrics ``Meter``.

Creating an instrument never raises: an invalid name or unit is logged and
gets the API's no-op instrument (the Python SDK raises there). Creating the
same instrument twice (same name, case-insensitively, kind, unit and
description) returns the first one, as in the Python SDK; the API's
registration check logs a conflicting histogram advisory.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, Optional, Sequence

from opentelemetry import metrics as api
from opentelemetry.metrics._internal.instrument import _MetricsHistogramAdvisory

from . import _api_instruments as inst

logger = logging.getLogger("otelmetrics.api")

class Meter(api.Meter):
    """Get one from ``otelmetrics.api.MeterProvider.get_meter`` (or through
    ``opentelemetry.metrics.get_meter`` once the provider is set)."""

    def __init__(self, meter: Any, name: str, version: Optional[str], schema_url: Optional[str]) -> None:
        super().__init__(name, version=version, schema_url=schema_url)
        self._meter = meter   # the otelmetrics Meter
        self._made: Dict[str, Any] = {}
        self._lock = threading.Lock()

    def _instrument(self, cls: type, name: str, unit: str, description: str, make: Callable[[str, str], Any],
                    no_op: Callable[..., Any], advisory: Optional[_MetricsHistogramAdvisory] = None) -> Any:
        """The instrument ``make(unit, description)`` makes, or the one made
        before with the same identity, or (logged) ``no_op(name, unit=, description=)``."""
        unit = "" if unit is None else unit
        description = "" if description is None else description
        try:
            checked = api.Instrument._check_name_unit_description(name, unit, description)
            if checked["name"] is None or checked["unit"] is None or not isinstance(description, str):
                raise ValueError(f"invalid name {name!r} or unit {unit!r} (a name is a letter, then up to 254 "
                                 "of A-Z a-z 0-9 _ . - /; a unit is at most 63 ASCII characters)")
            status = self._register_instrument(name, cls, unit, description, advisory)
            with self._lock:
                found = self._made.get(status.instrument_id)
                if found is None:
                    found = self._made[status.instrument_id] = make(unit, description)
            if status.conflict:
                self._log_instrument_registration_conflict(name, cls.__name__, unit, description, status)
            return found
        except Exception as error:   # the API promises no exceptions: a no-op instrument instead
            logger.error("meter %r: %s %r not created, its measurements will be dropped: %s", self.name,
                         cls.__name__, name, error)
            return no_op(name, unit=unit, description=description)

    def create_counter(self, name: str, unit: str = "", description: str = "") -> api.Counter:
        return self._instrument(inst.Counter, name, unit, description,
                                lambda u, d: inst.Counter(self._meter, name, u, d), api.NoOpCounter)

    def create_up_down_counter(self, name: str, unit: str = "", description: str = "") -> api.UpDownCounter:
        return self._instrument(inst.UpDownCounter, name, unit, description,
                                lambda u, d: inst.UpDownCounter(self._meter, name, u, d),
                                api.NoOpUpDownCounter)

    def create_histogram(self, name: str, unit: str = "", description: str = "", *,
                         explicit_bucket_boundaries_advisory: Optional[Sequence[float]] = None) -> api.Histogram:
        bounds = explicit_bucket_boundaries_advisory
        return self._instrument(inst.Histogram, name, unit, description,
                                lambda u, d: inst.Histogram(self._meter, name, u, d, bounds),
                                api.NoOpHistogram, _MetricsHistogramAdvisory(explicit_bucket_boundaries=bounds))

    def create_gauge(self, name: str, unit: str = "", description: str = "") -> api._Gauge:
        return self._instrument(inst.Gauge, name, unit, description,
                                lambda u, d: inst.Gauge(self._meter, name, u, d), api._NoOpGauge)

    def create_observable_counter(self, name: str, callbacks: Optional[Sequence[Any]] = None, unit: str = "",
                                  description: str = "") -> api.ObservableCounter:
        return self._instrument(inst.ObservableCounter, name, unit, description,
                                lambda u, d: inst.ObservableCounter(self._meter, name, callbacks, u, d),
                                api.NoOpObservableCounter)

    def create_observable_up_down_counter(self, name: str, callbacks: Optional[Sequence[Any]] = None,
                                          unit: str = "", description: str = "") -> api.ObservableUpDownCounter:
        return self._instrument(
            inst.ObservableUpDownCounter, name, unit, description,
            lambda u, d: inst.ObservableUpDownCounter(self._meter, name, callbacks, u, d),
            api.NoOpObservableUpDownCounter)

    def create_observable_gauge(self, name: str, callbacks: Optional[Sequence[Any]] = None, unit: str = "",
                                description: str = "") -> api.ObservableGauge:
        return self._instrument(inst.ObservableGauge, name, unit, description,
                                lambda u, d: inst.ObservableGauge(self._meter, name, callbacks, u, d),
                                api.NoOpObservableGauge)

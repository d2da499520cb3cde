"""``Meter``: one instrumentation scope of a provider; creates instruments.

``value_type`` picks the C instrument: ``int`` is the kind's integer type
(u64 for counters and histograms, i64 for up-down counters and gauges),
``float`` is f64, and "u64"/"i64"/"f64" name one exactly.
"""

from __future__ import annotations

from ctypes import byref, c_double, c_void_p
from typing import Any, List, Optional, Sequence

from . import _ffi, _kinds
from ._handle import Handle
from ._instruments import Counter, Gauge, Histogram, UpDownCounter
from ._library import FNS
from ._observable import Callback, ObservableCounter, ObservableGauge, ObservableUpDownCounter
from ._status import check


def _text(what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    return value


class Meter(Handle):
    """Get one with ``MeterProvider.get_meter(name, version, schema_url, attributes)``."""

    __slots__ = ("name", "version", "schema_url", "_parent", "_observables")

    def __init__(self, provider: Any, address: int, name: str, version: str, schema_url: str) -> None:
        self.name, self.version, self.schema_url = name, version, schema_url
        self._parent = provider   # a meter keeps its provider alive
        # as in OpenTelemetry, an observable reports without the caller keeping a
        # reference: the meter keeps it (until its close())
        self._observables: List[Any] = []
        self._own(address, FNS.otelmetrics_meter_free)

    def _create(self, cls: Any, kind: str, name: str, unit: str, description: str, value_type: Any,
                *advisory: Any) -> Any:
        vt = _kinds.resolve(kind, value_type)
        out = c_void_p()
        s = _ffi.str_view
        create = getattr(FNS, f"otelmetrics_meter_create_{kind}_{vt.suffix}")
        check(create(self._h, s(_text("name", name)), s(_text("description", description)),
                     s(_text("unit", unit)), *advisory, byref(out)))
        return cls(self, out.value, name, unit, description, vt)

    def create_counter(self, name: str, unit: str = "", description: str = "", *,
                       value_type: Any = int) -> Counter:
        return self._create(Counter, "counter", name, unit, description, value_type)

    def create_up_down_counter(self, name: str, unit: str = "", description: str = "", *,
                               value_type: Any = int) -> UpDownCounter:
        return self._create(UpDownCounter, "up_down_counter", name, unit, description, value_type)

    def create_histogram(self, name: str, unit: str = "", description: str = "", *,
                         explicit_bucket_boundaries_advisory: Optional[Sequence[float]] = None,
                         value_type: Any = float) -> Histogram:
        bounds = list(explicit_bucket_boundaries_advisory or [])
        for b in bounds:
            if isinstance(b, bool) or not isinstance(b, (int, float)):
                raise TypeError(f"bucket boundaries must be numbers, not {type(b).__name__}")
        array = (c_double * len(bounds))(*bounds) if bounds else None
        return self._create(Histogram, "histogram", name, unit, description, value_type, array, len(bounds))

    def create_gauge(self, name: str, unit: str = "", description: str = "", *,
                     value_type: Any = float) -> Gauge:
        return self._create(Gauge, "gauge", name, unit, description, value_type)

    def _observable(self, cls: Any, kind: str, name: str, callbacks: Optional[Sequence[Callback]], unit: str,
                    description: str, value_type: Any) -> Any:
        vt = _kinds.resolve(kind, value_type, observable=True)
        instrument = cls(self, _text("name", name), callbacks, _text("unit", unit),
                         _text("description", description), vt)
        self._observables.append(instrument)
        return instrument

    def create_observable_counter(self, name: str, callbacks: Optional[Sequence[Callback]] = None,
                                  unit: str = "", description: str = "", *,
                                  value_type: Any = int) -> ObservableCounter:
        return self._observable(ObservableCounter, "counter", name, callbacks, unit, description, value_type)

    def create_observable_up_down_counter(self, name: str, callbacks: Optional[Sequence[Callback]] = None,
                                          unit: str = "", description: str = "", *,
                                          value_type: Any = int) -> ObservableUpDownCounter:
        return self._observable(ObservableUpDownCounter, "up_down_counter", name, callbacks, unit,
                                description, value_type)

    def create_observable_gauge(self, name: str, callbacks: Optional[Sequence[Callback]] = None,
                                unit: str = "", description: str = "", *,
                                value_type: Any = float) -> ObservableGauge:
        return self._observable(ObservableGauge, "gauge", name, callbacks, unit, description, value_type)

    def __repr__(self) -> str:
        return f"Meter({self.name!r}, version={self.version!r})"

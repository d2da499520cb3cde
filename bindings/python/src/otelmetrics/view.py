"""Views: select instruments, then change the streams they produce (name,
description, attribute keys, aggregation, cardinality limit), after the
OpenTelemetry Python SDK's ``View`` and aggregation classes."""

from __future__ import annotations

from ctypes import byref, c_double, c_void_p
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from . import _ffi
from ._library import FNS
from ._status import check


@dataclass(frozen=True)
class DropAggregation:
    """Drops the selected instruments' data."""


@dataclass(frozen=True)
class SumAggregation:
    """Aggregates as a sum."""


@dataclass(frozen=True)
class LastValueAggregation:
    """Keeps the last value."""


@dataclass(frozen=True)
class ExplicitBucketHistogramAggregation:
    """A histogram with these bucket boundaries (finite, strictly increasing)."""

    boundaries: Sequence[float] = (0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0,
                                   1000.0, 2500.0, 5000.0, 7500.0, 10000.0)
    record_min_max: bool = True


@dataclass(frozen=True)
class ExponentialBucketHistogramAggregation:
    """A base-2 exponential histogram."""

    max_size: int = 160
    max_scale: int = 20
    record_min_max: bool = True


def _instrument_kind(instrument_type: Any) -> int:
    from . import _instruments, _observable   # the classes a view can select by type
    kinds = {_instruments.Counter: 1, _instruments.UpDownCounter: 2, _instruments.Histogram: 3,
             _instruments.Gauge: 4, _observable.ObservableCounter: 5,
             _observable.ObservableUpDownCounter: 6, _observable.ObservableGauge: 7}
    if instrument_type not in kinds:
        raise TypeError(f"instrument_type must be one of {', '.join(k.__name__ for k in kinds)}; "
                        f"got {instrument_type!r}")
    return kinds[instrument_type]


def _apply_aggregation(view: int, aggregation: Any) -> None:
    if isinstance(aggregation, DropAggregation):
        check(FNS.otelmetrics_view_set_aggregation_drop(view))
    elif isinstance(aggregation, SumAggregation):
        check(FNS.otelmetrics_view_set_aggregation_sum(view))
    elif isinstance(aggregation, LastValueAggregation):
        check(FNS.otelmetrics_view_set_aggregation_last_value(view))
    elif isinstance(aggregation, ExplicitBucketHistogramAggregation):
        bounds = [float(b) for b in aggregation.boundaries]
        check(FNS.otelmetrics_view_set_aggregation_explicit_buckets(
            view, (c_double * len(bounds))(*bounds), len(bounds), bool(aggregation.record_min_max)))
    elif isinstance(aggregation, ExponentialBucketHistogramAggregation):
        check(FNS.otelmetrics_view_set_aggregation_exponential(
            view, int(aggregation.max_size), int(aggregation.max_scale), bool(aggregation.record_min_max)))
    else:
        raise TypeError(f"unsupported aggregation {aggregation!r}")


@dataclass(frozen=True)
class View:
    """Selectors (``instrument_name`` with ``*``/``?`` wildcards, ``instrument_type``,
    ``instrument_unit``, ``meter_name``/``meter_version``) and what to change.
    ``attribute_keys`` keeps only those keys; ``exclude_attribute_keys`` drops them."""

    instrument_name: Optional[str] = None
    instrument_type: Optional[type] = None
    instrument_unit: Optional[str] = None
    meter_name: Optional[str] = None
    meter_version: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    attribute_keys: Optional[Sequence[str]] = None
    exclude_attribute_keys: Optional[Sequence[str]] = None
    aggregation: Any = None
    cardinality_limit: Optional[int] = None

    def _add_to(self, builder: int) -> None:
        """Builds the C view and adds a copy of it to ``builder``."""
        out = c_void_p()
        check(FNS.otelmetrics_view_new(byref(out)))
        view = out.value or 0
        try:
            self._configure(view)
            check(FNS.otelmetrics_provider_builder_add_view(builder, view))
        finally:
            FNS.otelmetrics_view_free(view)

    def _configure(self, view: int) -> None:
        s = _ffi.str_view
        if self.instrument_name is not None:
            check(FNS.otelmetrics_view_select_instrument_name(view, s(self.instrument_name)))
        if self.instrument_type is not None:
            check(FNS.otelmetrics_view_select_instrument_kind(view, _instrument_kind(self.instrument_type)))
        if self.instrument_unit is not None:
            check(FNS.otelmetrics_view_select_unit(view, s(self.instrument_unit)))
        if self.meter_name is not None:
            check(FNS.otelmetrics_view_select_meter(view, s(self.meter_name), s(self.meter_version or "")))
        if self.name is not None:
            check(FNS.otelmetrics_view_set_name(view, s(self.name)))
        if self.description is not None:
            check(FNS.otelmetrics_view_set_description(view, s(self.description)))
        for keys, setter in ((self.attribute_keys, FNS.otelmetrics_view_allow_attribute_keys),
                             (self.exclude_attribute_keys, FNS.otelmetrics_view_deny_attribute_keys)):
            if keys is not None:
                if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
                    raise TypeError("attribute keys must be a sequence of str")
                check(setter(view, _ffi.str_views(list(keys)), len(keys)))
        if self.aggregation is not None:
            _apply_aggregation(view, self.aggregation)
        if self.cardinality_limit is not None:
            check(FNS.otelmetrics_view_set_cardinality_limit(view, int(self.cardinality_limit)))

"""Synchronous instruments (counter, up-down counter, histogram, gauge) and
their bound forms.

The record methods are the hot path. Each (kind, value type) gets its own
subclass whose method closes over its ctypes function and value range, so a
call does: an inline amount check (see ``_values``), a cache lookup of the
attribute dict (see ``_attributes``: converted once, then a dict hit), the
span of ``context`` (the OpenTelemetry API's; None: the current span) when
opentelemetry-api is importable (see ``_spans``), one ctypes call with the
pre-built set (and the span, for exemplars), and a status test.
"""

from __future__ import annotations

from ctypes import byref, c_void_p
from typing import Any, Callable, Dict, Optional, Tuple, Union

from . import _spans
from ._attributes import Attributes, AttributeMapping, _cache, lookup
from ._handle import Handle
from ._library import FNS
from ._status import check, error_for
from ._values import Number, ValueType, coerce

AttributesLike = Union[AttributeMapping, Attributes]


def _closed_set() -> int:
    raise ValueError("this Attributes set was closed")


def _span_lookup() -> Tuple[Any, Any, Any, Any, Any]:
    """What a record method finds the span with (see ``_spans``): the
    context's getter, the span's key and the empty context, ``c_span``, and
    the fallback."""
    current, key, empty = _spans.reader if _spans.reader is not None else (None, None, None)
    return current, key, empty, _spans.c_span, _spans.span_of


def _record_method(fn: Callable[..., int], fn_in_span: Callable[..., int], vt: ValueType) -> Callable[..., None]:
    fast, low, high = vt.fast, vt.low, vt.high
    cache_get = _cache.get   # (the cache dict is cleared, never replaced)
    current, key, empty, c_span, span_of = _span_lookup()

    def record(self: Any, amount: Any, attributes: Any = None, context: Any = None) -> None:
        try:
            if not (type(amount) in fast and low <= amount <= high):
                amount = coerce(vt, amount)
            found = None   # a set made here, held until the call returns: it owns the handle
            if attributes is None:
                h = None
            elif type(attributes) is Attributes:
                h = attributes._h or _closed_set()
            else:
                try:
                    items = tuple(attributes.items())
                    entry = cache_get(items)
                except (TypeError, AttributeError):
                    entry = None
                if entry is not None:
                    for i, t in entry.checks:   # True == 1 == 1.0: the exact types must match too
                        if type(items[i][1]) is not t:
                            entry = None
                            break
                    else:
                        h = entry.h
                if entry is None:
                    found = lookup(attributes)
                    h = found._h
            if current is not None:   # (inlined: outside spans, one C call and a test)
                ctx = current() if context is None else context
                if ctx is empty or (s := ctx.get(key)) is None or (span := c_span(s)) is None:
                    status = fn(self._h, amount, h)
                else:
                    status = fn_in_span(self._h, amount, h, span)
            else:
                span = span_of(context) if span_of is not None else None
                status = fn(self._h, amount, h) if span is None else fn_in_span(self._h, amount, h, span)
            if status:
                raise error_for(status)
        except Exception as error:   # costs nothing until raised (Python >= 3.11)
            self._rejected(error, amount, attributes, context)

    return record


def _bound_record_method(fn: Callable[..., int], fn_in_span: Callable[..., int],
                         vt: ValueType) -> Callable[..., None]:
    """The bound hot path: one exact type test (plus the range for integers;
    C refuses what a float may not be), and the span as ``_record_method``
    finds it. One closure per way of finding the span, so that a call tests
    none of the others (measured: 35-40 ns of a ~430 ns call each way)."""
    current, key, empty, c_span, span_of = _span_lookup()
    exact, ranged, low, high = (float if vt.suffix == "f64" else int), vt.suffix != "f64", vt.low, vt.high

    def in_current_context(self: Any, amount: Any, context: Any = None) -> None:
        if type(amount) is not exact or (ranged and not low <= amount <= high):
            amount = coerce(vt, amount)
        ctx = current() if context is None else context
        if ctx is empty or (s := ctx.get(key)) is None or (span := c_span(s)) is None:
            status = fn(self._h, amount)
        else:
            status = fn_in_span(self._h, amount, span)
        if status:
            raise error_for(status)

    def through_the_api(self: Any, amount: Any, context: Any = None) -> None:
        if type(amount) is not exact or (ranged and not low <= amount <= high):
            amount = coerce(vt, amount)
        span = span_of(context)   # (not None: this closure is chosen only then)
        status = fn(self._h, amount) if span is None else fn_in_span(self._h, amount, span)
        if status:
            raise error_for(status)

    def without_spans(self: Any, amount: Any, context: Any = None) -> None:
        if type(amount) is not exact or (ranged and not low <= amount <= high):
            amount = coerce(vt, amount)
        status = fn(self._h, amount)
        if status:
            raise error_for(status)

    if current is not None:
        return in_current_context
    return through_the_api if span_of is not None else without_spans


_specialized: Dict[Tuple[type, str], type] = {}


def specialize(cls: Any, vt: ValueType) -> Any:
    """The subclass of ``cls`` for value type ``vt`` (made once)."""
    key = (cls, vt.suffix)
    if key not in _specialized:
        bound = issubclass(cls, _Bound)
        stem = f"otelmetrics_{'bound_' if bound else ''}{cls._kind}_{vt.suffix}_{cls._verb}"
        method = (_bound_record_method(getattr(FNS, stem), getattr(FNS, f"{stem}_in_span"), vt) if bound
                  else _record_method(getattr(FNS, f"{stem}_with_set"), getattr(FNS, f"{stem}_with_set_in_span"), vt))
        method.__name__ = method.__qualname__ = cls._verb
        methods = {verb: method for verb in (cls._verb, *cls._verb_aliases)}
        _specialized[key] = type(cls.__name__, (cls,), {"__slots__": (), **methods,
                                                         "__module__": cls.__module__,
                                                         "__qualname__": cls.__qualname__})
    return _specialized[key]


class _Synchronous(Handle):
    """One synchronous instrument; ``_kind``/``_verb`` name its C functions."""

    __slots__ = ("name", "unit", "description", "value_type", "_vt", "_parent")
    _kind = ""
    _verb = ""
    _verb_aliases: Tuple[str, ...] = ()   # more names for the record method (the API gauge's ``set``)
    _bound_class: Any = None

    def __new__(cls, parent: Any, address: int, name: str, unit: str, description: str, vt: ValueType) -> Any:
        return object.__new__(specialize(cls, vt) if cls in _PUBLIC else cls)

    def __init__(self, parent: Any, address: int, name: str, unit: str, description: str, vt: ValueType) -> None:
        self.name, self.unit, self.description = name, unit, description
        self.value_type = float if vt.suffix == "f64" else int
        self._vt = vt
        self._parent = parent   # keeps the meter (and so the provider) alive
        self._own(address, getattr(FNS, f"otelmetrics_{self._kind}_{vt.suffix}_free"))

    def _rejected(self, error: Exception, amount: Any, attributes: Any, context: Any = None) -> None:
        """What a record call does with a measurement it refused: raise (the
        OpenTelemetry API layer, ``otelmetrics.api``, logs and drops instead)."""
        raise error

    def enabled(self) -> bool:
        """False when a measurement would be recorded nowhere (its meter is
        disabled, every view selecting it drops it, or the provider was shut
        down): check it before building expensive attributes."""
        return bool(getattr(FNS, f"otelmetrics_{self._kind}_{self._vt.suffix}_enabled")(self._h))

    def bind(self, attributes: Any = None) -> Any:
        """This instrument for one attribute set (a mapping or ``Attributes``):
        the fastest way to record."""
        out = c_void_p()
        found = None if attributes is None else lookup(attributes)   # owns the set during the call
        check(getattr(FNS, f"otelmetrics_{self._kind}_{self._vt.suffix}_bind")(
            self._h, found._h if found is not None else None, byref(out)))
        bound_class = specialize(self._bound_class, self._vt)
        return bound_class(self, out.value, self._vt)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, value_type={self.value_type.__name__})"


class _Bound(Handle):
    """An instrument bound to one attribute set."""

    __slots__ = ("_parent",)
    _kind = ""
    _verb = ""
    _verb_aliases: Tuple[str, ...] = ()

    def __init__(self, parent: Any, address: int, vt: ValueType) -> None:
        self._parent = parent
        self._own(address, getattr(FNS, f"otelmetrics_bound_{self._kind}_{vt.suffix}_free"))


class BoundCounter(_Bound):
    """``add(amount, context=None)`` on one series (``context``: see ``Counter``)."""
    __slots__ = ()
    _kind, _verb = "counter", "add"

    def add(self, amount: Number, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class BoundUpDownCounter(_Bound):
    """``add(amount, context=None)`` on one series (``context``: see ``Counter``)."""
    __slots__ = ()
    _kind, _verb = "up_down_counter", "add"

    def add(self, amount: Number, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class BoundHistogram(_Bound):
    """``record(amount, context=None)`` on one series (``context``: see ``Counter``)."""
    __slots__ = ()
    _kind, _verb = "histogram", "record"

    def record(self, amount: Number, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class BoundGauge(_Bound):
    """``record(amount, context=None)`` on one series (``context``: see ``Counter``)."""
    __slots__ = ()
    _kind, _verb = "gauge", "record"

    def record(self, amount: Number, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class Counter(_Synchronous):
    """A monotonic sum: ``add(amount, attributes=None, context=None)`` with amount >= 0.

    ``context`` (every instrument's record methods take it) is an OpenTelemetry
    API ``Context``: its span, else the current span of ``opentelemetry.trace``
    (when opentelemetry-api is installed), goes with the measurement, which
    may become an exemplar with that span's ids."""

    __slots__ = ()
    _kind, _verb, _bound_class = "counter", "add", BoundCounter

    def add(self, amount: Number, attributes: Optional[AttributesLike] = None, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class UpDownCounter(_Synchronous):
    """A sum that goes up and down: ``add(amount, attributes=None)``."""

    __slots__ = ()
    _kind, _verb, _bound_class = "up_down_counter", "add", BoundUpDownCounter

    def add(self, amount: Number, attributes: Optional[AttributesLike] = None, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class Histogram(_Synchronous):
    """A distribution: ``record(amount, attributes=None)``."""

    __slots__ = ()
    _kind, _verb, _bound_class = "histogram", "record", BoundHistogram

    def record(self, amount: Number, attributes: Optional[AttributesLike] = None, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


class Gauge(_Synchronous):
    """The last recorded value wins: ``record(amount, attributes=None)``."""

    __slots__ = ()
    _kind, _verb, _bound_class = "gauge", "record", BoundGauge

    def record(self, amount: Number, attributes: Optional[AttributesLike] = None, context: Any = None) -> None:
        raise NotImplementedError   # replaced by the value type's subclass (see specialize)


_PUBLIC = (Counter, UpDownCounter, Histogram, Gauge, BoundCounter, BoundUpDownCounter, BoundHistogram, BoundGauge)


__all__ = ["Counter", "UpDownCounter", "Histogram", "Gauge",
           "BoundCounter", "BoundUpDownCounter", "BoundHistogram", "BoundGauge"]

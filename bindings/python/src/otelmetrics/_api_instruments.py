"""The OpenTelemetry API's instruments over otelmetrics' own.

Synchronous instruments are otelmetrics instruments (the same hot path, see
``otelmetrics._instruments``) that are also the API's abstract classes, with
two differences:

- a refused measurement is dropped and logged (``_api_rejections``), never raised;
- the value type follows the amounts, as in the Python SDK, which keeps one
  aggregation per attribute set and exports it as an integer while only ints
  went in, as a double once a float did. The C instrument is made at the
  first measurement (an int makes the integer instrument, a float the double
  one); an amount of the other type makes a twin of the other type, of the
  same name, and from then on ints go to the integer one and floats to the
  double one. The library exports the pair as one stream with the SDK's types
  and totals (``src/export/number_twins.rs``). A gauge's double side records
  every value (ints as doubles), so it always holds the last one. Histograms
  are always double: OTLP histograms carry doubles whatever was recorded.

Observable instruments own an integer and a double observable instrument
(with no callbacks of their own) and one registration that runs the API
callbacks once per collection and sends each observation to the one that
matches its value's type. An instrument that never reports a type exports
nothing for it.
"""

from __future__ import annotations

import math
import operator
import threading
from ctypes import byref, c_double, c_void_p
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from opentelemetry import metrics as api

from . import _ffi, _observable
from . import _instruments as core
from ._attributes import Attributes, encode
from ._library import FNS
from ._observable import CallbackRegistration, _Registration
from ._status import check, last_error_message
from ._values import F64, F64_FLOATS, I64, U64, ValueType, real_kind
from ._api_rejections import report

_creation = threading.RLock()   # one C instrument per API instrument and value type


def _clean(attributes: Any) -> Optional[Dict[str, Any]]:
    """The valid entries of ``attributes``, or None when there is nothing to remove."""
    if attributes is None or type(attributes) is Attributes:
        return None
    if not isinstance(attributes, Mapping):
        return {}
    kept = {}
    for key, value in attributes.items():
        try:
            encode({key: value})
        except (TypeError, ValueError):
            continue
        kept[key] = value
    return kept if len(kept) != len(attributes) else None


class _Synchronous:
    """What the API's synchronous instruments add to otelmetrics' own (a mixin
    placed before the otelmetrics class; see the module docstring)."""

    __slots__ = ()   # (the API's base classes bring an instance dict; kept empty: attribute slots below)
    _integer: ValueType = I64       # the C type ints get when they come first
    _double: ValueType = F64_FLOATS  # and floats (ints then go to an integer twin)
    _gauge = False                  # whose double side records every value
    _api_name = ""                  # the kind's name in messages

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)   # not otelmetrics' specialising __new__: no C instrument yet

    def __init__(self, meter: Any, name: str, unit: str, description: str) -> None:
        self.name, self.unit, self.description = name, unit, description
        self._parent = meter          # the otelmetrics Meter
        self._h = None
        self._twin: Any = None        # the double instrument of an integer one, once a float came

    def _first(self, amount: Any, attributes: Any, context: Any = None) -> None:
        """The record method until the first valid amount picks the value type."""
        if type(amount) is bool:   # an int to the SDK (True counts 1), not to otelmetrics' own API
            amount = int(amount)
        kind = real_kind(amount)
        if kind is None:
            self._drop(amount, f"amount must be int or float, not {type(amount).__name__}", "type")
            return
        if kind is float and not math.isfinite(amount):   # no C instrument made for it
            self._drop(amount, "not a finite number", "not finite")
            return
        vt = self._double if kind is float or self._integer is F64 else self._integer
        if not self._start(vt):
            return
        getattr(self, self._verb)(amount, attributes, context)

    def _start(self, vt: ValueType) -> bool:
        """Makes the C instrument of ``vt`` and switches to its hot path."""
        with _creation:
            if self._h is not None:
                return True
            try:
                create = getattr(FNS, f"otelmetrics_meter_create_{self._kind}_{vt.suffix}")
                advisory = self._advisory()
                out = c_void_p()
                s = _ffi.str_view
                check(create(self._parent._h, s(self.name), s(self.description), s(self.unit), *advisory,
                             byref(out)))
            except Exception as error:
                self._drop(None, f"the instrument could not be created: {error}", "create")
                return False
            self._vt, self.value_type = vt, float if vt.suffix == "f64" else int
            self._own(out.value, getattr(FNS, f"otelmetrics_{self._kind}_{vt.suffix}_free"))
            self.__class__ = core.specialize(type(self), vt)
            return True

    def enabled(self) -> bool:
        """The API's ``Enabled``: whether a measurement would be recorded
        anywhere. Before the first measurement this makes the C instrument
        with the integer value type (as an int recorded first would)."""
        if self._h is None and not self._start(self._integer):
            return False
        return bool(core._Synchronous.enabled(self))

    def _advisory(self) -> tuple:
        return ()

    def _rejected(self, error: Exception, amount: Any, attributes: Any, context: Any = None) -> None:
        if type(amount) is bool:   # (see _first)
            getattr(self, self._verb)(int(amount), attributes, context)
            return
        kind = real_kind(amount)   # (not type(amount) is float: numpy.float64 is a float subclass)
        if (kind is not None and (kind is float) != (self._vt.suffix == "f64") and self._twin is None
                and self._double is F64_FLOATS):
            if kind is int or math.isfinite(amount):
                if self._make_twin():
                    getattr(self, self._verb)(amount, attributes, context)   # (now the pair's method)
                return
        cleaned = _clean(attributes)
        if cleaned is not None:
            report(self.name, "attributes", f"{self._api_name} {self.name!r}: invalid attributes dropped "
                                            f"from {attributes!r} (kept {cleaned!r})")
            getattr(self, self._verb)(amount, cleaned, context)
            return
        if kind is float and not math.isfinite(amount):
            self._drop(amount, "not a finite number", "not finite")
        elif kind is not None and amount < 0 and isinstance(self, Counter):
            self._drop(amount, "a Counter's amounts must be non-negative", "negative")
        elif kind is None:
            self._drop(amount, f"amount must be int or float, not {type(amount).__name__}", "type")
        else:
            self._drop(amount, str(error), type(error).__name__)

    def _make_twin(self) -> bool:
        """Makes the instrument of the other value type, of the same name, and
        switches to the pair's record method (``_paired``)."""
        with _creation:
            if self._twin is None:
                api_class = type(self).__bases__[0]   # (self's class is its value type's subclass)
                twin = api_class(self._parent, self.name, self.unit, self.description)
                double = self._vt.suffix != "f64"
                if not twin._start(self._double if double else self._integer):
                    return False
                twin._twin = False   # (a twin makes no twin of its own)
                self._twin = twin
                self.__class__ = _paired(type(self), twin_is_double=double)
            return True

    def _drop(self, amount: Any, why: str, problem: str) -> None:
        report(self.name, problem, f"{self._api_name} {self.name!r}: measurement {amount!r} dropped: {why}")


class Counter(_Synchronous, core.Counter, api.Counter):
    """``add(amount, attributes=None, context=None)``; amounts >= 0."""

    __slots__ = ("_twin",)

    _integer, _api_name = U64, "Counter"

    def add(self, amount: Any, attributes: Any = None, context: Any = None) -> None:
        self._first(amount, attributes, context)


class UpDownCounter(_Synchronous, core.UpDownCounter, api.UpDownCounter):
    """``add(amount, attributes=None, context=None)``."""

    __slots__ = ("_twin",)

    _integer, _api_name = I64, "UpDownCounter"

    def add(self, amount: Any, attributes: Any = None, context: Any = None) -> None:
        self._first(amount, attributes, context)


class Histogram(_Synchronous, core.Histogram, api.Histogram):
    """``record(amount, attributes=None, context=None)``; always a double histogram."""

    __slots__ = ("_twin", "_boundaries")

    _integer, _double, _api_name = F64, F64, "Histogram"   # (ints recorded as doubles: no twin)

    def __init__(self, meter: Any, name: str, unit: str, description: str,
                 boundaries: Optional[Sequence[float]] = None) -> None:
        super().__init__(meter, name, unit, description)
        self._boundaries = [float(b) for b in boundaries or ()]

    def _advisory(self) -> tuple:
        b = self._boundaries
        return ((c_double * len(b))(*b) if b else None, len(b))

    def record(self, amount: Any, attributes: Any = None, context: Any = None) -> None:
        self._first(amount, attributes, context)


class Gauge(_Synchronous, core.Gauge, api._Gauge):   # the API still names it _Gauge
    """``set(amount, attributes=None, context=None)``: the last value wins."""

    __slots__ = ("_twin",)

    _integer, _api_name, _gauge = I64, "Gauge", True
    _verb_aliases = ("set",)

    def set(self, amount: Any, attributes: Any = None, context: Any = None) -> None:
        self._first(amount, attributes, context)

    record = set



_pairs: Dict[Tuple[type, bool], type] = {}
_DOUBLE_MAX = F64.high


def _paired(cls: Any, twin_is_double: bool) -> Any:
    """The class of an API instrument once it has a twin of the other value
    type: ints go to the integer side, other amounts to the double side; a
    gauge's double side gets every value (ints as floats), so it holds the
    last one and the export keeps the integer point only where they agree."""
    key = (cls, twin_is_double)
    if key not in _pairs:
        own = getattr(cls, cls._verb)   # the C hot path of this side's value type
        gauge = cls._gauge

        def sides(self: Any) -> Tuple[Any, Any]:
            twin = getattr(self._twin, self._verb)
            mine = own.__get__(self)
            return (mine, twin) if twin_is_double else (twin, mine)

        def record(self: Any, amount: Any, attributes: Any = None, context: Any = None) -> None:
            integer, double = sides(self)
            if type(amount) is bool:   # (see _first)
                amount = int(amount)
            if type(amount) is int or real_kind(amount) is int:
                integer(amount, attributes, context)
                if gauge and -_DOUBLE_MAX <= amount <= _DOUBLE_MAX:
                    double(float(amount), attributes, context)
            else:
                double(amount, attributes, context)

        methods = {verb: record for verb in (cls._verb, *cls._verb_aliases)}
        _pairs[key] = type(cls.__name__, (cls,), {"__slots__": (), **methods, "__module__": cls.__module__,
                                                  "__qualname__": cls.__qualname__})
    return _pairs[key]


# ---------------------------------------------------------------- observables

def _plain(callback: Any) -> Any:
    """The API allows generators as callbacks: primed once, then sent the
    options at each collection (as the Python SDK does)."""
    if not hasattr(callback, "send"):
        return callback
    next(callback)

    def from_generator(options: Any, generator: Any = callback) -> Iterable[Any]:
        try:
            return generator.send(options)
        except StopIteration:
            return []

    return from_generator


class _TypedRegistration(_Registration):
    """Runs the API callbacks; each observation goes to the integer or the
    double instrument, by its value's type; bad ones are dropped and logged."""

    __slots__ = ("targets", "label")
    options = api.CallbackOptions

    def __init__(self, label: str, name: str, callbacks: list, integer: Any, double: Any) -> None:
        super().__init__(name, callbacks, F64)
        self.label = label
        self.targets = {str(vt is F64): (getattr(FNS, f"otelmetrics_observer_observe_{vt.suffix}_for"), i._h, vt)
                        for i, vt in ((integer, integer._vt), (double, F64))}

    def report(self, observer: int, observation: Any) -> None:
        try:
            if not isinstance(observation, (api.Observation, _observable.Observation)):
                raise TypeError(f"callbacks must return Observation objects, not {type(observation).__name__}")
            value = observation.value
            if type(value) is bool:   # an int to the SDK
                value = int(value)
            kind = real_kind(value)
            if kind is None:
                raise TypeError(f"value must be int or float, not {type(value).__name__}")
            # (as plain int/float: ctypes takes neither Decimal nor every numpy scalar)
            value = float(value) if kind is float else operator.index(value)
            if kind is float and not math.isfinite(value):
                raise ValueError("not a finite number")
            fn, h, vt = self.targets[str(kind is float)]
            if not vt.low <= value <= vt.high:
                raise ValueError(f"{value} is out of range for {vt.suffix}")
            attributes = observation.attributes or {}
            if type(attributes) is Attributes:
                attributes = attributes.to_dict()
            try:
                array, keep = encode(attributes)
            except (TypeError, ValueError):
                cleaned = _clean(attributes)
                report(self.name, "attributes", f"{self.label} {self.name!r}: invalid attributes dropped from "
                                                f"{observation.attributes!r}")
                attributes = {} if cleaned is None else cleaned
                array, keep = encode(attributes)
            status = fn(observer, h, value, array, len(attributes))
            del keep
            if status:
                raise ValueError(last_error_message())
        except Exception as error:
            report(self.name, type(error).__name__,
                   f"{self.label} {self.name!r}: observation {observation!r} dropped: {error}")


class _Observable:
    """An API observable instrument: an integer and a double otelmetrics
    observable instrument and one registration for both."""

    _core_kind = ""           # the otelmetrics Meter method's kind
    _api_name = ""

    def __init__(self, meter: Any, name: str, callbacks: Optional[Sequence[Any]], unit: str,
                 description: str) -> None:
        self.name, self.unit, self.description = name, unit, description
        create = getattr(meter, f"create_observable_{self._core_kind}")
        self._instruments = (create(name, None, unit, description, value_type=int),
                             create(name, None, unit, description, value_type=float))
        callbacks = [_plain(c) for c in callbacks or ()]
        registration = _TypedRegistration(self._api_name, name, callbacks, *self._instruments)
        self._registration = CallbackRegistration(meter, self._instruments, registration)


class ObservableCounter(_Observable, api.ObservableCounter):
    _core_kind, _api_name = "counter", "ObservableCounter"


class ObservableUpDownCounter(_Observable, api.ObservableUpDownCounter):
    _core_kind, _api_name = "up_down_counter", "ObservableUpDownCounter"


class ObservableGauge(_Observable, api.ObservableGauge):
    _core_kind, _api_name = "gauge", "ObservableGauge"

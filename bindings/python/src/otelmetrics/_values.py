"""Measurement values: which Python numbers each value type accepts.

The hot paths test ``type(v) in FAST and LOW <= v <= HIGH`` inline and call
``coerce`` only otherwise, which either returns a value ctypes will pass
unchanged or raises TypeError/ValueError (ctypes itself would wrap a
negative number into ``uint64_t`` silently).
"""

from __future__ import annotations

import numbers
import operator
import sys
from decimal import Decimal
from typing import Any, Dict, FrozenSet, NamedTuple, Optional, Union

Number = Union[int, float]


class ValueType(NamedTuple):
    suffix: str            # the C name's value type: "u64", "i64" or "f64"
    fast: FrozenSet[type]  # exact types passed straight through when in range
    low: float
    high: float


U64 = ValueType("u64", frozenset({int}), 0, (1 << 64) - 1)
I64 = ValueType("i64", frozenset({int}), -(1 << 63), (1 << 63) - 1)
# (bounded by the largest double, not infinity: a larger int must reach ``coerce``,
# which refuses it, instead of making ctypes raise OverflowError inside ArgumentError)
F64 = ValueType("f64", frozenset({float, int}), -sys.float_info.max, sys.float_info.max)
BY_SUFFIX: Dict[str, ValueType] = {v.suffix: v for v in (U64, I64, F64)}
# A double instrument that refuses ints (TypeError): the OpenTelemetry API's
# sums and gauges, which record ints on an integer twin (``_api_instruments``).
F64_FLOATS = ValueType("f64", frozenset({float}), F64.low, F64.high)


def real_kind(value: Any) -> Optional[type]:
    """int for an integral number, float for any other real one (float subclasses
    such as numpy.float64, Decimal, numbers.Real), None for the rest and for bools."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int
    if isinstance(value, (numbers.Real, Decimal)):
        return float
    return None


def coerce(vt: ValueType, value: Any) -> Number:
    """``value`` as the number to pass for ``vt``, or TypeError/ValueError."""
    if isinstance(value, bool):
        raise TypeError(f"a measurement must be a number, not bool ({value!r})")
    kind = real_kind(value)
    if vt.suffix == "f64":
        if kind is None:
            raise TypeError(f"a measurement must be int or float, not {type(value).__name__}")
        if kind is int and vt is F64_FLOATS:
            raise TypeError(f"integer {value!r} on a double instrument that takes only floats")
        try:
            return float(value)   # NaN/inf pass: the library decides (INVALID_VALUE)
        except OverflowError:
            raise ValueError(f"{value} is too large for a double") from None
    if kind is float:
        raise TypeError(f"this instrument records integers ({vt.suffix}); got float {value!r} "
                        "(create it with value_type=float for floating-point values)")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"a measurement must be int, not {type(value).__name__}") from None
    if not vt.low <= number <= vt.high:
        raise ValueError(f"{number} is out of range for {vt.suffix} ({vt.low}..{vt.high})")
    return number

"""Which value types each instrument kind has in the C API, and how the
``value_type`` argument of the ``create_*`` methods picks one."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from . import _ffi
from ._values import BY_SUFFIX, ValueType

# kind -> (value types in the header, the one ``value_type=int`` means)
_SYNC: Dict[str, Tuple[Tuple[str, ...], str]] = {
    kind: (types, "i64" if "i64" in types else "u64") for kind, types, _ in _ffi.SYNC_INSTRUMENTS}
_OBSERVABLE: Dict[str, Tuple[Tuple[str, ...], str]] = {
    kind: (types, "i64" if "i64" in types else "u64") for kind, types in _ffi.OBSERVABLE_INSTRUMENTS}


def resolve(kind: str, value_type: Any, observable: bool = False) -> ValueType:
    """``int`` (the kind's integer type), ``float`` (f64), or an explicit "u64"/"i64"/"f64"."""
    types, integer = (_OBSERVABLE if observable else _SYNC)[kind]
    if value_type is int:
        suffix = integer
    elif value_type is float:
        suffix = "f64"
    elif isinstance(value_type, str) and value_type in types:
        suffix = value_type
    else:
        raise ValueError(f"value_type for {'observable ' if observable else ''}{kind.replace('_', ' ')} "
                         f"must be int, float or one of {', '.join(repr(t) for t in types)}; got {value_type!r}")
    return BY_SUFFIX[suffix]

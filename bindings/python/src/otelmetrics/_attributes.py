"""Attribute conversion: Python mappings to ``otelmetrics_attribute`` arrays,
reusable pre-built sets (``Attributes``), and the bounded cache that lets a
hot call with a literal dict skip conversion.

Everything is validated here, before the library sees it: keys must be
non-empty ``str``; values ``str``, ``bool``, ``int`` (64-bit signed), ``float``
or a homogeneous list/tuple of one of them. ``bool`` is never taken for
``int`` (``{"on": True}`` and ``{"on": 1}`` are different series).
"""

from __future__ import annotations

import ctypes
from ctypes import byref, c_double, c_int64, c_uint8, c_void_p
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import Attribute
from ._handle import Handle
from ._library import FNS
from ._status import check

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

AttributeValue = Union[str, bool, int, float, Sequence[str], Sequence[bool], Sequence[int], Sequence[float]]
AttributeMapping = Mapping[str, AttributeValue]

# (tag, ctypes element type or None for strings) per homogeneous element type.
# The element type of each array kind (Any: ctypes' array constructors take
# Python numbers, which the stubs do not say).
_ARRAY_OF: Dict[type, Tuple[int, Any]] = {str: (_ffi.VALUE_STRING_ARRAY, None), bool: (_ffi.VALUE_BOOL_ARRAY, c_uint8),
             int: (_ffi.VALUE_INT64_ARRAY, c_int64), float: (_ffi.VALUE_DOUBLE_ARRAY, c_double)}


def _scalar_kind(value: Any) -> Optional[type]:
    """str, bool, int or float for a valid scalar attribute value, else None."""
    if isinstance(value, bool):
        return bool
    if isinstance(value, (str, int, float)):
        return str if isinstance(value, str) else int if isinstance(value, int) else float
    return None


def _check_int(key: str, value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"attribute {key!r}: {value} does not fit in a signed 64-bit integer")
    return int(value)


def _set_array(attr: Attribute, key: str, values: Sequence[Any], keep: List[Any]) -> None:
    kinds = {_scalar_kind(v) for v in values}
    if None in kinds:
        bad = next(v for v in values if _scalar_kind(v) is None)
        raise TypeError(f"attribute {key!r}: unsupported element {bad!r} of type {type(bad).__name__}")
    if len(kinds) > 1:
        raise TypeError(f"attribute {key!r}: a sequence must hold one type, got "
                        + ", ".join(sorted(k.__name__ for k in kinds if k)))
    kind = kinds.pop() if kinds else str   # an empty sequence is an empty string array
    assert kind is not None
    tag, ctype = _ARRAY_OF[kind]
    if ctype is None:
        elements: Any = _ffi.str_views(list(values))
    elif kind is int:
        elements = (ctype * len(values))(*(_check_int(key, v) for v in values))
    else:
        elements = (ctype * len(values))(*(_check_float(key, v) for v in values))
    keep.append(elements)
    attr.value_type = tag
    attr.value.array.ptr = ctypes.cast(elements, c_void_p)
    attr.value.array.len = len(values)


def _check_float(key: str, value: float) -> float:
    # NaN equals nothing: it cannot identify a series (the library refuses it too).
    if value != value:
        raise ValueError(f"attribute {key!r} is NaN, which cannot identify a series")
    return value


def encode(attributes: Mapping[str, Any]) -> Tuple["ctypes.Array[Attribute]", List[Any]]:
    """A C array of the attributes and the Python objects it points into
    (keep both alive while the library reads the array)."""
    if not isinstance(attributes, Mapping):
        raise TypeError(f"attributes must be a mapping of str to values, not {type(attributes).__name__}")
    array = (Attribute * len(attributes))()
    keep: List[Any] = []
    for attr, (key, value) in zip(array, attributes.items()):
        if not isinstance(key, str):
            raise TypeError(f"attribute keys must be str, not {type(key).__name__} ({key!r})")
        if not key:
            raise ValueError("attribute keys must not be empty")
        attr.key = _ffi.str_view(key)
        kind = _scalar_kind(value)
        if kind is str:
            attr.value_type = _ffi.VALUE_STRING
            attr.value.string = _ffi.str_view(value)
        elif kind is bool:
            attr.value_type, attr.value.boolean = _ffi.VALUE_BOOL, 1 if value else 0
        elif kind is int:
            attr.value_type, attr.value.int64 = _ffi.VALUE_INT64, _check_int(key, value)
        elif kind is float:
            attr.value_type, attr.value.float64 = _ffi.VALUE_DOUBLE, _check_float(key, value)
        elif isinstance(value, (list, tuple)):
            _set_array(attr, key, value, keep)
        else:
            raise TypeError(f"attribute {key!r}: unsupported value {value!r} of type {type(value).__name__} "
                            "(str, bool, int, float or a list/tuple of one of them)")
    return array, keep


class Attributes(Handle):
    """A pre-built, validated attribute set, reusable across calls and threads:
    ``attrs = Attributes({"route": "/a"}); counter.add(1, attrs)``."""

    __slots__ = ("_items",)

    def __init__(self, attributes: Optional[Mapping[str, Any]] = None) -> None:
        if attributes is not None and not isinstance(attributes, Mapping):
            raise TypeError(f"attributes must be a mapping of str to values, not {type(attributes).__name__}")
        items = dict(attributes or {})
        array, keep = encode(items)
        out = c_void_p()
        check(FNS.otelmetrics_attributes_new(array, len(items), byref(out)))
        del keep
        self._items = items
        self._own(out.value, FNS.otelmetrics_attributes_free)

    def to_dict(self) -> dict:
        """A copy of the attributes this set was built from."""
        return dict(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Attributes({self._items!r})"


# Sets built for dicts passed to record calls. The key is the dict's items;
# since True == 1 == 1.0, an entry also lists the positions of its numeric
# values and their exact types, which ``lookup`` checks (a mismatch falls back
# to ``_typed``, keyed by items plus every value's type). Bounded: the oldest
# entry goes when full. Entries are only dropped, never freed here: a thread
# still using one keeps it alive. Sequence values are never cached (their
# elements' types would need checking too).
CACHE_SIZE = 1024
_cache: dict = {}
_typed: dict = {}
_NUMERIC = (int, float)


class _Entry:
    __slots__ = ("set", "h", "checks")

    def __init__(self, found: Attributes, items: tuple) -> None:
        self.set, self.h = found, found._h
        self.checks = tuple((i, type(v)) for i, (_, v) in enumerate(items) if isinstance(v, _NUMERIC))


def _remember(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache), None), None)
    cache[key] = value


def lookup(attributes: Any) -> Attributes:
    """The attribute set for ``attributes`` (an ``Attributes`` or a mapping)."""
    if type(attributes) is Attributes:
        if attributes._h is None:
            raise ValueError("this Attributes set was closed")
        return attributes
    if not isinstance(attributes, Mapping):
        raise TypeError(f"attributes must be a mapping of str to values or an Attributes, "
                        f"not {type(attributes).__name__}")
    items = tuple(attributes.items())
    if any(type(v) is tuple for _, v in items):
        # (1, 2) == (1.0, 2.0) == (True, 2): tuples are converted every time, like lists
        return Attributes(attributes)
    try:
        entry = _cache.get(items)
    except TypeError:   # unhashable values (lists): converted every time
        return Attributes(attributes)
    if entry is None:
        entry = _Entry(Attributes(attributes), items)
        _remember(_cache, items, entry)
        return entry.set
    if all(type(items[i][1]) is t for i, t in entry.checks):
        return entry.set
    typed = (*items, *map(type, attributes.values()))
    found = _typed.get(typed)
    if found is None:
        found = Attributes(attributes)
        _remember(_typed, typed, found)
    return found


def cache_clear() -> None:
    """Forgets every cached set (they are freed once no call uses them)."""
    _cache.clear()
    _typed.clear()

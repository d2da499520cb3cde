"""The C ABI of ``include/otelmetrics.h`` as ctypes declarations.

The declarations themselves (struct and union layouts, callback types,
constants, every function's ``argtypes`` and ``restype``: handles as
``c_void_p``, out-parameters as ``POINTER(c_void_p)``, so ctypes never falls
back to its default ``int`` conversions, which would truncate pointers) are
generated from the header into ``_ffi_generated.py`` by
``tools/gen_bindings.py``; the drift test fails when that file is stale.
This module adds what the header cannot say: the friendly names the package
uses, the instrument family tables, the binder and the string helpers.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_double, c_int64, c_uint64, c_void_p
from typing import Any, Sequence, Tuple

from . import _ffi_generated as _gen
from ._ffi_generated import (DECLARATIONS, HEADER_VERSION, VALUE_BOOL, VALUE_BOOL_ARRAY, VALUE_DOUBLE,
                             VALUE_DOUBLE_ARRAY, VALUE_INT64, VALUE_INT64_ARRAY, VALUE_STRING, VALUE_STRING_ARRAY)

__all__ = ["DECLARATIONS", "HEADER_VERSION", "VALUE_BOOL", "VALUE_BOOL_ARRAY", "VALUE_DOUBLE", "VALUE_DOUBLE_ARRAY",
           "VALUE_INT64", "VALUE_INT64_ARRAY", "VALUE_STRING", "VALUE_STRING_ARRAY", "STATUS", "HANDLE", "OUT_HANDLE",
           "Str", "Array", "Value", "Attribute", "ATTRIBUTES", "SpanContext", "DIAGNOSTIC_FN", "OBSERVE_FN", "FREE_FN",
           "SYNC_INSTRUMENTS", "OBSERVABLE_INSTRUMENTS", "CTYPE_OF", "Functions", "str_view", "str_views"]

STATUS = _gen.otelmetrics_status
HANDLE = c_void_p
OUT_HANDLE = POINTER(c_void_p)

Str = _gen.otelmetrics_str                # a borrowed UTF-8 view (pointer + length in bytes)
Array = _gen.otelmetrics_array            # a borrowed array of attribute elements
Value = _gen.otelmetrics_value            # which member is valid is given by the tag
Attribute = _gen.otelmetrics_attribute    # key, type tag, value
ATTRIBUTES = POINTER(Attribute)
SpanContext = _gen.otelmetrics_span_context   # trace id (two halves), span id, trace flags

DIAGNOSTIC_FN = _gen.otelmetrics_diagnostic_fn
OBSERVE_FN = _gen.otelmetrics_observe_fn
FREE_FN = _gen.otelmetrics_free_fn

# The instrument families the package's classes are made from (the header's
# functions of each family are in DECLARATIONS). Synchronous: (kind, value types, verb).
SYNC_INSTRUMENTS: Tuple[Tuple[str, Tuple[str, ...], str], ...] = (
    ("counter", ("u64", "f64"), "add"),
    ("up_down_counter", ("i64", "f64"), "add"),
    ("histogram", ("u64", "f64"), "record"),
    ("gauge", ("u64", "i64", "f64"), "record"),
)
# Observable instruments: (kind, value types).
OBSERVABLE_INSTRUMENTS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("counter", ("u64", "f64")),
    ("up_down_counter", ("i64", "f64")),
    ("gauge", ("u64", "i64", "f64")),
)
CTYPE_OF = {"u64": c_uint64, "i64": c_int64, "f64": c_double}


class Functions:
    """The library's functions as attributes (``fns.otelmetrics_version()``),
    each with its declared ``argtypes``/``restype``."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        for name, (restype, argtypes) in DECLARATIONS.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)

    def __getattr__(self, name: str) -> Any:   # only reached for undeclared names
        raise AttributeError(f"{name} is not declared in otelmetrics._ffi.DECLARATIONS")


def str_view(text: str) -> Str:
    """An ``otelmetrics_str`` over ``text`` encoded as UTF-8 (the view keeps the bytes alive)."""
    data = text.encode("utf-8")
    return Str(data, len(data))


def str_views(texts: Sequence[str]) -> "ctypes.Array[Str]":
    """An array of ``otelmetrics_str`` views (the array keeps the bytes alive)."""
    return (Str * len(texts))(*(str_view(t) for t in texts))

"""The C ABI of ``include/otelmetrics.h`` as ctypes declarations.

Every function of the header gets ``argtypes`` and ``restype`` here (handles
as ``c_void_p``, out-parameters as ``POINTER(c_void_p)``), so ctypes never
falls back to its default ``int`` conversions, which would truncate pointers.
The instrument families are declared from tables because the header repeats
one shape per (kind, value type); ``tests/test_header_matches_ffi.py`` parses
the header and checks that every declared function is bound, with matching
argument types, and that the structs below have the C layout.
"""

from __future__ import annotations

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, c_bool, c_char_p, c_double, c_int32,
                    c_int64, c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)
from typing import Any, Dict, List, Sequence, Tuple

# The header these declarations were written for (OTELMETRICS_VERSION_*).
HEADER_VERSION = (0, 1, 0)

STATUS = c_uint32
HANDLE = c_void_p
OUT_HANDLE = POINTER(c_void_p)


class Str(Structure):
    """``otelmetrics_str``: a borrowed UTF-8 view (pointer + length in bytes)."""

    _fields_ = [("ptr", c_char_p), ("len", c_size_t)]


class Array(Structure):
    """``otelmetrics_array``: a borrowed array of attribute elements."""

    _fields_ = [("ptr", c_void_p), ("len", c_size_t)]


class Value(Union):
    """``otelmetrics_value``: which member is valid is given by the tag."""

    _fields_ = [("string", Str), ("boolean", c_uint8), ("int64", c_int64),
                ("float64", c_double), ("array", Array)]


class Attribute(Structure):
    """``otelmetrics_attribute``: key, type tag, value."""

    _fields_ = [("key", Str), ("value_type", c_uint32), ("value", Value)]


ATTRIBUTES = POINTER(Attribute)

# Value type tags (OTELMETRICS_VALUE_*).
VALUE_STRING, VALUE_BOOL, VALUE_INT64, VALUE_DOUBLE = 1, 2, 3, 4
VALUE_STRING_ARRAY, VALUE_BOOL_ARRAY, VALUE_INT64_ARRAY, VALUE_DOUBLE_ARRAY = 5, 6, 7, 8

# Callback types.
DIAGNOSTIC_FN = CFUNCTYPE(None, c_uint32, Str, c_void_p)
OBSERVE_FN = CFUNCTYPE(None, c_void_p, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p)

# Synchronous instruments: (kind, value types, verb).
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

_S = Str
_Decl = Tuple[Any, List[Any]]


def _fixed_declarations() -> Dict[str, _Decl]:
    """Functions that appear once in the header."""
    builder_setters: Dict[str, List[Any]] = {
        "set_service_name": [_S], "add_resource_attributes": [ATTRIBUTES, c_size_t],
        "add_exporter": [c_uint32], "set_otlp_endpoint": [_S], "set_otlp_protocol": [c_uint32],
        "add_otlp_header": [_S, _S], "set_otlp_timeout_ms": [c_uint64],
        "set_otlp_max_request_bytes": [c_size_t], "set_max_export_batch_size": [c_size_t],
        "set_self_metrics": [c_bool],
        "set_otlp_compression": [c_uint32], "set_otlp_certificate_file": [_S],
        "set_otlp_client_certificate_file": [_S], "set_otlp_client_key_file": [_S],
        "set_otlp_insecure": [c_bool], "set_console_format": [c_uint32], "set_console_path": [_S],
        "set_prometheus_endpoint": [_S, c_uint16], "set_export_interval_ms": [c_uint64],
        "set_export_timeout_ms": [c_uint64], "set_temporality": [c_uint32],
        "set_cardinality_limit": [c_size_t], "enable_in_memory_reader": [], "add_view": [HANDLE],
        "set_meter_enabled": [_S, c_bool],
    }
    view_setters: Dict[str, List[Any]] = {
        "select_instrument_name": [_S], "select_instrument_kind": [c_uint32], "select_unit": [_S],
        "select_meter": [_S, _S], "set_name": [_S], "set_description": [_S],
        "allow_attribute_keys": [POINTER(Str), c_size_t], "deny_attribute_keys": [POINTER(Str), c_size_t],
        "set_aggregation_drop": [], "set_aggregation_sum": [], "set_aggregation_last_value": [],
        "set_aggregation_explicit_buckets": [POINTER(c_double), c_size_t, c_bool],
        "set_aggregation_exponential": [c_uint32, c_int32, c_bool], "set_cardinality_limit": [c_size_t],
    }
    decls: Dict[str, _Decl] = {
        "otelmetrics_attributes_new": (STATUS, [ATTRIBUTES, c_size_t, OUT_HANDLE]),
        "otelmetrics_attributes_free": (None, [HANDLE]),
        "otelmetrics_provider_builder_new": (STATUS, [OUT_HANDLE]),
        "otelmetrics_provider_builder_free": (None, [HANDLE]),
        "otelmetrics_provider_builder_build": (STATUS, [HANDLE, OUT_HANDLE]),
        "otelmetrics_provider_new_from_env": (STATUS, [OUT_HANDLE]),
        "otelmetrics_last_error_message": (c_void_p, [POINTER(c_size_t)]),
        "otelmetrics_status_name": (c_char_p, [STATUS]),
        "otelmetrics_version": (c_char_p, []),
        "otelmetrics_set_diagnostic_hook": (STATUS, [DIAGNOSTIC_FN, c_void_p]),
        "otelmetrics_meter_free": (None, [HANDLE]),
        "otelmetrics_meter_register_callback": (
            STATUS, [HANDLE, POINTER(c_void_p), c_size_t, OBSERVE_FN, c_void_p, FREE_FN, OUT_HANDLE]),
        "otelmetrics_callback_registration_unregister": (STATUS, [HANDLE]),
        "otelmetrics_callback_registration_free": (None, [HANDLE]),
        "otelmetrics_provider_get_meter": (STATUS, [HANDLE, _S, _S, _S, ATTRIBUTES, c_size_t, OUT_HANDLE]),
        "otelmetrics_provider_force_flush": (STATUS, [HANDLE, c_uint64]),
        "otelmetrics_provider_shutdown": (STATUS, [HANDLE, c_uint64]),
        "otelmetrics_provider_read_json": (STATUS, [HANDLE, POINTER(c_void_p), POINTER(c_size_t)]),
        "otelmetrics_provider_prometheus_port": (STATUS, [HANDLE, POINTER(c_uint16)]),
        "otelmetrics_string_free": (None, [c_void_p]),
        "otelmetrics_provider_free": (None, [HANDLE]),
        "otelmetrics_view_new": (STATUS, [OUT_HANDLE]),
        "otelmetrics_view_free": (None, [HANDLE]),
    }
    for name, args in builder_setters.items():
        decls["otelmetrics_provider_builder_" + name] = (STATUS, [HANDLE, *args])
    for name, args in view_setters.items():
        decls["otelmetrics_view_" + name] = (STATUS, [HANDLE, *args])
    for t in ("u64", "i64", "f64"):
        value = CTYPE_OF[t]
        decls[f"otelmetrics_observer_observe_{t}"] = (STATUS, [HANDLE, value, ATTRIBUTES, c_size_t])
        decls[f"otelmetrics_observer_observe_{t}_for"] = (STATUS, [HANDLE, c_void_p, value, ATTRIBUTES, c_size_t])
    return decls


def _instrument_declarations() -> Dict[str, _Decl]:
    """The per-(kind, value type) families of instrument functions."""
    decls: Dict[str, _Decl] = {}
    names = [_S, _S, _S]   # name, description, unit
    for kind, types, verb in SYNC_INSTRUMENTS:
        advisory = [POINTER(c_double), c_size_t] if kind == "histogram" else []
        for t in types:
            value, stem = CTYPE_OF[t], f"otelmetrics_{kind}_{t}"
            decls[f"otelmetrics_meter_create_{kind}_{t}"] = (STATUS, [HANDLE, *names, *advisory, OUT_HANDLE])
            decls[f"{stem}_{verb}"] = (STATUS, [HANDLE, value, ATTRIBUTES, c_size_t])
            decls[f"{stem}_{verb}_with_set"] = (STATUS, [HANDLE, value, HANDLE])
            decls[f"{stem}_bind"] = (STATUS, [HANDLE, HANDLE, OUT_HANDLE])
            decls[f"{stem}_enabled"] = (c_bool, [HANDLE])
            decls[f"{stem}_free"] = (None, [HANDLE])
            decls[f"otelmetrics_bound_{kind}_{t}_{verb}"] = (STATUS, [HANDLE, value])
            decls[f"otelmetrics_bound_{kind}_{t}_free"] = (None, [HANDLE])
    for kind, types in OBSERVABLE_INSTRUMENTS:
        for t in types:
            decls[f"otelmetrics_meter_create_observable_{kind}_{t}"] = (
                STATUS, [HANDLE, *names, OBSERVE_FN, c_void_p, FREE_FN, OUT_HANDLE])
            decls[f"otelmetrics_observable_{kind}_{t}_free"] = (None, [HANDLE])
    return decls


DECLARATIONS: Dict[str, _Decl] = {**_fixed_declarations(), **_instrument_declarations()}


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

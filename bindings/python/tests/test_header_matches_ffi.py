"""The ctypes declarations match include/otelmetrics.h: every function the
header declares is bound with the same number of arguments and compatible
types, and the mirrored structs have the C compiler's sizes and offsets."""

from __future__ import annotations

import ctypes
import re
import subprocess

import pytest

from otelmetrics import _ffi
from otelmetrics._library import FNS

from pkg_helpers import REPO

HEADER = (REPO / "include" / "otelmetrics.h").read_text()
# cbindgen prints each prototype as `<return type> otelmetrics_x(<params>);`
PROTOTYPE = re.compile(r"^(otelmetrics_status|void|bool|const char \*)\s*(otelmetrics_\w+)\(([^;]*)\);", re.M)
OPAQUE = set(re.findall(r"typedef struct (otelmetrics_\w+) otelmetrics_\w+;", HEADER))
ENUMS = set(re.findall(r"typedef uint32_t (otelmetrics_\w+);", HEADER))

SCALARS = {"uint64_t": ctypes.c_uint64, "int64_t": ctypes.c_int64, "uint32_t": ctypes.c_uint32,
           "int32_t": ctypes.c_int32, "uint16_t": ctypes.c_uint16, "size_t": ctypes.c_size_t,
           "double": ctypes.c_double, "bool": ctypes.c_bool}
STRUCTS = {"otelmetrics_str": _ffi.Str, "otelmetrics_attribute": _ffi.Attribute,
           "otelmetrics_span_context": _ffi.SpanContext}
CALLBACKS = {"otelmetrics_diagnostic_fn": _ffi.DIAGNOSTIC_FN, "otelmetrics_observe_fn": _ffi.OBSERVE_FN,
             "otelmetrics_free_fn": _ffi.FREE_FN}


def declared() -> dict:
    return {name: (ret, [p.strip() for p in params.split(",") if p.strip() and p.strip() != "void"])
            for ret, name, params in PROTOTYPE.findall(HEADER)}


def expected_ctype(param: str):
    """The ctypes type(s) acceptable for one C parameter declaration."""
    text = re.sub(r"\s+", " ", param)
    text = re.sub(r"([*\s])\s*\w+$", r"\1", text)   # drop the parameter name
    text = text.replace("const ", "").replace("struct ", "").strip()
    stars = text.count("*")
    base = text.replace("*", "").strip()
    if stars == 0:
        if base in SCALARS:
            return (SCALARS[base],)
        if base in ENUMS or base == "otelmetrics_status":
            return (ctypes.c_uint32,)
        if base in STRUCTS:
            return (STRUCTS[base],)
        if base in CALLBACKS:
            return (CALLBACKS[base],)
    if stars == 1:
        if base in OPAQUE or base == "void":
            return (ctypes.c_void_p,)
        if base in STRUCTS:
            return (ctypes.POINTER(STRUCTS[base]),)
        if base in SCALARS:
            return (ctypes.POINTER(SCALARS[base]),)
        if base == "char":
            return (ctypes.c_void_p, ctypes.c_char_p)
    if stars == 2 and (base in OPAQUE or base in ("char", "void")):
        return (ctypes.POINTER(ctypes.c_void_p),)
    raise AssertionError(f"no ctypes mapping for C parameter {param!r}")


RETURNS = {"otelmetrics_status": (ctypes.c_uint32,), "void": (None,), "bool": (ctypes.c_bool,),
           "const char *": (ctypes.c_char_p, ctypes.c_void_p)}


def test_the_header_parser_sees_every_prototype():
    # one prototype per "otelmetrics_...(" at the start of a declaration line
    assert len(declared()) == len(re.findall(r"^\S.*\b(otelmetrics_\w+)\(", HEADER, re.M)) - \
        len(re.findall(r"^static inline", HEADER, re.M))
    assert len(declared()) > 100


def test_every_header_function_is_declared_and_nothing_else():
    assert sorted(declared()) == sorted(_ffi.DECLARATIONS)


@pytest.mark.parametrize("name", sorted(declared()))
def test_function_types_match_the_header(name):
    ret, params = declared()[name]
    fn = getattr(FNS, name)
    assert fn.restype in RETURNS[ret], f"{name} returns {ret}, bound as {fn.restype}"
    assert len(fn.argtypes) == len(params), f"{name}: {len(params)} parameters, {len(fn.argtypes)} bound"
    for i, (param, bound) in enumerate(zip(params, fn.argtypes)):
        assert bound in expected_ctype(param), f"{name} parameter {i} `{param}` is bound as {bound}"


LAYOUT_PROGRAM = r"""
#include <stdio.h>
#include "otelmetrics.h"
#define P(type, field) printf(#type "." #field " %zu\n", offsetof(type, field))
int main(void) {
  printf("otelmetrics_str %zu\n", sizeof(otelmetrics_str));
  printf("otelmetrics_array %zu\n", sizeof(otelmetrics_array));
  printf("otelmetrics_value %zu\n", sizeof(otelmetrics_value));
  printf("otelmetrics_attribute %zu\n", sizeof(otelmetrics_attribute));
  printf("otelmetrics_span_context %zu\n", sizeof(otelmetrics_span_context));
  P(otelmetrics_str, ptr); P(otelmetrics_str, len);
  P(otelmetrics_array, ptr); P(otelmetrics_array, len);
  P(otelmetrics_value, string); P(otelmetrics_value, boolean); P(otelmetrics_value, int64);
  P(otelmetrics_value, float64); P(otelmetrics_value, array);
  P(otelmetrics_attribute, key); P(otelmetrics_attribute, value_type); P(otelmetrics_attribute, value);
  P(otelmetrics_span_context, trace_id_high); P(otelmetrics_span_context, trace_id_low);
  P(otelmetrics_span_context, span_id); P(otelmetrics_span_context, trace_flags);
  return 0;
}
"""


def test_struct_layouts_match_the_c_compiler(tmp_path):
    src = tmp_path / "layout.c"
    src.write_text(LAYOUT_PROGRAM)
    subprocess.run(["cc", "-Wall", "-Werror", "-I", str(REPO / "include"), str(src), "-o", str(tmp_path / "layout")],
                   check=True)
    lines = subprocess.run([str(tmp_path / "layout")], capture_output=True, text=True, check=True).stdout.split("\n")
    c = dict(line.rsplit(" ", 1) for line in lines if line)
    mirrors = {"otelmetrics_str": _ffi.Str, "otelmetrics_array": _ffi.Array, "otelmetrics_value": _ffi.Value,
               "otelmetrics_attribute": _ffi.Attribute, "otelmetrics_span_context": _ffi.SpanContext}
    for cname, cls in mirrors.items():
        assert int(c[cname]) == ctypes.sizeof(cls), cname
        for field, _ in cls._fields_:
            assert int(c[f"{cname}.{field}"]) == getattr(cls, field).offset, f"{cname}.{field}"


def test_header_version_is_the_one_the_declarations_were_written_for():
    macros = {k: int(v) for k, v in re.findall(r"#define OTELMETRICS_VERSION_(MAJOR|MINOR|PATCH) (\d+)", HEADER)}
    assert (macros["MAJOR"], macros["MINOR"], macros["PATCH"]) == _ffi.HEADER_VERSION

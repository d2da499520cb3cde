"""The C-to-Julia type table and the C layout rules, case by case."""

import pytest

from jlcheck.header import CType, load_header
from jlcheck.julia_source import JType
from jlcheck.repo import HEADER
from jlcheck.types import JuliaContext, matches, size_align

P = lambda t: JType("Ptr", (t,))  # noqa: E731
R = lambda t: JType("Ref", (t,))  # noqa: E731
J = JType


@pytest.fixture(scope="module")
def header():
    return load_header(HEADER)


@pytest.fixture(scope="module")
def ctx():
    structs = {name: object() for name in ("otelmetrics_str", "otelmetrics_meter")}
    return JuliaContext(aliases={"otelmetrics_status": J("UInt32"), "MeterPtr": P(J("Cvoid"))}, structs=structs)


@pytest.mark.parametrize("c, j, position, ok", [
    (CType("size_t"), J("Csize_t"), "argument", True),
    (CType("size_t"), J("UInt64"), "argument", False),      # right on 64-bit Linux only by accident
    (CType("size_t"), J("Cint"), "argument", False),
    (CType("uint64_t"), J("UInt64"), "argument", True),
    (CType("int64_t"), J("UInt64"), "argument", False),
    (CType("_Bool"), J("Bool"), "argument", True),
    (CType("_Bool"), J("UInt32"), "argument", False),
    (CType("double"), J("Cdouble"), "argument", True),
    (CType("otelmetrics_status"), J("otelmetrics_status"), "return", True),   # alias of UInt32 both sides
    (CType("otelmetrics_status"), J("Int32"), "return", False),
    (CType("otelmetrics_str"), J("otelmetrics_str"), "argument", True),
    (CType("otelmetrics_str"), P(J("otelmetrics_str")), "argument", False),
    (CType("otelmetrics_meter", 1), P(J("otelmetrics_meter")), "argument", True),
    (CType("otelmetrics_meter", 1), J("MeterPtr"), "argument", True),         # a Ptr{Cvoid} alias
    (CType("otelmetrics_meter", 1), R(J("otelmetrics_meter")), "argument", False),
    (CType("otelmetrics_meter", 2), R(P(J("otelmetrics_meter"))), "argument", True),   # out-parameter
    (CType("otelmetrics_meter", 2), P(J("otelmetrics_meter")), "argument", False),
    (CType("size_t", 1), R(J("Csize_t")), "argument", True),
    (CType("size_t", 1), R(J("Csize_t")), "return", False),                   # Ref is never a return type
    (CType("char", 1, True), P(J("UInt8")), "return", True),
    (CType("char", 1, True), J("Cstring"), "return", True),
    (CType("void", 1), P(J("Cvoid")), "argument", True),
    (CType("void", 1), P(J("UInt8")), "argument", False),
    (CType("void", 2, True), P(P(J("Cvoid"))), "argument", True),
    (CType("otelmetrics_observe_fn"), P(J("Cvoid")), "argument", True),
    (CType("otelmetrics_observe_fn"), J("Function"), "argument", False),
])
def test_type_table(header, ctx, c, j, position, ok):
    assert matches(header, ctx, c, j, position) is ok


@pytest.mark.parametrize("j, size_and_align", [
    (J("UInt8"), (1, 1)), (J("Bool"), (1, 1)), (J("UInt32"), (4, 4)), (J("Csize_t"), (8, 8)),
    (P(J("Cvoid")), (8, 8)), (J("NTuple", (J("3"), J("UInt32"))), (12, 4)),
])
def test_scalar_layout(j, size_and_align):
    assert size_align(JuliaContext({}, {}), j) == size_and_align

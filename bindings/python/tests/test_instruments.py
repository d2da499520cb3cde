"""Synchronous and bound instruments: every kind and value type records what
Python passed; bad amounts are refused in Python or by the library, as
exceptions; closed and shut-down handles fail cleanly."""

from __future__ import annotations

import math

import pytest

import otelmetrics
from otelmetrics import errors

from pkg_helpers import read_points

U64_MAX, I64_MIN, I64_MAX = (1 << 64) - 1, -(1 << 63), (1 << 63) - 1

# (create method, value_type, record method, values, expected value in the snapshot)
SUMS = [
    ("create_counter", int, [1, 2, (1 << 62) - 3], 1 << 62),   # (OTLP asInt is signed 64-bit)
    ("create_counter", float, [0.25, 2, 0.5], 2.75),
    ("create_up_down_counter", int, [5, -7, I64_MIN + 2], I64_MIN),
    ("create_up_down_counter", float, [1.5, -3.0], -1.5),
]


@pytest.mark.parametrize("create, value_type, values, expected", SUMS)
def test_sums_add_up(provider, meter, create, value_type, values, expected):
    instrument = getattr(meter, create)("sum", value_type=value_type)
    assert instrument.value_type is value_type
    for v in values:
        instrument.add(v, {"k": "v"})
    assert read_points(provider, "sum") == [{"attributes": {"k": "v"}, "value": expected}]


@pytest.mark.parametrize("value_type, values, expected", [
    (float, [1.5, -2.25], -2.25), (int, [I64_MAX, I64_MIN], I64_MIN), ("u64", [7, I64_MAX], I64_MAX),
    ("i64", [-1], -1), ("f64", [3], 3.0)])
def test_gauges_keep_the_last_value(provider, meter, value_type, values, expected):
    gauge = meter.create_gauge("g", "Cel", "a gauge", value_type=value_type)
    for v in values:
        gauge.record(v)
    assert read_points(provider, "g") == [{"attributes": {}, "value": expected}]


@pytest.mark.parametrize("value_type, values", [(float, [0.5, 7.0, 20.0]), (int, [1, 7, 20])])
def test_histogram_with_advisory_boundaries(provider, meter, value_type, values):
    histogram = meter.create_histogram("h", "ms", explicit_bucket_boundaries_advisory=[1, 10],
                                       value_type=value_type)
    for v in values:
        histogram.record(v, {"route": "/a"})
    (point,) = read_points(provider, "h")
    assert point["count"] == 3 and point["sum"] == sum(values)
    assert point["min"] == min(values) and point["max"] == max(values)
    assert point["bounds"] == [1.0, 10.0] and point["buckets"] == [1, 1, 1]


def test_no_attributes_and_empty_attributes_are_one_series(provider, meter):
    counter = meter.create_counter("c")
    counter.add(1)
    counter.add(2, {})
    counter.add(3, otelmetrics.Attributes())
    assert read_points(provider, "c") == [{"attributes": {}, "value": 6}]


@pytest.mark.parametrize("create, value_type, verb", [
    ("create_counter", int, "add"), ("create_counter", float, "add"),
    ("create_up_down_counter", int, "add"), ("create_up_down_counter", float, "add"),
    ("create_histogram", int, "record"), ("create_histogram", float, "record"),
    ("create_gauge", "u64", "record"), ("create_gauge", int, "record"), ("create_gauge", float, "record")])
def test_bound_instruments_record_on_their_series(provider, meter, create, value_type, verb):
    instrument = getattr(meter, create)("b", value_type=value_type)
    bound = instrument.bind({"route": "/bound"})
    with bound:
        getattr(bound, verb)(2)
        getattr(bound, verb)(3)
        getattr(instrument, verb)(4, {"route": "/bound"})
    with pytest.raises(errors.OtelmetricsError):
        getattr(bound, verb)(1)   # closed by the with block
    (point,) = read_points(provider, "b")
    assert point["attributes"] == {"route": "/bound"}
    if "value" in point:
        assert point["value"] == (4 if create == "create_gauge" else 9)
    else:
        assert point["count"] == 3 and point["sum"] == 9


def test_bind_without_attributes_and_with_an_attributes_set(provider, meter):
    counter = meter.create_counter("c")
    counter.bind().add(1)
    counter.bind(otelmetrics.Attributes({"a": 1})).add(2)
    got = sorted((repr(p["attributes"]), p["value"]) for p in read_points(provider, "c"))
    assert got == [("{'a': ('int', 1)}", 2), ("{}", 1)]


def test_bound_instrument_outlives_its_instrument_object(provider, meter):
    counter = meter.create_counter("c")
    bound = counter.bind({"x": "y"})
    counter.close()
    bound.add(5)
    assert read_points(provider, "c") == [{"attributes": {"x": "y"}, "value": 5}]


@pytest.mark.parametrize("create, value_type, amount, error", [
    ("create_counter", int, -1, ValueError),
    ("create_counter", int, 1 << 64, ValueError),
    ("create_counter", int, I64_MAX + 1, errors.InvalidValueError),   # OTLP carries int64: refused by the library
    ("create_counter", int, 1.5, TypeError),
    ("create_counter", int, True, TypeError),
    ("create_counter", int, "1", TypeError),
    ("create_counter", int, None, TypeError),
    ("create_counter", float, -0.5, errors.InvalidValueError),
    ("create_counter", float, math.nan, errors.InvalidValueError),
    ("create_counter", float, math.inf, errors.InvalidValueError),
    ("create_counter", float, False, TypeError),
    ("create_up_down_counter", int, I64_MAX + 1, ValueError),
    ("create_up_down_counter", int, I64_MIN - 1, ValueError),
    ("create_up_down_counter", float, -math.inf, errors.InvalidValueError),
    ("create_histogram", float, math.nan, errors.InvalidValueError),
    ("create_histogram", int, -3, ValueError),
    ("create_gauge", float, math.inf, errors.InvalidValueError),
    ("create_gauge", int, 2.0, TypeError),
    # ints beyond the largest double: ValueError from Python, not ctypes' ArgumentError/OverflowError
    ("create_counter", float, 1 << 1024, ValueError),
    ("create_up_down_counter", float, -(1 << 1024), ValueError),
    ("create_histogram", float, 1 << 1024, ValueError),
    ("create_gauge", float, (1 << 1024) - 1, ValueError),
])
def test_bad_amounts_raise_and_record_nothing(provider, meter, create, value_type, amount, error):
    instrument = getattr(meter, create)("bad", value_type=value_type)
    verb = "add" if "counter" in create else "record"
    with pytest.raises(error):
        getattr(instrument, verb)(amount, {"k": "v"})
    with pytest.raises(error):
        getattr(instrument.bind({"k": "v"}), verb)(amount)
    assert all(p.get("value", 0) == 0 and p.get("count", 0) == 0 for p in read_points(provider, "bad"))


class MyFloat(float):
    pass


class MyInt(int):
    pass


def test_every_real_number_is_recorded_on_a_float_instrument(provider, meter):
    from decimal import Decimal
    from fractions import Fraction
    numpy = pytest.importorskip("numpy")   # (installed by tests/peers/install.sh)
    amounts = [1, MyInt(2), MyFloat(0.5), numpy.float64(0.25), numpy.float32(0.125), numpy.int64(3),
               Decimal("0.0625"), Fraction(1, 32)]
    counter = meter.create_counter("reals", value_type=float)
    for amount in amounts:
        counter.add(amount)
        counter.bind().add(amount)
    assert read_points(provider, "reals") == [{"attributes": {}, "value": 2 * 6.96875}]


def test_library_errors_carry_its_message(meter):
    with pytest.raises(errors.InvalidValueError) as info:
        meter.create_counter("c", value_type=float).add(-1.0)
    assert info.value.status == 5 and info.value.status_name == "INVALID_VALUE"
    assert "negative" in str(info.value).lower() or "-1" in str(info.value)


@pytest.mark.parametrize("name", ["", "1starts_with_digit", "has space", "x" * 256, "ünï"])
def test_invalid_instrument_names_raise_invalid_name(meter, name):
    with pytest.raises(errors.InvalidNameError):
        meter.create_counter(name)


def test_wrong_argument_types_for_create(meter):
    with pytest.raises(TypeError):
        meter.create_counter(b"bytes")
    with pytest.raises(TypeError):
        meter.create_counter("c", unit=5)
    with pytest.raises(ValueError):
        meter.create_counter("c", value_type=str)
    with pytest.raises(ValueError):
        meter.create_counter("c", value_type="i64")   # counters are u64 or f64
    with pytest.raises(TypeError):
        meter.create_histogram("h", explicit_bucket_boundaries_advisory=["a"])
    with pytest.raises(errors.InvalidArgumentError):
        meter.create_histogram("h", explicit_bucket_boundaries_advisory=[5, 1])
    with pytest.raises(errors.InvalidArgumentError):
        meter.create_histogram("h", explicit_bucket_boundaries_advisory=[1, math.nan])


def test_closed_instrument_raises_instead_of_crashing(meter):
    counter = meter.create_counter("c")
    counter.close()
    counter.close()
    assert counter.closed
    with pytest.raises(errors.NullPointerError):
        counter.add(1)


def test_recording_after_shutdown_raises_shutdown_error():
    provider = otelmetrics.MeterProvider(exporters=["none"], in_memory=True)
    meter = provider.get_meter("m")
    counter = meter.create_counter("c")
    bound = counter.bind({"a": "b"})
    provider.shutdown()
    with pytest.raises(errors.ShutdownError):
        counter.add(1)
    with pytest.raises(errors.ShutdownError):
        bound.add(1)
    with pytest.raises(errors.ShutdownError):
        meter.create_counter("late")
    provider.close()


def test_instruments_are_instances_of_the_public_classes(meter):
    assert isinstance(meter.create_counter("a"), otelmetrics.Counter)
    assert isinstance(meter.create_up_down_counter("b", value_type=float), otelmetrics.UpDownCounter)
    assert isinstance(meter.create_histogram("c"), otelmetrics.Histogram)
    assert isinstance(meter.create_gauge("d"), otelmetrics.Gauge)
    assert isinstance(meter.create_counter("e").bind({}), otelmetrics.BoundCounter)
    assert repr(meter.create_counter("f")) == "Counter('f', value_type=int)"


def test_threads_record_concurrently(provider, meter):
    import threading
    counter = meter.create_counter("threads")
    bound = counter.bind({"via": "bound"})

    def work():
        for i in range(2000):
            counter.add(1, {"via": "dict", "n": i % 3})
            bound.add(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals = {}
    for p in read_points(provider, "threads"):
        totals[p["attributes"]["via"]] = totals.get(p["attributes"]["via"], 0) + p["value"]
    assert totals == {"dict": 8000, "bound": 8000}

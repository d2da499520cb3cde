"""Attribute conversion: every supported type reaches the library typed
exactly; every unsupported key or value is refused in Python, before C."""

from __future__ import annotations

import math

import pytest

import otelmetrics
from otelmetrics import _attributes

from pkg_helpers import read_points


def recorded_attributes(provider, meter, attributes):
    counter = meter.create_counter("conv")
    counter.add(1, attributes)
    (point,) = read_points(provider, "conv")
    return point["attributes"]


@pytest.mark.parametrize("value, expected", [
    ("GET", "GET"),
    ("", ""),
    ("ünïcødé ✓", "ünïcødé ✓"),
    ("nul\x00inside", "nul\x00inside"),
    (True, True),
    (False, False),
    (0, ("int", 0)),
    (-(1 << 63), ("int", -(1 << 63))),
    ((1 << 63) - 1, ("int", (1 << 63) - 1)),
    (2.5, ("double", 2.5)),
    (1.0, ("double", 1.0)),
    (["a", "b"], ["a", "b"]),
    ((True, False), [True, False]),
    ([1, -2], [("int", 1), ("int", -2)]),
    ([0.5, 1.5], [("double", 0.5), ("double", 1.5)]),
    ([], []),
])
def test_each_supported_value_reaches_the_library_typed(provider, meter, value, expected):
    assert recorded_attributes(provider, meter, {"k": value}) == {"k": expected}


def test_bool_int_and_float_of_equal_value_are_three_series(provider, meter):
    counter = meter.create_counter("eq")
    for value, times in ((True, 1), (1, 2), (1.0, 3)):
        for _ in range(times):
            counter.add(1, {"flag": value})
    got = {repr(p["attributes"]["flag"]): p["value"] for p in read_points(provider, "eq")}
    assert got == {"True": 1, "('int', 1)": 2, "('double', 1.0)": 3}


def test_int_float_and_bool_tuples_are_distinct_series(provider, meter):
    counter = meter.create_counter("tuples")
    counter.add(1, {"v": (1, 0)})
    counter.add(2, {"v": (1.0, 0.0)})
    counter.add(4, {"v": (True, False)})
    counter.add(8, {"v": (1, 0)})
    got = {repr(p["attributes"]["v"]): p["value"] for p in read_points(provider, "tuples")}
    assert got == {"[('int', 1), ('int', 0)]": 9, "[('double', 1.0), ('double', 0.0)]": 2, "[True, False]": 4}


def test_bool_seen_after_int_is_not_taken_from_the_cache(provider, meter):
    counter = meter.create_counter("order")
    counter.add(5, {"x": 1})
    counter.add(7, {"x": True})
    got = {repr(p["attributes"]["x"]): p["value"] for p in read_points(provider, "order")}
    assert got == {"('int', 1)": 5, "True": 7}


@pytest.mark.parametrize("attributes, error", [
    ({1: "v"}, TypeError),
    ({b"k": "v"}, TypeError),
    ({"": "v"}, ValueError),
    ({"k": None}, TypeError),
    ({"k": b"bytes"}, TypeError),
    ({"k": {"nested": 1}}, TypeError),
    ({"k": 1 << 63}, ValueError),
    ({"k": -(1 << 63) - 1}, ValueError),
    ({"k": [1, "a"]}, TypeError),
    ({"k": [1, True]}, TypeError),
    ({"k": [1, 2.0]}, TypeError),
    ({"k": [[1]]}, TypeError),
    ({"k": [1 << 64]}, ValueError),
    ({"k": "\ud800"}, ValueError),          # lone surrogate: not encodable as UTF-8
    ({"\ud800": "v"}, ValueError),
    ([("k", "v")], TypeError),
    ("k=v", TypeError),
    (42, TypeError),
])
def test_bad_attributes_raise_before_anything_is_recorded(provider, meter, attributes, error):
    counter = meter.create_counter("bad")
    with pytest.raises(error):
        counter.add(1, attributes)
    with pytest.raises(error):
        counter.bind(attributes)
    with pytest.raises(error):
        otelmetrics.Attributes(attributes)
    assert read_points(provider, "bad") == []


@pytest.mark.parametrize("value", [{"n": math.nan}, {"n": [1.0, math.nan]}])
def test_nan_attribute_values_are_refused_before_the_call(provider, meter, value):
    counter = meter.create_counter("nan")
    with pytest.raises(ValueError, match="NaN"):
        counter.add(1, value)
    with pytest.raises(ValueError, match="NaN"):
        otelmetrics.Attributes(value)


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinite_attribute_values_are_recorded_as_doubles(provider, meter, value):
    meter.create_counter("nonfinite").add(1, {"n": value})
    (metric,) = [m for rm in provider.read_metrics()["resourceMetrics"] for sm in rm["scopeMetrics"]
                 for m in sm["metrics"] if m["name"] == "nonfinite"]
    (point,) = metric["sum"]["dataPoints"]
    # (the snapshot's JSON writes non-finite doubles as null; the type tag is what counts here)
    assert [a["key"] for a in point["attributes"]] == ["n"] and "doubleValue" in point["attributes"][0]["value"]
    assert point["asInt"] == "1"


def test_attributes_set_is_reusable_across_instruments(provider, meter):
    attrs = otelmetrics.Attributes({"route": "/a", "ok": True})
    assert attrs.to_dict() == {"route": "/a", "ok": True} and len(attrs) == 2
    counter, histogram = meter.create_counter("c"), meter.create_histogram("h")
    counter.add(2, attrs)
    counter.add(3, attrs)
    histogram.record(1.5, attrs)
    assert read_points(provider, "c") == [{"attributes": {"route": "/a", "ok": True}, "value": 5}]
    assert read_points(provider, "h")[0]["attributes"] == {"route": "/a", "ok": True}


def test_closed_attributes_set_is_refused(meter):
    attrs = otelmetrics.Attributes({"a": "b"})
    attrs.close()
    attrs.close()   # idempotent
    with pytest.raises(ValueError):
        meter.create_counter("c").add(1, attrs)


def test_cache_is_bounded_and_entries_stay_usable(provider, meter, monkeypatch):
    monkeypatch.setattr(_attributes, "CACHE_SIZE", 8)
    _attributes.cache_clear()
    counter = meter.create_counter("many")
    for i in range(50):
        counter.add(1, {"i": i})
        counter.add(1, {"i": i})
    assert len(_attributes._cache) <= 8
    values = {p["attributes"]["i"][1]: p["value"] for p in read_points(provider, "many")}
    assert values == {i: 2 for i in range(50)}


def test_unhashable_values_are_converted_each_time(provider, meter):
    counter = meter.create_counter("lists")
    for _ in range(3):
        counter.add(1, {"tags": ["a", "b"]})
    assert read_points(provider, "lists") == [{"attributes": {"tags": ["a", "b"]}, "value": 3}]


def test_meter_scope_and_resource_attributes_are_converted_too():
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True,
                                   resource_attributes={"deployment.environment": "test", "shard": 3}) as p:
        p.get_meter("scoped", "1.2.3", "https://example.com/schema", {"scope.attr": True}) \
            .create_counter("c").add(1)
        snapshot = p.read_metrics()
        (rm,) = snapshot["resourceMetrics"]
        resource = {a["key"]: a["value"] for a in rm["resource"]["attributes"]}
        assert resource["deployment.environment"] == {"stringValue": "test"}
        assert resource["shard"] == {"intValue": "3"}
        (sm,) = rm["scopeMetrics"]
        assert sm["scope"]["name"] == "scoped" and sm["scope"]["version"] == "1.2.3"
        assert sm["schemaUrl"] == "https://example.com/schema"
        assert sm["scope"]["attributes"] == [{"key": "scope.attr", "value": {"boolValue": True}}]
        with pytest.raises(TypeError):
            p.get_meter("x", attributes={1: 2})

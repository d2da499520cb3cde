"""otelmetrics behind the OpenTelemetry API (``otelmetrics.api``), in process:
the API's classes and signatures, the error-handling rule (no call raises, bad
values dropped and logged, rate-limited, naming the instrument), value types
that follow the amounts as the Python SDK's do, duplicate instruments, and
observable callbacks (functions and generators). What reaches a collector is
compared with the Python SDK's in ``test_api_e2e.py``."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from opentelemetry import metrics

import otelmetrics
from otelmetrics.api import MeterProvider
from otelmetrics import _api_rejections as _rejections
from pkg_helpers import metrics_of, read_points

API_LOGGER = "otelmetrics.api"


@pytest.fixture
def api_provider():
    p = MeterProvider(exporters=["none"], in_memory=True, service_name="pytest-api")
    yield p
    p.shutdown()


@pytest.fixture
def api_meter(api_provider):
    _rejections.reset()
    return api_provider.get_meter("api.tests", "1.0")


def typed_points(provider: MeterProvider, name: str):
    """[(value type, value, attributes)] of a number metric, from the OTLP JSON."""
    found = []
    for metric in metrics_of(provider.provider.read_metrics()):
        if metric["name"] == name:
            body = metric.get("sum") or metric.get("gauge")
            for p in body["dataPoints"]:
                kind = "int" if "asInt" in p else "double"
                value = int(p["asInt"]) if kind == "int" else float(p["asDouble"])
                attrs = {a["key"]: next(iter(a["value"].values())) for a in p.get("attributes", [])}
                found.append((kind, value, attrs))
    return sorted(found, key=repr)


def test_every_object_is_an_implementation_of_the_api(api_provider, api_meter):
    made = {
        metrics.Counter: api_meter.create_counter("c"),
        metrics.UpDownCounter: api_meter.create_up_down_counter("u"),
        metrics.Histogram: api_meter.create_histogram("h"),
        metrics._Gauge: api_meter.create_gauge("g"),
        metrics.ObservableCounter: api_meter.create_observable_counter("oc"),
        metrics.ObservableUpDownCounter: api_meter.create_observable_up_down_counter("ou"),
        metrics.ObservableGauge: api_meter.create_observable_gauge("og"),
    }
    assert isinstance(api_provider, metrics.MeterProvider) and isinstance(api_meter, metrics.Meter)
    for api_class, instrument in made.items():
        assert isinstance(instrument, api_class), (api_class, instrument)
        assert not type(instrument).__name__.startswith("NoOp")
    # keyword arguments as the API names them
    made[metrics.Counter].add(amount=2, attributes={"k": "v"}, context=None)
    made[metrics._Gauge].set(amount=1.5, attributes=None, context=None)
    made[metrics.Histogram].record(amount=3, attributes={"k": "v"}, context=None)
    assert read_points(api_provider.provider, "c") == [{"attributes": {"k": "v"}, "value": 2}]
    assert read_points(api_provider.provider, "g") == [{"attributes": {}, "value": 1.5}]


def test_meters_are_cached_per_scope_and_invalid_names_give_no_op(api_provider, caplog):
    assert api_provider.get_meter("a", "1") is api_provider.get_meter("a", "1")
    assert api_provider.get_meter("a", "1") is not api_provider.get_meter("a", "2")
    assert api_provider.get_meter("a", attributes={"x": 1}) is api_provider.get_meter("a", attributes={"x": 1})
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        assert isinstance(api_provider.get_meter(""), metrics.NoOpMeter)
        meter = api_provider.get_meter("m")
        bad = meter.create_counter("1-starts-with-a-digit")
    assert isinstance(bad, metrics.NoOpCounter)
    bad.add(1)   # a no-op, and no exception
    assert any("1-starts-with-a-digit" in r.getMessage() for r in caplog.records)


def test_no_api_call_raises_and_bad_values_are_dropped_and_logged(api_provider, api_meter, caplog):
    counter = api_meter.create_counter("requests")
    updown = api_meter.create_up_down_counter("queue")
    histogram = api_meter.create_histogram("latency")
    gauge = api_meter.create_gauge("temperature")
    counter.add(5, {"route": "/a"})
    bad_calls = [
        (counter.add, (-1,), "requests"), (counter.add, (float("nan"),), "requests"),
        (counter.add, (float("inf"),), "requests"), (counter.add, ("3",), "requests"),
        (counter.add, (None,), "requests"),
        (counter.add, (-2.5,), "requests"), (counter.add, (1, "not a mapping"), "requests"),
        (updown.add, (float("nan"),), "queue"), (updown.add, (1 << 70,), "queue"),
        (histogram.record, (float("-inf"),), "latency"), (histogram.record, (object(),), "latency"),
        (gauge.set, (float("nan"),), "temperature"), (gauge.set, ([1],), "temperature"),
    ]
    for call, args, name in bad_calls:
        caplog.clear()
        _rejections.reset()
        with caplog.at_level(logging.WARNING, logger=API_LOGGER):
            call(*args)   # must not raise
        messages = [r.getMessage() for r in caplog.records if r.name == API_LOGGER]
        assert len(messages) == 1 and repr(name) in messages[0], (args, messages)
    # the bad calls changed nothing that was recorded before (the one with a bad
    # attributes argument recorded 1 without attributes, as the SDK does; a bool
    # is an int to the SDK: test_bools_count_as_ints_as_in_the_python_sdk)
    assert sorted(map(repr, read_points(api_provider.provider, "requests"))) == sorted(map(repr, [
        {"attributes": {}, "value": 1}, {"attributes": {"route": "/a"}, "value": 5}]))
    assert read_points(api_provider.provider, "queue") == []


def test_invalid_attributes_are_dropped_from_the_measurement_not_the_measurement(api_provider, api_meter, caplog):
    counter = api_meter.create_counter("hits")
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        counter.add(2, {"ok": "yes", "bad": None, "nan": math.nan, 5: "int key"})
    assert read_points(api_provider.provider, "hits") == [{"attributes": {"ok": "yes"}, "value": 2}]
    assert any("'hits'" in r.getMessage() and "invalid attributes" in r.getMessage() for r in caplog.records)


def test_warnings_are_rate_limited_per_instrument_and_problem(api_meter, caplog):
    counter = api_meter.create_counter("flood")
    other = api_meter.create_counter("other")
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        for _ in range(1000):
            counter.add(-1)
        other.add(-1)
        counter.add(float("nan"))
    messages = [r.getMessage() for r in caplog.records if r.name == API_LOGGER]
    assert len(messages) == 3, messages
    assert "'flood'" in messages[0] and "'other'" in messages[1] and "nan" in messages[2]


def test_the_next_message_after_the_interval_counts_what_was_not_logged(api_meter, caplog, monkeypatch):
    counter = api_meter.create_counter("later")
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        for _ in range(5):
            counter.add(-1)
        monkeypatch.setattr(_rejections, "INTERVAL_S", 0.0)
        counter.add(-1)
    messages = [r.getMessage() for r in caplog.records if r.name == API_LOGGER]
    assert len(messages) == 2 and "4 more dropped" in messages[1], messages


def test_value_types_follow_the_amounts_as_in_the_python_sdk(api_provider, api_meter):
    ints = api_meter.create_counter("ints")
    floats = api_meter.create_counter("floats")
    float_first = api_meter.create_up_down_counter("float_first")
    gauge_int = api_meter.create_gauge("gauge_int")
    ints.add(2)
    ints.add(3)
    floats.add(0.5)
    floats.add(0.25)
    float_first.add(1.5)
    float_first.add(-4)   # an int after a float: added as a double, one stream (the SDK's sum is a float)
    gauge_int.set(7)
    assert typed_points(api_provider, "ints") == [("int", 5, {})]
    assert typed_points(api_provider, "floats") == [("double", 0.75, {})]
    assert typed_points(api_provider, "float_first") == [("double", -2.5, {})]
    assert typed_points(api_provider, "gauge_int") == [("int", 7, {})]


def test_ints_and_floats_on_one_instrument_are_one_stream_as_in_the_python_sdk(api_provider, api_meter):
    mixed = api_meter.create_counter("mixed")
    mixed.add(2, {"k": "v"})
    mixed.add(0.5, {"k": "v"})
    mixed.add(3, {"k": "v"})
    mixed.add(4, {"k": "ints only"})
    gauge = api_meter.create_gauge("mixed_gauge")
    gauge.set(7, {"k": "float last"})
    gauge.set(1.5, {"k": "float last"})
    gauge.set(2.5, {"k": "int last"})
    gauge.set(3, {"k": "int last"})
    # per attribute set, what the SDK exports: a double once a float went in, else an int
    assert sorted(typed_points(api_provider, "mixed"), key=repr) == [("double", 5.5, {"k": "v"}),
                                                                     ("int", 4, {"k": "ints only"})]
    assert sorted(typed_points(api_provider, "mixed_gauge"), key=repr) == [("double", 1.5, {"k": "float last"}),
                                                                           ("int", 3, {"k": "int last"})]


def test_bools_count_as_ints_as_in_the_python_sdk(api_provider, api_meter):
    counter = api_meter.create_counter("flags")
    counter.add(True)
    counter.add(2)
    counter.add(False, {"k": "v"})
    gauge = api_meter.create_gauge("flag_gauge")
    gauge.set(2.5)
    gauge.set(True)
    meter_observed = api_meter.create_observable_gauge(
        "observed_flag", [lambda options: [metrics.Observation(True)]])
    assert sorted(typed_points(api_provider, "flags"), key=repr) == [("int", 0, {"k": "v"}), ("int", 3, {})]
    assert typed_points(api_provider, "flag_gauge") == [("int", 1, {})]
    assert typed_points(api_provider, "observed_flag") == [("int", 1, {})]
    del meter_observed


class MyFloat(float):
    pass


class MyInt(int):
    pass


def test_numpy_scalars_and_number_subclasses_after_ints_are_recorded_not_dropped(api_provider, api_meter, caplog):
    from decimal import Decimal
    numpy = pytest.importorskip("numpy")   # (installed by tests/peers/install.sh)
    counter = api_meter.create_counter("reals")
    gauge = api_meter.create_gauge("real_gauge")
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        counter.add(5)
        counter.add(MyInt(1))
        counter.add(numpy.int64(1))
        counter.add(numpy.float64(2.5))   # a float subclass: once dropped ("type(amount) is float")
        counter.add(MyFloat(0.25))
        counter.add(numpy.float32(0.125))
        counter.add(Decimal("0.0625"))
        gauge.set(numpy.int32(3))
        gauge.set(numpy.float64(1.5))
    assert [r.getMessage() for r in caplog.records if r.name == API_LOGGER] == []
    # (the total across the value types: the Python SDK's one-stream total is issue 19's item 3)
    assert sum(v for _, v, _ in typed_points(api_provider, "reals")) == 5 + 1 + 1 + 2.5 + 0.25 + 0.125 + 0.0625
    assert ("double", 1.5, {}) in typed_points(api_provider, "real_gauge")


def test_observations_of_numpy_scalars_and_decimals_are_reported(api_provider, api_meter, caplog):
    from decimal import Decimal
    numpy = pytest.importorskip("numpy")
    values = {"a": numpy.int64(4), "b": numpy.float64(0.5), "c": Decimal("0.25"), "d": MyFloat(2.0)}

    def callback(options):
        return [metrics.Observation(v, {"k": k}) for k, v in values.items()]

    api_meter.create_observable_gauge("observed", [callback])
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        points = typed_points(api_provider, "observed")
    assert [r.getMessage() for r in caplog.records if r.name == API_LOGGER] == []
    assert points == sorted([("int", 4, {"k": "a"}), ("double", 0.5, {"k": "b"}), ("double", 0.25, {"k": "c"}),
                             ("double", 2.0, {"k": "d"})], key=repr)


def test_threads_racing_to_the_first_measurement_make_one_stream(api_provider, api_meter):
    counter = api_meter.create_counter("raced")
    start = threading.Barrier(8)

    def work():
        start.wait()
        for _ in range(500):
            counter.add(1, {"k": "v"})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert typed_points(api_provider, "raced") == [("int", 4000, {"k": "v"})]


def test_histograms_take_ints_and_floats_in_one_stream(api_provider, api_meter):
    h = api_meter.create_histogram("duration", "ms", explicit_bucket_boundaries_advisory=[10, 100])
    h.record(5)
    h.record(50.5)
    h.record(500)
    (point,) = read_points(api_provider.provider, "duration")
    assert (point["count"], point["sum"], point["bounds"], point["buckets"]) == (3, 555.5, [10.0, 100.0], [1, 1, 1])


def test_creating_the_same_instrument_twice_returns_the_first_as_the_sdk_does(api_provider, api_meter):
    first = api_meter.create_counter("dup", "s", "desc")
    assert api_meter.create_counter("DUP", "s", "desc") is first   # names are case-insensitive
    other_unit = api_meter.create_counter("dup", "ms", "desc")
    assert other_unit is not first
    assert api_meter.create_up_down_counter("dup", "s", "desc") is not first
    first.add(1)
    api_meter.create_counter("dup", "s", "desc").add(2)
    assert [p["value"] for p in read_points(api_provider.provider, "dup")] == [3]


def test_observable_callbacks_functions_and_generators(api_provider, api_meter):
    seen_options = []

    def cpu(options):
        seen_options.append(options)
        return [metrics.Observation(1.25, {"cpu": "0"}), metrics.Observation(2.5, {"cpu": "1"})]

    def threads():
        options = yield
        count = 0
        while True:
            count += 1
            seen_options.append(options)
            options = yield [metrics.Observation(count)]

    api_meter.create_observable_counter("cpu.time", [cpu], "s")
    api_meter.create_observable_gauge("threads", [threads()])
    api_meter.create_observable_up_down_counter("broken", [lambda o: 1 / 0])   # logged, not raised
    assert typed_points(api_provider, "cpu.time") == [("double", 1.25, {"cpu": "0"}), ("double", 2.5, {"cpu": "1"})]
    assert typed_points(api_provider, "threads") == [("int", 2, {})]   # the second collection
    assert all(isinstance(o, metrics.CallbackOptions) for o in seen_options) and seen_options


def test_bad_observations_are_dropped_and_logged_naming_the_instrument(api_provider, api_meter, caplog):
    api_meter.create_observable_gauge("load", [lambda o: [metrics.Observation(float("nan")), "junk",
                                                          metrics.Observation(0.5, {"ok": True}),
                                                          metrics.Observation(2, {"ok": False, "bad": None})]])
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        assert typed_points(api_provider, "load") == [("double", 0.5, {"ok": True}), ("int", 2, {"ok": False})]
    messages = [r.getMessage() for r in caplog.records if r.name == API_LOGGER]
    assert len(messages) == 3 and all("'load'" in m for m in messages), messages


def test_after_shutdown_calls_are_dropped_and_logged(caplog):
    p = MeterProvider(exporters=["none"])
    counter = p.get_meter("late").create_counter("after")
    counter.add(1)
    p.shutdown()
    p.shutdown()
    with caplog.at_level(logging.WARNING, logger=API_LOGGER):
        counter.add(1)
        assert isinstance(p.get_meter("later"), metrics.NoOpMeter)
        assert p.force_flush() is False
    messages = [r.getMessage() for r in caplog.records if r.name == API_LOGGER]
    assert any("'after'" in m and "dropped" in m for m in messages), messages
    assert any("'later'" in m for m in messages) and any("force_flush" in m for m in messages), messages


def test_settings_are_passed_through_and_an_existing_provider_can_be_wrapped():
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True) as core:
        wrapped = MeterProvider(provider=core)
        wrapped.get_meter("w").create_counter("wrapped").add(4)
        assert read_points(core, "wrapped") == [{"attributes": {}, "value": 4}]
    with pytest.raises(ValueError):
        MeterProvider(exporters=["no-such-exporter"])   # construction may raise; API calls may not
    with pytest.raises(TypeError):
        MeterProvider(provider=core, exporters=["none"])


def run_python(source: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(source)], env=full_env, capture_output=True,
                          text=True, timeout=60)


def test_instruments_made_before_set_meter_provider_record_once_it_is_set():
    r = run_python("""
        import json
        from opentelemetry import metrics
        import otelmetrics.api
        early_meter = metrics.get_meter("early")              # the API's proxy meter
        early = early_meter.create_counter("early.counter")
        early_hist = early_meter.create_histogram("early.histogram")
        early_meter.create_observable_gauge("early.gauge", [lambda o: [metrics.Observation(3)]])
        early.add(100)                                        # before: dropped by the API's proxy
        provider = otelmetrics.api.MeterProvider(exporters=["none"], in_memory=True)
        metrics.set_meter_provider(provider)
        early.add(2, {"when": "after"})
        early_hist.record(1.5)
        metrics.get_meter("late").create_counter("late.counter").add(1)
        got = {}
        for rm in provider.provider.read_metrics()["resourceMetrics"]:
            for sm in rm["scopeMetrics"]:
                for m in sm["metrics"]:
                    got[m["name"]] = sm["scope"]["name"]
        print(json.dumps(got, sort_keys=True))
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ('{"early.counter": "early", "early.gauge": "early", "early.histogram": "early", '
                                '"late.counter": "late"}')


def test_otel_python_meter_provider_selects_otelmetrics_configured_from_the_environment():
    r = run_python("""
        from opentelemetry import metrics
        import otelmetrics.api
        provider = metrics.get_meter_provider()
        print(type(provider).__module__, type(provider).__name__)
        metrics.get_meter("env").create_counter("from_env").add(6)
        import urllib.request
        port = provider.provider.prometheus_port   # OTEL_METRICS_EXPORTER=prometheus was honoured
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
            print([line for line in page.read().decode().splitlines() if line.startswith("from_env_total")])
    """, OTEL_PYTHON_METER_PROVIDER="otelmetrics", OTEL_METRICS_EXPORTER="prometheus",
        OTEL_EXPORTER_PROMETHEUS_PORT="0")
    assert r.returncode == 0, r.stderr
    kind, served = r.stdout.splitlines()
    assert kind == "otelmetrics._api_provider MeterProvider"
    assert served == "['from_env_total{otel_scope_name=\"env\"} 6']", served


def test_the_package_works_without_the_opentelemetry_api():
    r = run_python("""
        import sys
        class NoOpenTelemetry:
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry" or name.startswith("opentelemetry."):
                    raise ModuleNotFoundError(f"No module named {name!r}")
        sys.meta_path.insert(0, NoOpenTelemetry())
        import otelmetrics
        with otelmetrics.MeterProvider(exporters=["none"], in_memory=True) as p:
            p.get_meter("plain").create_counter("c").add(1)
            assert '"c"' in p.read_json()
        try:
            import otelmetrics.api
        except ImportError as e:
            print("api:", e)
    """)
    assert r.returncode == 0, r.stderr
    assert "otelmetrics[api]" in r.stdout

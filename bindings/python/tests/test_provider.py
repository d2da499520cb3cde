"""MeterProvider: settings in code and from the environment, views, flush,
shutdown, context managers, exporters writing where they were told."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import otelmetrics
from otelmetrics import errors

from pkg_helpers import read_points


@pytest.mark.parametrize("kwargs, error", [
    ({"exporters": ["carrier-pigeon"]}, ValueError),
    ({"otlp_protocol": "smoke"}, ValueError),
    ({"otlp_compression": "zip"}, ValueError),
    ({"temporality": "sometimes"}, ValueError),
    ({"console_format": "xml"}, ValueError),
    ({"export_interval_millis": 0}, ValueError),
    ({"export_timeout_millis": -5}, ValueError),
    ({"otlp_timeout_millis": True}, ValueError),
    ({"cardinality_limit": 0}, ValueError),
    ({"otlp_max_request_bytes": 0}, ValueError),
    ({"otlp_max_request_bytes": 4.5}, ValueError),
    ({"otlp_max_request_bytes": 512, "exporters": ["otlp"]}, errors.InvalidConfigError),
    ({"prometheus_port": 70000}, ValueError),
    ({"service_name": 5}, TypeError),
    ({"resource_attributes": {"k": object()}}, TypeError),
    ({"otlp_headers": {"k": 1}}, TypeError),
    ({"views": ["not a view"]}, TypeError),
    ({"otlp_endpoint": "not a url at all"}, errors.InvalidConfigError),
    ({"otlp_certificate_file": "/nonexistent/ca.pem", "otlp_endpoint": "https://127.0.0.1:4317"},
     errors.InvalidConfigError),
    ({"views": [otelmetrics.View()]}, errors.InvalidConfigError),   # selects nothing
    ({"views": [otelmetrics.View(instrument_name="*", name="renamed")]}, errors.InvalidConfigError),
])
def test_bad_settings_raise(kwargs, error):
    with pytest.raises(error):
        otelmetrics.MeterProvider(**kwargs)


def test_invalid_config_error_names_the_setting():
    with pytest.raises(errors.InvalidConfigError) as info:
        otelmetrics.MeterProvider(otlp_endpoint="::not a url::")
    assert "endpoint" in str(info.value).lower()


def test_service_name_and_delta_temporality(provider):
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, service_name="svc", temporality="delta") as p:
        p.get_meter("m").create_counter("c").add(1)
        snapshot = p.read_metrics()
    resource = {a["key"]: a["value"] for a in snapshot["resourceMetrics"][0]["resource"]["attributes"]}
    assert resource["service.name"] == {"stringValue": "svc"}


def test_views_rename_filter_keys_and_rebucket():
    views = [
        otelmetrics.View(instrument_name="requests", name="http.requests", description="renamed",
                         attribute_keys=["route"]),
        otelmetrics.View(instrument_type=otelmetrics.Histogram, aggregation=otelmetrics.ExplicitBucketHistogramAggregation(
            [5.0], record_min_max=False)),
        otelmetrics.View(instrument_name="dropped*", aggregation=otelmetrics.DropAggregation()),
        otelmetrics.View(instrument_name="secret", exclude_attribute_keys=["user"]),
    ]
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, views=views) as p:
        m = p.get_meter("m")
        m.create_counter("requests").add(2, {"route": "/a", "user": "u1"})
        m.create_histogram("latency").record(7.0)
        m.create_counter("dropped_total").add(1)
        m.create_counter("secret").add(1, {"user": "u", "kept": True})
        assert read_points(p, "requests") == []
        assert read_points(p, "http.requests") == [{"attributes": {"route": "/a"}, "value": 2}]
        (h,) = read_points(p, "latency")
        assert h["bounds"] == [5.0] and h["buckets"] == [0, 1] and h["min"] is None
        assert read_points(p, "dropped_total") == []
        assert read_points(p, "secret") == [{"attributes": {"kept": True}, "value": 1}]


def test_cardinality_limit_folds_extra_series_into_overflow():
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, cardinality_limit=3) as p:
        c = p.get_meter("m").create_counter("c")
        for i in range(10):
            c.add(1, {"i": i})
        points = read_points(p, "c")
        assert len(points) <= 3 + 1 and sum(pt["value"] for pt in points) == 10
        assert any(pt["attributes"] == {"otel.metric.overflow": True} for pt in points)


def _overflowed(p, name):
    return any(pt["attributes"] == {"otel.metric.overflow": True} for pt in read_points(p, name))


def _record_ten_series(p):
    m = p.get_meter("m")
    c, h = m.create_counter("c"), m.create_histogram("h")
    for i in range(10):
        c.add(1, {"i": i})
        h.record(1.0, {"i": i})


def test_a_per_kind_cardinality_limit_applies_to_that_kind_only():
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, cardinality_limit=100,
                                   cardinality_limits={"counter": 3}) as p:
        _record_ten_series(p)
        assert _overflowed(p, "c")
        assert not _overflowed(p, "h") and len(read_points(p, "h")) == 10
    with pytest.raises(ValueError, match="cardinality_limits"):
        otelmetrics.MeterProvider(exporters=["none"], cardinality_limits={"counters": 3})


def test_a_config_files_reader_cardinality_limits_apply_per_kind(tmp_path):
    path = tmp_path / "otel.yaml"
    path.write_text("file_format: \"1.1\"\nmeter_provider:\n  readers:\n"
                    "    - periodic:\n        cardinality_limits: {default: 100, histogram: 3}\n"
                    "        exporter: {console: {}}\n")
    with otelmetrics.MeterProvider(config_file=path, in_memory=True,
                                   console_path=tmp_path / "ignored.txt") as p:
        _record_ten_series(p)
        assert _overflowed(p, "h")
        assert not _overflowed(p, "c") and len(read_points(p, "c")) == 10


def test_console_exporter_writes_json_lines_to_a_file(tmp_path):
    out = tmp_path / "metrics.jsonl"
    with otelmetrics.MeterProvider(exporters=["console"], console_format="json", console_path=out,
                                   export_interval_millis=3_600_000) as p:
        p.get_meter("m").create_counter("fruits").add(3, {"name": "apple"})
        assert p.force_flush(timeout_millis=5000) is True
    lines = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    names = [m["name"] for req in lines for rm in req["resourceMetrics"] for sm in rm["scopeMetrics"]
             for m in sm["metrics"]]
    assert "fruits" in names


def test_shutdown_is_idempotent_and_context_manager_shuts_down():
    p = otelmetrics.MeterProvider(exporters=["none"], in_memory=True)
    with p:
        c = p.get_meter("m").create_counter("c")
    with pytest.raises(errors.OtelmetricsError):
        c.add(1)   # shut down (and freed) by the with block
    p.shutdown()
    p.close()
    q = otelmetrics.MeterProvider(exporters=["none"])
    q.shutdown(timeout_millis=1000)
    q.shutdown()
    with pytest.raises(errors.ShutdownError):
        q.force_flush()


def test_force_flush_to_an_unreachable_collector_fails_within_its_timeout():
    with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint="http://127.0.0.1:9", otlp_protocol="grpc",
                                   otlp_timeout_millis=300, export_timeout_millis=500,
                                   export_interval_millis=3_600_000) as p:
        p.get_meter("m").create_counter("c").add(1)
        with pytest.raises((errors.ExportFailedError, errors.FlushTimeoutError)):
            p.force_flush(timeout_millis=3000)
        with pytest.raises(ValueError):
            p.force_flush(timeout_millis=-1)


def test_read_json_needs_an_in_memory_reader():
    with otelmetrics.MeterProvider(exporters=["none"]) as p:
        with pytest.raises(errors.InvalidArgumentError):
            p.read_json()
        with pytest.raises(errors.InvalidArgumentError):
            p.prometheus_port  # noqa: B018 (no Prometheus endpoint either: reading it raises)


def test_prometheus_endpoint_reports_its_port():
    with otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_host="127.0.0.1", prometheus_port=0) as p:
        assert 0 < p.prometheus_port < 65536


def test_from_env_reads_otel_variables():
    code = ("import otelmetrics\n"
            "p = otelmetrics.MeterProvider.from_env()\n"
            "p.get_meter('m').create_counter('from_env').add(4)\n"
            "p.shutdown()\n")
    env = {"PATH": "/usr/bin:/bin", "OTEL_METRICS_EXPORTER": "console", "OTEL_SERVICE_NAME": "envsvc",
           "OTEL_METRIC_EXPORT_INTERVAL": "3600000"}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "from_env" in r.stdout and "envsvc" in r.stdout


def test_bad_environment_is_reported_as_invalid_config(monkeypatch):
    monkeypatch.setenv("OTEL_METRIC_EXPORT_INTERVAL", "soon")
    with pytest.raises(errors.InvalidConfigError) as info:
        otelmetrics.MeterProvider.from_env()
    assert "OTEL_METRIC_EXPORT_INTERVAL" in str(info.value)


def test_meter_keeps_its_provider_alive():
    import gc
    meter = otelmetrics.MeterProvider(exporters=["none"], in_memory=True).get_meter("m")
    gc.collect()
    meter.create_counter("c").add(1)   # would raise ShutdownError had the provider been freed
    assert read_points(meter._parent, "c") == [{"attributes": {}, "value": 1}]


def test_view_selectors_by_unit_and_meter_and_the_other_aggregations():
    views = [
        otelmetrics.View(instrument_unit="By", aggregation=otelmetrics.SumAggregation()),
        otelmetrics.View(meter_name="legacy", meter_version="2.0", aggregation=otelmetrics.DropAggregation()),
        otelmetrics.View(instrument_name="expo", aggregation=otelmetrics.ExponentialBucketHistogramAggregation(
            max_size=20, max_scale=3)),
        otelmetrics.View(instrument_type=otelmetrics.ObservableGauge, cardinality_limit=2),
    ]
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, views=views) as p:
        m = p.get_meter("m")
        m.create_histogram("payload", unit="By").record(100.0)
        m.create_histogram("payload", unit="By").record(20.0)
        legacy = p.get_meter("legacy", "2.0").create_counter("hits")
        legacy.add(5)
        legacy.add(7)
        p.get_meter("legacy", "1.0").create_counter("other_hits").add(5)
        m.create_histogram("expo").record(3.0)
        m.create_observable_gauge("rooms", callbacks=[lambda o: [otelmetrics.Observation(float(i), {"r": i})
                                                                  for i in range(5)]])
        assert read_points(p, "payload") == [{"attributes": {}, "value": 120.0}]        # histogram as sum
        assert read_points(p, "hits") == []                                             # dropped
        assert read_points(p, "other_hits") == [{"attributes": {}, "value": 5}]         # other version: kept
        metric = next(mm for rm in p.read_metrics()["resourceMetrics"] for sm in rm["scopeMetrics"]
                      for mm in sm["metrics"] if mm["name"] == "expo")
        (point,) = metric["exponentialHistogram"]["dataPoints"]
        assert point["count"] == "1" and point["scale"] <= 3
        assert len(read_points(p, "rooms")) <= 2 + 1


def test_view_arguments_are_checked():
    with pytest.raises(TypeError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(instrument_type=int)])
    with pytest.raises(TypeError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(instrument_name="x", attribute_keys="route")])
    with pytest.raises(TypeError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(instrument_name="x", aggregation="sum")])
    with pytest.raises(errors.InvalidConfigError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(instrument_name="x", attribute_keys=["a"],
                                                          exclude_attribute_keys=["b"])])
    with pytest.raises(errors.InvalidConfigError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(
            instrument_name="x", aggregation=otelmetrics.ExplicitBucketHistogramAggregation([3.0, 1.0]))])
    with pytest.raises(errors.InvalidConfigError):
        otelmetrics.MeterProvider(views=[otelmetrics.View(instrument_name="x", cardinality_limit=0)])

"""The Prometheus exporter's options end to end: translation strategies,
the `escaping=` negotiation of UTF-8 names, scope labels, target_info and
resource constant labels. The Python package serves /metrics in this
process; what a scraper gets is read by parsers no one here wrote
(prometheus_client's text and OpenMetrics parsers, Debian's promtool), by a
real Prometheus 2.42 (which asks for legacy names), and compared with the
Python SDK's own Prometheus exporter (opentelemetry-exporter-prometheus) on
the options both have. Expected names are the exporter specification's
examples, not output of the code under test."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.prometheus import Prometheus, promtool  # noqa: E402
from peers.rotel import wait_until  # noqa: E402

import otelmetrics  # noqa: E402
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families as parse_text  # noqa: E402

# What Prometheus 3 and 2 send (scrape.go's acceptHeader).
PROMETHEUS_3 = ("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                "application/openmetrics-text;version=0.0.1;q=0.5,"
                "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
PROMETHEUS_2 = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
UTF8_TEXT = "text/plain;version=1.0.0;escaping=allow-utf-8"
STRATEGIES = ["underscore_escaping_with_suffixes", "underscore_escaping_without_suffixes",
              "no_utf8_escaping_with_suffixes", "no_translation"]
RESOURCE = {"service.namespace": "shop", "service.instance.id": "i-1", "host.name": "h1"}
LEGACY_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LEGACY_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def record(meter: Any) -> None:
    """The workload, through the OpenTelemetry API's shape (both SDKs take it)."""
    meter.create_counter("http.server.requests", unit="{request}", description="Requests served").add(
        3, {"http.request.method": "GET"})
    duration = meter.create_histogram("http.server.request.duration", unit="s", description="Duration",
                                      explicit_bucket_boundaries_advisory=[0.5, 1.0])
    duration.record(0.2, {"http.route": "/a"})
    duration.record(0.7, {"http.route": "/a"})
    meter.create_up_down_counter("queue.depth", unit="{item}", description="Queued").add(5, {"queue": "q1"})


@contextmanager
def serving(**options: Any) -> Iterator[str]:
    provider = otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0, service_name="svc",
                                         resource_attributes=RESOURCE, **options)
    try:
        record(provider.get_meter("shop.lib", "1.2"))
        yield f"http://127.0.0.1:{provider.prometheus_port}/metrics"
    finally:
        provider.shutdown()


def scrape(url: str, accept: str | None = None) -> tuple[str, str]:
    headers = {"Accept": accept} if accept else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return r.headers["Content-Type"], r.read().decode()


def parsed(content_type: str, body: str) -> dict[str, Any]:
    parse = parse_openmetrics if content_type.startswith("application/openmetrics-text") else parse_text
    return {f.name: f for f in parse(body)}


def sample_names(families: dict[str, Any]) -> set[str]:
    return {s.name for f in families.values() for s in f.samples}


def written_names(body: str) -> set[str]:
    """Sample names as written (the parsers add `_total` to counter
    samples): the token before the labels, or the quoted first item in them."""
    names = set()
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith('{"'):
            names.add(re.match(r'\{"((?:[^"\\]|\\.)*)"', line).group(1))
        else:
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def label_names(families: dict[str, Any]) -> set[str]:
    return {k for f in families.values() for s in f.samples for k in s.labels}


# ------------------------------------------------------------ translation strategies


@pytest.mark.parametrize("strategy,counter,histogram", [
    ("underscore_escaping_with_suffixes", "http_server_requests_total", "http_server_request_duration_seconds"),
    ("underscore_escaping_without_suffixes", "http_server_requests", "http_server_request_duration"),
    ("no_utf8_escaping_with_suffixes", "http.server.requests_total", "http.server.request.duration_seconds"),
    ("no_translation", "http.server.requests", "http.server.request.duration"),
])
def test_each_strategy_names_metrics_as_the_spec_says_for_a_utf8_scraper(strategy, counter, histogram):
    with serving(prometheus_translation_strategy=strategy) as url:
        content_type, body = scrape(url, UTF8_TEXT)
    assert content_type == "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
    families = parsed(content_type, body)   # the parser accepts it
    names = written_names(body)
    assert counter in names, sorted(names)
    assert {f"{histogram}_bucket", f"{histogram}_sum", f"{histogram}_count"} <= names, sorted(names)
    utf8 = strategy.startswith("no_")
    assert ("http.request.method" in label_names(families)) == utf8
    assert ("http_request_method" in label_names(families)) != utf8


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("accept", [None, PROMETHEUS_2, "text/plain;version=1.0.0;escaping=underscores"],
                         ids=["no-accept", "prometheus-2", "underscores"])
def test_a_scraper_that_does_not_ask_for_utf8_gets_valid_legacy_names(strategy, accept):
    with serving(prometheus_translation_strategy=strategy) as url:
        content_type, body = scrape(url, accept)
    families = parsed(content_type, body)
    assert not [n for n in sample_names(families) if not LEGACY_NAME.match(n)], body
    assert not [n for n in label_names(families) if not LEGACY_LABEL.match(n)], body
    if content_type.startswith("text/plain"):
        # Lint remarks (a counter without `_total` under a strategy without
        # suffixes) are allowed; a parse error is not.
        checked = subprocess.run([str(promtool()), "check", "metrics"], input=body.encode(), capture_output=True)
        output = checked.stdout.decode() + checked.stderr.decode()
        assert "error while linting" not in output and "parsing error" not in output, output


def test_prometheus_3_gets_openmetrics_with_utf8_names():
    with serving(prometheus_translation_strategy="no_utf8_escaping_with_suffixes") as url:
        content_type, body = scrape(url, PROMETHEUS_3)
    assert content_type == "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
    assert '{"http.server.requests_total","http.request.method"="GET"' in body, body
    families = parsed(content_type, body)   # the strict parser accepts it
    assert families["http.server.requests"].type == "counter"
    assert families["http.server.request.duration_seconds"].type == "histogram"
    assert families["queue.depth"].type == "gauge"


def test_without_suffixes_openmetrics_counters_still_end_in_total():
    with serving(prometheus_translation_strategy="underscore_escaping_without_suffixes") as url:
        content_type, body = scrape(url, PROMETHEUS_2)
    families = parsed(content_type, body)
    assert families["http_server_requests"].type == "counter"
    assert "http_server_requests_total" in sample_names(families)
    assert "# UNIT" not in body


def test_without_units_and_without_type_suffix_override_the_default_strategy():
    with serving(prometheus_without_units=True) as url:
        names = sample_names(parsed(*scrape(url)))
    assert {"http_server_requests_total", "http_server_request_duration_bucket"} <= names, sorted(names)
    with serving(prometheus_without_type_suffix=True) as url:
        names = written_names(scrape(url)[1])
    assert {"http_server_requests", "http_server_request_duration_seconds_bucket"} <= names, sorted(names)


@pytest.mark.parametrize("scheme,counter,label", [
    # Prometheus' escaping schemes document: `dots` doubles underscores and
    # spells dots out; `values` prefixes U__ and writes code points in hex.
    ("dots", "http_dot_server_dot_requests__total", "http_dot_request_dot_method"),
    ("values", "U__http_2e_server_2e_requests__total", "U__http_2e_request_2e_method"),
])
def test_dots_and_values_escaping_when_the_scraper_asks(scheme, counter, label):
    with serving(prometheus_translation_strategy="no_utf8_escaping_with_suffixes") as url:
        content_type, body = scrape(url, f"text/plain;version=1.0.0;escaping={scheme}")
    assert content_type.endswith(f"escaping={scheme}")
    families = parsed(content_type, body)
    assert counter in sample_names(families), body
    assert label in label_names(families), body
    assert not [n for n in sample_names(families) if not LEGACY_NAME.match(n)], body


# ------------------------------------------------------------ scope, target_info, resource labels


def test_scope_info_and_target_info_can_be_turned_off():
    with serving() as url:
        families = parsed(*scrape(url))
    assert "target_info" in families
    assert "otel_scope_name" in label_names(families)
    with serving(prometheus_scope_info=False, prometheus_target_info=False) as url:
        families = parsed(*scrape(url))
    assert "target_info" not in families
    assert not [n for n in label_names(families) if n.startswith("otel_scope_")], sorted(label_names(families))
    assert "http_server_requests_total" in sample_names(families)


def test_resource_constant_labels_copy_the_chosen_attributes_onto_every_series():
    with serving(prometheus_resource_constant_labels={"included": ["service.*"],
                                                      "excluded": ["service.instance.id"]}) as url:
        families = parsed(*scrape(url))
    for family in families.values():
        if family.name == "target_info":
            continue
        for s in family.samples:
            assert s.labels.get("service_name") == "svc", s
            assert s.labels.get("service_namespace") == "shop", s
            assert "host_name" not in s.labels and "service_instance_id" not in s.labels, s


def test_a_bad_option_is_refused_with_a_message():
    with pytest.raises(ValueError, match="prometheus_translation_strategy"):
        otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_translation_strategy="dots")
    with pytest.raises(ValueError, match="pattern is empty"):
        otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0,
                                  prometheus_resource_constant_labels={"included": [""]})


def test_a_histogram_attribute_named_le_does_not_duplicate_the_bucket_bound():
    provider = otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0)
    try:
        meter = provider.get_meter("lib")
        meter.create_histogram("latency", explicit_bucket_boundaries_advisory=[1.0]).record(0.5, {"le": "x", "k": "v"})
        meter.create_counter("hits").add(1, {"le": "kept on a counter"})
        url = f"http://127.0.0.1:{provider.prometheus_port}/metrics"
        for accept in (None, PROMETHEUS_2):
            content_type, body = scrape(url, accept)
            buckets = [line for line in body.splitlines() if line.startswith("latency_bucket")]
            assert len(buckets) == 2 and all(line.count("le=") == 1 for line in buckets), body
            families = parsed(content_type, body)   # a duplicate label would not parse
            bounds = {float(s.labels["le"]) for s in families["latency"].samples if s.name == "latency_bucket"}
            assert bounds == {1.0, float("inf")}
            assert families["hits"].samples[0].labels["le"] == "kept on a counter"
    finally:
        provider.shutdown()


def test_metrics_named_like_target_info_are_left_out_with_a_warning(caplog):
    """`target_info` (and OpenMetrics' family `target`) belong to the
    resource: a metric mapping to them would give two TYPE lines for one
    family, which the parsers reject."""
    provider = otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0, service_name="svc")
    try:
        meter = provider.get_meter("lib")
        meter.create_gauge("target_info").record(2)
        meter.create_counter("target").add(1)
        meter.create_counter("kept").add(1)
        url = f"http://127.0.0.1:{provider.prometheus_port}/metrics"
        with caplog.at_level("WARNING", logger="otelmetrics"):
            for accept in (None, PROMETHEUS_2):
                content_type, body = scrape(url, accept)
                families = parsed(content_type, body)   # parses: one target_info family
                info = families.get("target_info") or families["target"]   # OpenMetrics' info family
                assert [s.value for s in info.samples] == [1], body
                assert "kept_total" in sample_names(families)
                assert not [s for f in families.values() for s in f.samples if s.name.startswith("target_total")]
        warned = [r.getMessage() for r in caplog.records if "target_info" in r.getMessage()]
        assert any("`target_info`" in w and "left out" in w for w in warned), warned
    finally:
        provider.shutdown()


def random_workload(meter: Any, rng: random.Random) -> None:
    """Instruments and attributes a program may legally record, picked to
    collide: names that differ only in characters escaping removes, keys
    Prometheus reserves or cannot take, quotes, newlines, non-ASCII."""
    stems = ["a.b", "a_b", "a-b", "a/b", "x", "x_total", "x_created", "x_bucket", "target", "target_info", "n.ü"]
    keys = ["le", "__name__", "otel.scope.name", "otel_scope_name", "k.v", "k_v", "0day", "quo\"te", "new\nline",
            "üñï", "a" * 40, "service.name"]
    units = ["", "s", "ms", "By", "By/s", "1", "%", "{req}", "{req}/s", "Cel"]
    kinds = ["create_counter", "create_up_down_counter", "create_histogram", "create_gauge"]
    for i in range(40):
        name = rng.choice(stems) if i % 2 else rng.choice(stems) + rng.choice(["", ".1", "_s", "2"])
        if not name[0].isalpha():
            continue
        try:
            instrument = getattr(meter, rng.choice(kinds))(name, unit=rng.choice(units), value_type=float,
                                                           description=rng.choice(["", "d", "multi\nline \\ \""]))
        except (ValueError, otelmetrics.errors.OtelmetricsError):
            continue   # refused (e.g. a name the API forbids): nothing to expose
        for _ in range(3):
            attributes = {rng.choice(keys): rng.choice(["v", "", "q\"\n\\", "ü"]) for _ in range(rng.randint(0, 3))}
            value = rng.choice([0, 1, 2.5, 1e20, 1e-9])
            (instrument.add if hasattr(instrument, "add") else instrument.record)(value, attributes)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_legal_input_that_collides_in_every_way_still_gives_valid_output(strategy):
    rng = random.Random(20)   # fixed: a failure reproduces
    provider = otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0,
                                         prometheus_translation_strategy=strategy, exemplar_filter="always_on",
                                         resource_attributes={"service.name": "s", "le": "r", "k.v": "x"},
                                         prometheus_resource_constant_labels={"included": ["*"]})
    try:
        for scope in ("lib", "other"):
            random_workload(provider.get_meter(scope, "1", attributes={"name": "n", "k.v": "s"}), rng)
        url = f"http://127.0.0.1:{provider.prometheus_port}/metrics"
        for accept in (None, PROMETHEUS_2, PROMETHEUS_3, UTF8_TEXT, "text/plain;version=1.0.0;escaping=dots",
                       "application/openmetrics-text;version=1.0.0;escaping=values"):
            content_type, body = scrape(url, accept)
            families = parsed(content_type, body)   # the strict OpenMetrics parser for OpenMetrics
            series = [(smp.name, tuple(sorted(smp.labels.items()))) for f in families.values() for smp in f.samples]
            assert len(series) == len(set(series)), f"{accept}: a series twice"
            if content_type.startswith("text/plain; version=0.0.4"):
                checked = subprocess.run([str(promtool()), "check", "metrics"], input=body.encode(),
                                         capture_output=True)
                output = checked.stdout.decode() + checked.stderr.decode()
                assert "error while linting" not in output and "parsing error" not in output, output
    finally:
        provider.shutdown()


# ------------------------------------------------------------ a real Prometheus


def test_prometheus_2_stores_legacy_names_from_a_utf8_strategy(tmp_path):
    with serving(prometheus_translation_strategy="no_translation") as url:
        port = url.split(":")[2].split("/")[0]
        with Prometheus([f"127.0.0.1:{port}"], workdir=tmp_path) as prom:
            wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                       describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
            # Prometheus 2 asks for OpenMetrics, whose counter samples end in _total.
            assert prom.wait_for_value('http_server_requests_total{http_request_method="GET"}') == 3
            assert prom.wait_for_value("http_server_request_duration_count") == 2


def test_explicit_bucket_histograms_stay_classic_through_protobuf(tmp_path):
    """Prometheus with native histograms on negotiates protobuf; an
    explicit-bucket histogram must arrive there as classic buckets."""
    with serving() as url:
        port = url.split(":")[2].split("/")[0]
        with Prometheus([f"127.0.0.1:{port}"], workdir=tmp_path, features=["native-histograms"]) as prom:
            wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                       describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
            # Prometheus spells a bound read from protobuf as a float (`1.0`).
            bucket = 'http_server_request_duration_seconds_bucket{le=~"%s"}'
            assert prom.wait_for_value(bucket % "0.5") == 1
            assert prom.wait_for_value(bucket % "1|1.0") == 2
            assert prom.wait_for_value('http_server_request_duration_seconds_bucket{le="+Inf"}') == 2
            assert prom.wait_for_value("http_server_request_duration_seconds_count") == 2
            # Not a native histogram: histogram_count() finds nothing to count.
            assert prom.query("histogram_count(http_server_request_duration_seconds)") == []


# ------------------------------------------------------------ the Python SDK's exporter as a twin


def sdk_exposition(**options: Any) -> str:
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
    from opentelemetry.sdk.resources import Resource
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    reader = PrometheusMetricReader(registry=registry, **options)
    sdk = SdkMeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "svc", **RESOURCE}))
    try:
        record(sdk.get_meter("shop.lib", "1.2"))
        return generate_latest(registry).decode()
    finally:
        sdk.shutdown()


def comparable(body: str) -> dict[str, tuple[str, frozenset]]:
    """Each family's type and samples, without what the two SDKs rightly
    differ in: target_info's telemetry.sdk.* labels, empty labels (which
    Prometheus treats as absent) and how a bucket bound is spelled."""
    def kept(k: str, v: str) -> bool:
        return v != "" and not k.startswith("telemetry_sdk_")

    def value(k: str, v: str) -> str | float:
        return float(v) if k == "le" else v   # `1` and `1.0` are one bucket bound

    out = {}
    for family in parse_text(body):
        samples = frozenset(
            (s.name, frozenset((k, value(k, v)) for k, v in s.labels.items() if kept(k, v)), s.value)
            for s in family.samples)
        out[family.name] = (family.type, samples)
    return out


@pytest.mark.parametrize("ours,theirs", [
    ({}, {}),
    ({"prometheus_scope_info": False, "prometheus_target_info": False},
     {"scope_info_enabled": False, "disable_target_info": True}),
    ({"prometheus_resource_constant_labels": {"included": ["service.*"]}},
     {"resource_attribute_filter": lambda key: key.startswith("service.")}),
], ids=["defaults", "no-scope-no-target", "resource-labels"])
def test_the_python_sdks_exporter_exposes_the_same(ours, theirs):
    with serving(**ours) as url:
        _, body = scrape(url, "text/plain;version=0.0.4")
    assert comparable(body) == comparable(sdk_exposition(**theirs))

"""Exemplars through the Prometheus endpoint: a Python program traced by the
Python SDK's real TracerProvider records through otelmetrics inside spans;
the OpenMetrics scrape carries the spans' trace and span ids on the counter
and on the histogram bucket each value fell in (read back by
prometheus_client's strict parser), and Debian's Prometheus 2.42 with
--enable-feature=exemplar-storage returns those trace ids from
/api/v1/query_exemplars. Scrapers asking for the 0.0.4 text format get no
exemplars (that format has none)."""

from __future__ import annotations

import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import wait_until  # noqa: E402

import otelmetrics  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics  # noqa: E402

OPENMETRICS = "application/openmetrics-text;version=1.0.0"


@pytest.fixture(scope="module")
def traced() -> Iterator[tuple[str, dict[str, Any]]]:
    """A provider serving /metrics, and the ids of the spans it recorded in."""
    provider = otelmetrics.MeterProvider(exporters=["prometheus"], prometheus_port=0, service_name="traced")
    tracer = TracerProvider().get_tracer("app")
    meter = provider.get_meter("app")
    requests = meter.create_counter("requests", unit="{request}", description="Requests")
    latency = meter.create_histogram("latency", unit="s", description="Latency",
                                     explicit_bucket_boundaries_advisory=[0.5, 1.0])
    spans = {}
    for name, value in (("fast", 0.2), ("slow", 0.7)):
        with tracer.start_as_current_span(name) as span:
            requests.add(1, {"route": "/a"})
            latency.record(value, {"route": "/a"})
            ctx = span.get_span_context()
            spans[name] = {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}
    requests.add(1, {"route": "/untraced"})   # outside any span: no exemplar (trace_based)
    try:
        yield f"http://127.0.0.1:{provider.prometheus_port}/metrics", spans
    finally:
        provider.shutdown()


def scrape(url: str, accept: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=10) as r:
        return r.read().decode()


def test_openmetrics_carries_the_spans_ids_on_counters_and_buckets(traced):
    url, spans = traced
    families = {f.name: f for f in parse_openmetrics(scrape(url, OPENMETRICS))}
    counter = {s.labels["route"]: s for s in families["requests"].samples if s.name == "requests_total"}
    # A sum keeps one exemplar, sampled from its measurements (the spec's
    # SimpleFixedSizeExemplarReservoir): either span's.
    assert counter["/a"].exemplar is not None
    assert counter["/a"].exemplar.labels in (spans["fast"], spans["slow"])
    assert counter["/a"].exemplar.value == 1
    assert counter["/untraced"].exemplar is None
    buckets = {float(s.labels["le"]): s.exemplar for s in families["latency_seconds"].samples
               if s.name == "latency_seconds_bucket"}
    assert buckets[0.5].labels == spans["fast"] and buckets[0.5].value == pytest.approx(0.2)
    assert buckets[1.0].labels == spans["slow"] and buckets[1.0].value == pytest.approx(0.7)
    assert buckets[float("inf")] is None
    # An exemplar's timestamp is when it was measured, in seconds.
    assert abs(float(buckets[1.0].timestamp) - time.time()) < 3600


def test_the_text_format_has_no_exemplars(traced):
    url, _ = traced
    body = scrape(url, "text/plain;version=0.0.4")
    assert " # {" not in body and "requests_total" in body


def test_prometheus_returns_the_trace_ids_from_query_exemplars(traced, tmp_path):
    url, spans = traced
    port = url.split(":")[2].split("/")[0]
    with Prometheus([f"127.0.0.1:{port}"], workdir=tmp_path, features=["exemplar-storage"]) as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")

        def trace_ids(query: str) -> set[str]:
            now = time.time()
            found = prom.api("query_exemplars", query=query, start=str(now - 3600), end=str(now + 60))
            return {e["labels"]["trace_id"] for series in found for e in series["exemplars"]}

        wait_until(lambda: trace_ids("latency_seconds_bucket") == {spans["fast"]["trace_id"], spans["slow"]["trace_id"]},
                   timeout_s=30, describe=lambda: f"exemplars: {trace_ids('latency_seconds_bucket')}")
        assert trace_ids("requests_total") <= {spans["fast"]["trace_id"], spans["slow"]["trace_id"]}
        assert len(trace_ids("requests_total")) == 1

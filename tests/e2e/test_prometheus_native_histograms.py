"""Exponential histograms as Prometheus native histograms: Debian's
Prometheus 2.42 with --enable-feature=native-histograms negotiates the
protobuf format and reads the producer's http.server.duration (recorded with
OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram)
as a native histogram; scrapers that do not ask for protobuf get text."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import wait_until  # noqa: E402
from test_prometheus import Producer, exe, get, lint  # noqa: E402,F401  (exe: the module's fixture)

from peers.cprog import program_env  # noqa: E402

# What the producer records into http.server.duration (seconds).
RECORDED = [0.05] * 10 + [0.3] * 20 + [0.7] * 50 + [3.0] * 20
MAX_SIZE, MAX_SCALE = 160, 20   # the SDK's base2 defaults (README)


def otel_index(v: float, scale: int) -> int:
    """The OTel bucket (base^i, base^(i+1)] holding v (none are powers of 2)."""
    return math.ceil(math.log2(v) * 2**scale) - 1


def sdk_scale() -> int:
    """The largest scale at which the recorded range fits MAX_SIZE buckets."""
    scale = MAX_SCALE
    while otel_index(max(RECORDED), scale) - otel_index(min(RECORDED), scale) + 1 > MAX_SIZE:
        scale -= 1
    return scale


def expected_median() -> float:
    """histogram_quantile(0.5) as Prometheus 2.42 computes it over native
    buckets: linear interpolation inside the bucket holding rank 50."""
    scale = min(sdk_scale(), 8)
    i = otel_index(0.7, scale)
    lower, upper = 2 ** (i / 2**scale), 2 ** ((i + 1) / 2**scale)
    below = sum(1 for v in RECORDED if v < lower)
    inside = sum(1 for v in RECORDED if lower < v <= upper)
    return lower + (upper - lower) * (0.5 * len(RECORDED) - below) / inside


@pytest.fixture(scope="module")
def producer(exe):  # noqa: F811
    p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0",
                               OTEL_SERVICE_NAME="prom-native",
                               OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION="base2_exponential_bucket_histogram"))
    yield p
    try:
        p.quit()
    finally:
        p.kill()


@pytest.fixture(scope="module")
def prometheus(producer, tmp_path_factory):
    with Prometheus([f"127.0.0.1:{producer.port}"], workdir=tmp_path_factory.mktemp("prometheus"),
                    features=["native-histograms"]) as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
        yield prom


def test_native_histogram_count_and_median_through_prometheus(prometheus):
    assert prometheus.wait_for_value("histogram_count(http_server_duration_seconds)") == len(RECORDED)
    assert prometheus.wait_for_value("histogram_sum(http_server_duration_seconds)") == pytest.approx(sum(RECORDED))
    # Both sides compute the same float formula; the tolerance only absorbs
    # the last bits of 2**(i/2**scale) computed in Go and in Python.
    median = prometheus.wait_for_value("histogram_quantile(0.5, http_server_duration_seconds)")
    assert median == pytest.approx(expected_median(), rel=1e-9)


def test_other_families_arrive_through_protobuf(prometheus):
    assert prometheus.wait_for_value('target_info{service_name="prom-native"}') == 1
    assert prometheus.wait_for_value("bytes_read_bytes_total") > 0
    assert prometheus.wait_for_value("histogram_count(payload_size_bytes)") == 2


def test_a_text_scraper_gets_valid_text_without_the_exponential_histogram(producer):
    status, headers, body = get(producer.url, Accept="text/plain;version=0.0.4")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert lint(body) == []
    assert b"http_server_duration" not in body and b"bytes_read_bytes_total" in body

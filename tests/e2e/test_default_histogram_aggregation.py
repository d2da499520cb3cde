"""OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION, end to end: the
C producer's histogram reaches the real collector rotel as an exponential
histogram when the variable asks for base2_exponential_bucket_histogram, as
an explicit-bucket one by default, and an invalid value is a warning and the
default."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

VAR = "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION"


@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/otlp_producer.c", tmp_path_factory.mktemp("producer"))


@pytest.mark.parametrize("value, data_type, warned", [
    (None, "Histogram", False),
    ("explicit_bucket_histogram", "Histogram", False),
    ("base2_exponential_bucket_histogram", "ExponentialHistogram", False),
    ("exponential", "Histogram", True),
])
def test_the_default_histogram_aggregation_decides_what_the_collector_receives(producer, value, data_type, warned):
    with Rotel() as rotel:
        env = program_env(OTEL_EXPORTER_OTLP_ENDPOINT=rotel.http_url, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
                          OTEL_METRIC_EXPORT_INTERVAL="60000")
        if value is not None:
            env[VAR] = value
        r = subprocess.run([str(producer)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "shutdown OK" in r.stdout, r.stdout + r.stderr
        assert (f"[warn] {VAR}: unknown value `{value}`" in r.stderr) == warned, r.stderr

        def arrived():
            point = rotel.latest_point("e2e.latency", {"method": "GET"})
            assert point.metric.data_type == data_type
            assert point.count == 5
        eventually(arrived, timeout_s=20)

"""OTEL_CONFIG_FILE, end to end: the C producer configured by the example
file alone reaches the real collector rotel (the file's view decides the
buckets), and the OTEL_EXPORTER_OTLP_* variables it would otherwise use are
ignored; a file with a type error fails the build naming file, line, key."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "config" / "otelmetrics.yaml"


@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/otlp_producer.c", tmp_path_factory.mktemp("producer"))


def test_the_example_file_alone_drives_the_pipeline_to_rotel(producer):
    with Rotel() as rotel:
        env = program_env(OTEL_CONFIG_FILE=str(EXAMPLE), COLLECTOR_URL=rotel.http_url.rstrip("/"),
                          PROMETHEUS_PORT="0",
                          # Ignored: the file decides (the specification's rule).
                          OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:1", OTEL_METRICS_EXPORTER="none")
        r = subprocess.run([str(producer)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "shutdown OK" in r.stdout, r.stdout + r.stderr

        def arrived():
            point = rotel.latest_point("e2e.latency", {"method": "GET"})
            assert point.metric.data_type == "Histogram"
            assert point.count == 5
            assert list(point.explicit_bounds) == [1.0, 10.0, 100.0, 1000.0]
        eventually(arrived, timeout_s=20)


def test_a_type_error_in_the_file_fails_the_build_naming_file_line_and_key(producer, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('file_format: "1.0"\nmeter_provider:\n  readers:\n    - periodic:\n        interval: soon\n')
    r = subprocess.run([str(producer)], env=program_env(OTEL_CONFIG_FILE=str(bad)),
                       capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert f"{bad}:5 meter_provider.readers[0].periodic.interval" in out, out


@pytest.fixture(scope="module")
def many_series(tmp_path_factory):
    return compile_c("tests/e2e/programs/many_series.c", tmp_path_factory.mktemp("many_series"))


def test_a_files_per_kind_cardinality_limit_reaches_rotel(many_series, tmp_path):
    """`cardinality_limits.counter` caps the counter's series (the rest fold
    into the overflow point, nothing lost) and leaves the histogram's alone."""
    config = tmp_path / "limits.yaml"
    config.write_text('file_format: "1.1"\nmeter_provider:\n  readers:\n    - periodic:\n'
                      '        cardinality_limits: {default: 2000, counter: 5}\n'
                      '        exporter: {otlp_http: {endpoint: "${COLLECTOR_URL}/v1/metrics"}}\n')
    with Rotel() as rotel:
        env = program_env(OTEL_CONFIG_FILE=str(config), COLLECTOR_URL=rotel.http_url.rstrip("/"))
        r = subprocess.run([str(many_series), "100"], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "shutdown OK" in r.stdout, r.stdout + r.stderr

        def arrived():
            counter = rotel.points("split.requests")
            assert any(p.attributes == {"otel.metric.overflow": True} for p in counter)
            assert len(counter) <= 5 + 1  # the SDK keeps 5 series beside the overflow point
            assert sum(p.value for p in counter) == sum(i % 7 + 1 for i in range(100))
            histogram = rotel.points("split.latency")
            assert len(histogram) == 10
            assert not any("otel.metric.overflow" in p.attributes for p in histogram)
        eventually(arrived, timeout_s=20)

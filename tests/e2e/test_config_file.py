"""OTEL_CONFIG_FILE, end to end: the C producer configured by the example
file alone reaches the real collector rotel (the file's view decides the
buckets), and the OTEL_EXPORTER_OTLP_* variables it would otherwise use are
ignored; a file with a type error fails the build naming file, line, key.
The same example file drives the Python SDK (through opentelemetry-configuration)
and otelmetrics' Python drop-in to the same collector data and the same
Prometheus scrape (a differential test)."""

import os
import pathlib
import subprocess
import sys
import urllib.request

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import wait_until  # noqa: E402
from peers.sockets import listening_ports  # noqa: E402
from test_prometheus import Producer  # noqa: E402
from test_prometheus_translation import comparable  # noqa: E402

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


TWIN = pathlib.Path(__file__).resolve().parent / "programs" / "config_file_twin.py"


def listening_port(proc) -> int:
    """The one port `proc` listens on (its Prometheus endpoint, asked for as
    port 0), read from /proc: a port chosen here and bound later by the
    program could be taken in between by a test running beside this one."""
    ports = listening_ports(proc.pid)
    assert len(ports) == 1, f"expected one listening port, found {sorted(ports)}"
    return ports.pop()


def run_twin(sdk: str) -> tuple[str, set]:
    """The twin program behind `sdk`: its Prometheus scrape, and what rotel
    received from it, as comparable sets."""
    with Rotel() as rotel:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env.update(OTEL_CONFIG_FILE=str(EXAMPLE), COLLECTOR_URL=rotel.http_url.rstrip("/"),
                   PROMETHEUS_PORT="0", SERVICE_NAME="config-twin", EXPORT_INTERVAL_MS="600000")
        if sdk == "otelmetrics":
            env["OTEL_PYTHON_METER_PROVIDER"] = "otelmetrics"
        proc = subprocess.Popen([sys.executable, str(TWIN), sdk], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            assert line == "ready\n", line + proc.stderr.read()
            port = listening_port(proc)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                scrape = r.read().decode()
            out, err = proc.communicate("quit\n", timeout=60)
            assert "shutdown OK" in out, out + err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

        def received():
            points = set()
            for name in ("e2e.latency", "e2e.requests"):
                for p in rotel.points(name):
                    m = p.metric
                    points.add((m.name, m.unit, m.data_type, m.temporality, m.is_monotonic,
                                tuple(sorted(p.attributes.items())), p.value, p.count, p.sum,
                                tuple(p.explicit_bounds), tuple(p.bucket_counts)))
            assert {name for name, *_ in points} == {"e2e.latency", "e2e.requests"}, points
            return points
        return scrape, eventually(received, timeout_s=20)


def test_the_example_file_gives_what_the_python_sdk_gives_from_it():
    sdk_scrape, sdk_points = run_twin("sdk")
    ours_scrape, our_points = run_twin("otelmetrics")
    assert our_points == sdk_points
    # The file's view: the latency histogram has its four bounds on both sides.
    latency = [p for p in our_points if p[0] == "e2e.latency"]
    assert latency and all(p[9] == (1.0, 10.0, 100.0, 1000.0) for p in latency), latency
    # prometheus_client's default registry adds the interpreter's own
    # process_* and python_* families beside the SDK's.
    theirs = {name: f for name, f in comparable(sdk_scrape).items() if not name.startswith(("process_", "python_"))}
    assert comparable(ours_scrape) == theirs


def test_the_example_file_drives_a_c_program_to_prometheus_and_rotel_at_once(tmp_path):
    """The file's two readers from C: a real Prometheus scrapes the pull
    endpoint while the program runs, and its shutdown pushes to rotel."""
    exe = compile_c("tests/e2e/programs/prometheus_producer.c", tmp_path)
    (tmp_path / "prometheus").mkdir()
    with Rotel() as rotel:
        env = program_env(OTEL_CONFIG_FILE=str(EXAMPLE), COLLECTOR_URL=rotel.http_url.rstrip("/"),
                          PROMETHEUS_PORT="0", SERVICE_NAME="config-c",
                          OTEL_METRICS_EXPORTER="none")   # ignored: the file decides
        producer = Producer(exe, env)
        try:
            with Prometheus([f"127.0.0.1:{producer.port}"], workdir=tmp_path / "prometheus") as prom:
                wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                           describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
                assert prom.wait_for_value('target_info{service_name="config-c"}') == 1
                assert prom.wait_for_value("sum(fruit_sold_total)") == 12
            assert producer.quit() == "shutdown OK"
        finally:
            producer.kill()

        def pushed():
            points = rotel.points("fruit.sold")
            assert sum(p.value for p in points) == 12, points
            assert all(p.metric.scope.resource.attributes.get("service.name") == "config-c" for p in points)
        eventually(pushed, timeout_s=20)

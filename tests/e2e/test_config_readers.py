"""Several readers from one configuration file, end to end: two periodic OTLP
readers (one gRPC and delta, one HTTP and cumulative, each with its own
interval) send to two real collectors (rotel), each of which gets the points
with its own reader's temporality, while two pull readers on their own ports
(each with its own naming options) are scraped by a real Prometheus. From C
(the Prometheus producer, configured by the file alone) and from Python (the
binding, with examples/config/two-collectors.yaml unchanged); each program
learns its pull readers' ports (asked for as port 0) from its provider, C
and Python alike, and they are the ports it listens on; exemplars, kept
once for every reader, reach the delta and the cumulative collector alike;
readers that disagree on what the SDK applies to every reader (a cardinality
limit) get the strictest, with one warning."""

import os
import pathlib
import subprocess
import sys
import urllib.request

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import CUMULATIVE, DELTA, eventually, wait_until  # noqa: E402
from peers.sockets import listening_ports  # noqa: E402
from test_exemplars import spans_arrived  # noqa: E402
from test_prometheus import Producer  # noqa: E402

# The example, used unchanged: ${VAR}s are the file's own substitution.
EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "config" / "two-collectors.yaml"

# ${VAR}s are the file's own substitution, filled from the program's environment.
READERS = """file_format: "1.1"
resource:
  attributes: [{name: service.name, value: readers-c}]
meter_provider:
  readers:
    - periodic:
        interval: ${DELTA_INTERVAL_MS}
        exporter:
          otlp_grpc:
            endpoint: ${DELTA_URL}
            temporality_preference: delta
    - periodic:
        interval: ${CUMULATIVE_INTERVAL_MS}
        exporter:
          otlp_http:
            endpoint: ${CUMULATIVE_URL}/v1/metrics
            temporality_preference: cumulative
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: ${PROMETHEUS_PORT}
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: ${SECOND_PORT}
            without_units: true
"""


# The two pull readers alone.
PULL_READERS = 'file_format: "1.0"\nmeter_provider:\n  readers:\n    - pull:' + READERS.split("    - pull:", 1)[1]


def pull_ports(producer) -> list[int]:
    """The ports of the producer's two pull readers (both asked for as port
    0), in the order of the readers, as its provider reported them
    (otelmetrics_provider_prometheus_ports): two ports, exactly the ones the
    process listens on (read from /proc; a port chosen here and bound later
    could be taken in between by a test beside this one)."""
    ports = producer.ports
    assert len(ports) == 2 and ports[0] != ports[1], ports
    assert set(ports) == listening_ports(producer.proc.pid), (ports, listening_ports(producer.proc.pid))
    return ports


def temporalities(rotel, name):
    return {p.metric.temporality for p in rotel.points(name)}


def test_two_otlp_readers_and_two_pull_readers_from_c(make_rotel, tmp_path):
    """The delta reader exports every 200 ms, the cumulative one only at
    shutdown (its interval is an hour): each collector gets the workload
    with its reader's temporality; Prometheus scrapes both endpoints, each
    named as its reader says."""
    exe = compile_c("tests/e2e/programs/prometheus_producer.c", tmp_path)
    config = tmp_path / "readers.yaml"
    config.write_text(READERS)
    delta, cumulative = make_rotel(), make_rotel()
    env = program_env(OTEL_CONFIG_FILE=str(config), DELTA_URL=delta.grpc_url, DELTA_INTERVAL_MS="200",
                      CUMULATIVE_URL=cumulative.http_url, CUMULATIVE_INTERVAL_MS="3600000",
                      PROMETHEUS_PORT="0", SECOND_PORT="0")
    producer = Producer(exe, env)
    (tmp_path / "prometheus").mkdir()
    try:
        first, second = pull_ports(producer)
        with Prometheus([f"127.0.0.1:{first}", f"127.0.0.1:{second}"], workdir=tmp_path / "prometheus") as prom:
            wait_until(lambda: len(prom.query('up{job="otelmetrics"} == 1')) == 2, timeout_s=30,
                       describe=lambda: f"both endpoints scraped; targets: {prom.targets_health()}")
            for port in (first, second):
                assert prom.wait_for_value(f'sum(fruit_sold_total{{instance="127.0.0.1:{port}"}})') == 12
            # Each endpoint names as its reader says, in the readers' order:
            # the second without units.
            assert prom.wait_for_value(f'count(energy_used_joules_total{{instance="127.0.0.1:{first}"}})') == 1
            assert prom.wait_for_value(f'count(energy_used_total{{instance="127.0.0.1:{second}"}})') == 1

        def delta_arrived():
            assert temporalities(delta, "fruit.sold") == {DELTA}
            assert sum(p.value for p in delta.points("fruit.sold")) == 12
            # Delta for counters and histograms, cumulative for up-down counters.
            assert temporalities(delta, "http.server.duration") == {DELTA}
            assert temporalities(delta, "account.balance") == {CUMULATIVE}
        eventually(delta_arrived, timeout_s=20)
        # Its own interval: the cumulative reader has not exported yet.
        assert cumulative.points("fruit.sold") == []
        assert producer.quit() == "shutdown OK"
    finally:
        producer.kill()

    def cumulative_arrived():
        points = cumulative.points("fruit.sold")
        assert points and temporalities(cumulative, "fruit.sold") == {CUMULATIVE}
        assert sum(p.value for p in points) == 12
        assert temporalities(cumulative, "http.server.duration") == {CUMULATIVE}
        assert all(p.metric.scope.resource.attributes.get("service.name") == "readers-c" for p in points)
    eventually(cumulative_arrived, timeout_s=20)


def test_the_example_from_python_two_collectors_and_prometheus(make_rotel, monkeypatch):
    """The example file from the Python binding. Two flushes, 5 then 7
    apples: the delta collector gets 5 and 7, the cumulative one 5 and 12,
    the Prometheus endpoint 12."""
    import otelmetrics

    delta, cumulative = make_rotel(), make_rotel()
    for var, value in dict(DELTA_URL=delta.grpc_url, CUMULATIVE_URL=cumulative.http_url, PROMETHEUS_PORT="0",
                           DELTA_INTERVAL_MS="3600000", CUMULATIVE_INTERVAL_MS="3600000").items():
        monkeypatch.setenv(var, value)
    provider = otelmetrics.MeterProvider(config_file=EXAMPLE)
    try:
        counter = provider.get_meter("readers.py").create_counter("apples")
        counter.add(5, {"kind": "red"})
        assert provider.force_flush(10_000)

        def first_arrived():
            assert len(delta.points("apples")) == 1 and len(cumulative.points("apples")) == 1
        eventually(first_arrived, timeout_s=20)
        counter.add(7, {"kind": "red"})
        assert provider.force_flush(10_000)

        def arrived():
            assert [p.value for p in delta.points("apples")] == [5, 7]
            assert temporalities(delta, "apples") == {DELTA}
            assert [p.value for p in cumulative.points("apples")] == [5, 12]
            assert temporalities(cumulative, "apples") == {CUMULATIVE}
        eventually(arrived, timeout_s=20)
        url = f"http://127.0.0.1:{provider.prometheus_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert 'apples_total{kind="red"' in resp.read().decode()
    finally:
        provider.shutdown()


def test_two_pull_readers_on_port_0_from_python(monkeypatch, tmp_path):
    """``prometheus_ports`` from the Python binding: both readers' ports in
    their order (the first with units, the second without), ports this
    process listens on, from both of which Prometheus scrapes what the test
    recorded; none without a pull reader; ShutdownError once shut down."""
    import otelmetrics
    from otelmetrics.errors import ShutdownError

    monkeypatch.setenv("PROMETHEUS_PORT", "0")
    monkeypatch.setenv("SECOND_PORT", "0")
    config = tmp_path / "pull.yaml"
    config.write_text(PULL_READERS)
    provider = otelmetrics.MeterProvider(config_file=config)
    try:
        provider.get_meter("readers.py").create_counter("energy.used", "J", value_type=float).add(2.5)
        ports = provider.prometheus_ports
        assert isinstance(ports, tuple) and len(ports) == 2 and ports[0] != ports[1], ports
        assert ports[0] == provider.prometheus_port
        assert set(ports) <= listening_ports(os.getpid()), (ports, listening_ports(os.getpid()))
        (tmp_path / "prometheus").mkdir()
        with Prometheus([f"127.0.0.1:{port}" for port in ports], workdir=tmp_path / "prometheus") as prom:
            wait_until(lambda: len(prom.query('up{job="otelmetrics"} == 1')) == 2, timeout_s=30,
                       describe=lambda: f"both endpoints scraped; targets: {prom.targets_health()}")
            assert prom.wait_for_value(f'sum(energy_used_joules_total{{instance="127.0.0.1:{ports[0]}"}})') == 2.5
            assert prom.wait_for_value(f'sum(energy_used_total{{instance="127.0.0.1:{ports[1]}"}})') == 2.5
    finally:
        provider.shutdown()
    with pytest.raises(ShutdownError):
        provider.prometheus_ports  # noqa: B018 (reading it raises)
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True) as none:
        assert none.prometheus_ports == ()


@pytest.fixture(scope="module")
def exemplar_producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/exemplar_producer.c", tmp_path_factory.mktemp("exemplars"), "-pthread")


def test_a_delta_and_a_cumulative_reader_each_get_the_exemplars(exemplar_producer, make_rotel, tmp_path):
    """One exemplar store serves both readers: the delta collector's points
    carry the exemplars of their own interval, the cumulative collector's
    every exemplar held, and each gets every span the program recorded in
    (the example file, unchanged)."""
    delta, cumulative = make_rotel(), make_rotel()
    env = program_env(OTEL_CONFIG_FILE=str(EXAMPLE), DELTA_URL=delta.grpc_url, DELTA_INTERVAL_MS="3600000",
                      CUMULATIVE_URL=cumulative.http_url, CUMULATIVE_INTERVAL_MS="3600000", PROMETHEUS_PORT="0")
    r = subprocess.run([str(exemplar_producer)], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "shutdown OK" in r.stdout, r.stdout + r.stderr

    def arrived():
        spans_arrived(delta)
        spans_arrived(cumulative)
        assert temporalities(delta, "ex.requests") == {DELTA}
        assert temporalities(cumulative, "ex.requests") == {CUMULATIVE}
        for p in delta.points("ex.requests") + delta.points("ex.latency"):
            for e in p.exemplars:
                assert p.start_time_unix_nano <= e.time_unix_nano <= p.time_unix_nano, p
    eventually(arrived, timeout_s=20)


def test_a_second_pull_reader_serves_on_its_own_port(tmp_path):
    """Without Prometheus in between: the second endpoint answers with its
    own naming, the first with the default."""
    exe = compile_c("tests/e2e/programs/prometheus_producer.c", tmp_path)
    config = tmp_path / "pull.yaml"
    config.write_text(PULL_READERS)
    producer = Producer(exe, program_env(OTEL_CONFIG_FILE=str(config), PROMETHEUS_PORT="0", SECOND_PORT="0"))
    try:
        scrapes = []
        for port in pull_ports(producer):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                scrapes.append(resp.read().decode())
        assert "energy_used_joules_total " in scrapes[0] and "energy_used_total " not in scrapes[0]
        assert "energy_used_total " in scrapes[1] and "joules" not in scrapes[1]
        assert producer.quit() == "shutdown OK"
    finally:
        producer.kill()


def test_readers_that_disagree_on_a_limit_get_the_strictest_with_one_warning(make_rotel, tmp_path):
    """The SDK limits a stream once for every reader: reader 0 asks for 5
    counter series, reader 1 for 50; both collectors get 5 (and the overflow
    point), and one warning names the key and what each reader asked."""
    exe = compile_c("tests/e2e/programs/many_series.c", tmp_path)
    config = tmp_path / "limits.yaml"
    config.write_text(READERS.split("    - pull:")[0]
                      .replace("        interval: ${DELTA_INTERVAL_MS}\n",
                               "        interval: 3600000\n        cardinality_limits: {counter: 5}\n")
                      .replace("        interval: ${CUMULATIVE_INTERVAL_MS}\n",
                               "        interval: 3600000\n        cardinality_limits: {counter: 50}\n"))
    delta, cumulative = make_rotel(), make_rotel()
    env = program_env(OTEL_CONFIG_FILE=str(config), DELTA_URL=delta.grpc_url, CUMULATIVE_URL=cumulative.http_url)
    r = subprocess.run([str(exe), "100"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "shutdown OK" in r.stdout, r.stdout + r.stderr
    warnings = [line for line in r.stderr.splitlines() if "cardinality_limits.counter" in line]
    assert len(warnings) == 1, r.stderr
    assert "readers[0].periodic.cardinality_limits.counter`: 5" in warnings[0], warnings
    assert "readers[1].periodic.cardinality_limits.counter`: 50" in warnings[0], warnings

    def arrived():
        for rotel in (delta, cumulative):
            counter = rotel.points("split.requests")
            assert any(p.attributes == {"otel.metric.overflow": True} for p in counter)
            assert len(counter) <= 5 + 1
            assert sum(p.value for p in counter) == sum(i % 7 + 1 for i in range(100))
    eventually(arrived, timeout_s=20)

"""The Prometheus endpoint end to end: a real Prometheus (Debian's binary)
scrapes a C program that records a fixed workload (listed at the top of
programs/prometheus_producer.c), and PromQL through Prometheus' HTTP API
returns what the program recorded, for every instrument kind. The
exposition itself is checked by independent parsers (Debian's promtool,
prometheus_client's strict text and OpenMetrics parsers)."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.prometheus import Prometheus, promtool  # noqa: E402
from peers.rotel import Rotel, eventually, wait_until  # noqa: E402
from peers.sockets import listening_sockets, socket_inodes  # noqa: E402

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families as parse_text  # noqa: E402

OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"


class Producer:
    """The producer in `serve` mode: started, its ports read (``ports``:
    every pull reader's, as the program's provider reports them; ``port``:
    the first), stopped with `quit` (which must shut down cleanly)."""

    def __init__(self, exe: Path, env: dict[str, str], mode: str = "serve"):
        self.started = time.time()   # before the program's instruments exist
        self.proc = subprocess.Popen([str(exe), mode], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("ready "), f"producer did not start: {line!r} {self.proc.stderr.read()}"
        self.ports = [int(port) for port in line.split()[1:]]
        self.port = self.ports[0]
        self.url = f"http://127.0.0.1:{self.port}/metrics"

    def quit(self) -> str:
        out, err = self.proc.communicate("quit\n", timeout=30)
        return out.strip() + err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def exe(tmp_path_factory) -> Path:
    return compile_c("tests/e2e/programs/prometheus_producer.c", tmp_path_factory.mktemp("prom"))


@pytest.fixture(scope="module")
def producer(exe):
    p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0",
                               OTEL_SERVICE_NAME="prom-e2e"))
    yield p
    try:
        assert p.quit() == "shutdown OK"
    finally:
        p.kill()


@pytest.fixture(scope="module")
def prometheus(producer, tmp_path_factory):
    with Prometheus([f"127.0.0.1:{producer.port}"], workdir=tmp_path_factory.mktemp("prometheus")) as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
        yield prom


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


# ------------------------------------------------------------ through Prometheus


def test_counters_arrive_with_total_and_unit_suffixes(prometheus):
    assert prometheus.wait_for_value('fruit_sold_total{name="apple",color="red"}') == 6
    assert prometheus.wait_for_value('fruit_sold_total{name="banana",color="yellow"}') == 5
    assert prometheus.wait_for_value('sum(fruit_sold_total)') == 12
    assert prometheus.wait_for_value("energy_used_joules_total") == pytest.approx(3.75)
    assert prometheus.wait_for_value("bytes_read_bytes_total") == 4096      # observable counter


def test_label_values_survive_escaping(prometheus):
    assert prometheus.wait_for_value(r'fruit_sold_total{name="a \"quoted\" \\ value"}') == 1


def test_up_down_counters_and_gauges(prometheus):
    assert prometheus.wait_for_value("account_balance") == 70
    assert prometheus.wait_for_value("queue_load") == pytest.approx(1.5)
    assert prometheus.wait_for_value("room_offset") == -7
    assert prometheus.wait_for_value("cpu_utilization") == pytest.approx(0.25)   # unit `1`: no `_ratio` (spec #4966)
    assert prometheus.wait_for_value("disk_free_bytes") == 1024
    assert prometheus.wait_for_value("queue_depth") == 12                       # observable up-down counter
    assert prometheus.wait_for_value('room_temperature_celsius{room="kitchen"}') == pytest.approx(21.5)
    assert prometheus.wait_for_value('room_temperature_celsius{room="garage"}') == pytest.approx(-3.25)


def test_histograms_support_histogram_quantile(prometheus):
    # 10 x 0.05, 20 x 0.3, 50 x 0.7, 20 x 3 in buckets (0.1, 0.5, 1, 5): the
    # median is in (0.5, 1], 20 of its 50 observations in: 0.5 + 0.5 * 20/50.
    # The 90th percentile is in (1, 5], 10 of its 20 in: 1 + 4 * 10/20.
    assert prometheus.wait_for_value("histogram_quantile(0.5, http_server_duration_seconds_bucket)") == pytest.approx(0.7)
    assert prometheus.wait_for_value("histogram_quantile(0.9, http_server_duration_seconds_bucket)") == pytest.approx(3.0)
    assert prometheus.wait_for_value("http_server_duration_seconds_count") == 100
    assert prometheus.wait_for_value("http_server_duration_seconds_sum") == pytest.approx(101.5)
    assert prometheus.wait_for_value('http_server_duration_seconds_bucket{le="0.5"}') == 30
    assert prometheus.wait_for_value("payload_size_bytes_count") == 2
    assert prometheus.wait_for_value("payload_size_bytes_sum") == 2100


def test_resource_is_target_info_and_scope_is_labels(prometheus):
    assert prometheus.wait_for_value('target_info{service_name="prom-e2e",telemetry_sdk_language="rust"}') == 1
    scoped = prometheus.query('fruit_sold_total{otel_scope_name="e2e.prom",otel_scope_version="2.0"}')
    assert len(scoped) == 3


# ------------------------------------------------------------ the exposition itself


def test_text_format_parses_and_lints(producer):
    status, headers, body = get(producer.url)
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in parse_text(body.decode())}
    assert families["fruit_sold"].type == "counter"          # the parser strips _total from counter families
    assert families["http_server_duration_seconds"].type == "histogram"
    assert families["account_balance"].type == "gauge"
    lint = subprocess.run([str(promtool()), "check", "metrics"], input=body, capture_output=True)
    problems = [line for line in lint.stdout.decode().splitlines() + lint.stderr.decode().splitlines() if line.strip()]
    # promtool's only complaint may be the instruments created without a
    # description; a parse error or a naming problem fails here.
    described = {"fruit_sold_total", "http_server_duration_seconds"}
    assert all(p.endswith(" no help text") for p in problems), problems
    assert not described & {p.split()[0] for p in problems}


def test_openmetrics_when_the_scraper_asks(producer):
    status, headers, body = get(producer.url, Accept=OPENMETRICS)
    assert status == 200
    assert headers["content-type"].startswith("application/openmetrics-text; version=1.0.0")
    text = body.decode()
    assert text.endswith("# EOF\n")
    families = {f.name: f for f in parse_openmetrics(text)}   # strict: raises on any violation
    assert families["fruit_sold"].type == "counter"
    assert families["target"].type == "info"
    assert families["http_server_duration_seconds"].unit == "seconds"
    apple = [s for s in families["fruit_sold"].samples if s.labels.get("name") == "apple"]
    assert [(s.name, s.value) for s in apple if s.name == "fruit_sold_total"] == [("fruit_sold_total", 6)]


def test_counters_and_histograms_carry_created_timestamps_in_openmetrics(producer):
    """Every counter and histogram series has a `_created` sample (the
    stream's start time, as the compatibility spec converts it), between the
    program's start and the scrape; gauges have none, nor does the 0.0.4
    text format, which has no such sample."""
    status, _, body = get(producer.url, Accept=OPENMETRICS)
    scraped = time.time()
    assert status == 200
    families = {f.name: f for f in parse_openmetrics(body.decode())}
    checked = 0
    for family in families.values():
        names = {s.name for s in family.samples}
        created = {tuple(sorted(s.labels.items())): s.value for s in family.samples if s.name.endswith("_created")}
        if family.type == "counter":
            series = {tuple(sorted(s.labels.items())) for s in family.samples if s.name.endswith("_total")}
        elif family.type == "histogram":
            series = {tuple(sorted(s.labels.items())) for s in family.samples if s.name.endswith("_count")}
        else:
            assert not any(n.endswith("_created") for n in names), family
            continue
        assert set(created) == series, (family.name, created, series)
        for value in created.values():
            assert producer.started <= value <= scraped, (family.name, value, producer.started, scraped)
        checked += len(series)
    assert {"fruit_sold", "http_server_duration_seconds"} <= families.keys() and checked >= 4
    status, _, text = get(producer.url, Accept="text/plain;version=0.0.4")
    assert status == 200 and b"_created" not in text and b"fruit_sold_total" in text


def test_gzip_when_accepted(producer):
    _, _, plain = get(producer.url)
    status, headers, body = get(producer.url, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == plain


def test_q_zero_means_not_acceptable(producer):
    """A format or coding the scraper weighs `q=0` is never sent; a request
    refusing every format, or every coding, gets 406."""
    status, headers, body = get(producer.url, Accept="application/openmetrics-text;q=0")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    assert not body.decode().endswith("# EOF\n")
    status, headers, _ = get(producer.url, Accept="text/plain;q=0, application/openmetrics-text")
    assert status == 200 and headers["content-type"].startswith("application/openmetrics-text"), headers
    assert get(producer.url, Accept="application/openmetrics-text;q=0, text/plain;q=0")[0] == 406
    assert get(producer.url, Accept="*/*;q=0")[0] == 406

    status, headers, _ = get(producer.url, **{"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and "content-encoding" not in headers, headers
    status, headers, body = get(producer.url, **{"Accept-Encoding": "identity;q=0, gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip", headers
    gzip.decompress(body)
    assert get(producer.url, **{"Accept-Encoding": "gzip;q=0, identity;q=0"})[0] == 406


def test_other_paths_and_methods_are_refused(producer):
    assert get(f"http://127.0.0.1:{producer.port}/nope")[0] == 404
    request = urllib.request.Request(producer.url, data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request, timeout=10)
    assert e.value.code == 405


def test_a_client_that_never_sends_does_not_block_scrapes(producer):
    silent = [socket.create_connection(("127.0.0.1", producer.port)) for _ in range(2)]
    try:
        assert get(producer.url)[0] == 200
    finally:
        for s in silent:
            s.close()


# ------------------------------------------------------------ inputs that collide (the `collide` workload)


@pytest.fixture(scope="module")
def collider(exe):
    p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0",
                               OTEL_SERVICE_NAME="prom-collide"), mode="collide")
    yield p
    p.kill()


def lint(body: bytes) -> list[str]:
    """promtool's complaints, other than missing help text."""
    r = subprocess.run([str(promtool()), "check", "metrics"], input=body, capture_output=True)
    lines = r.stdout.decode().splitlines() + r.stderr.decode().splitlines()
    return [line for line in lines if line.strip() and not line.endswith(" no help text")]


def openmetrics_families(url: str) -> dict:
    status, headers, body = get(url, Accept=OPENMETRICS)
    assert status == 200 and headers["content-type"].startswith("application/openmetrics-text"), headers
    return {f.name: f for f in parse_openmetrics(body.decode())}   # strict: raises on any violation


def samples(url: str, family: str) -> list[tuple[str, dict[str, str], float]]:
    """The value samples of one family (not `_created`), its lines alone
    parsed strictly (so that each test sees its own defect, not another
    family's)."""
    _, _, body = get(url, Accept=OPENMETRICS)
    names = {family, f"{family}_total", f"{family}_created"}

    def ours(line: str) -> bool:
        if line.startswith("# "):
            return line.split(" ")[2:3] == [family]          # HELP, TYPE, UNIT
        return line.split("{")[0].split(" ")[0] in names

    lines = [line for line in body.decode().splitlines() if ours(line)]
    [parsed] = parse_openmetrics("\n".join(lines) + "\n# EOF\n")
    return [(s.name, s.labels, s.value) for s in parsed.samples if not s.name.endswith("_created")]


def test_collisions_give_valid_output_for_every_parser(collider):
    """promtool (which reads only the text format) and both of
    prometheus_client's parsers accept the exposition."""
    _, _, text = get(collider.url)
    assert lint(text) == []
    parse_text(text.decode())
    openmetrics_families(collider.url)


def test_scope_attributes_named_like_scope_labels_are_dropped(collider):
    """Scope attributes name/version/schema_url would become a second
    `otel_scope_name` (etc.) label; the spec says they MUST be dropped."""
    [(name, labels, value)] = samples(collider.url, "scoped")
    assert (name, value) == ("scoped_total", 3)
    assert labels == {"otel_scope_name": "lib", "otel_scope_version": "1", "otel_scope_team": "a"}


def test_point_attribute_otel_scope_name_is_joined_with_the_scope_label(collider):
    """`otel.scope.name` on a point and the scope's name map to one label:
    values joined with `;` in the order of the original keys."""
    [(_, labels, value)] = samples(collider.url, "tagged")
    assert value == 4
    assert labels["otel_scope_name"] == "point;one"


def test_one_name_two_types_keeps_one_family(collider):
    """`jobs`, a counter on meter `one` and a gauge on meter `two`: one TYPE
    line in either format, the counter kept."""
    for accept in ("text/plain", OPENMETRICS):
        _, _, body = get(collider.url, Accept=accept)
        types = [line for line in body.decode().splitlines() if line.startswith("# TYPE jobs")]
        assert len(types) == 1, types
    assert [(n, v) for n, _, v in samples(collider.url, "jobs")] == [("jobs_total", 5)]


def test_names_that_sanitise_alike_share_a_family_without_duplicate_series(collider):
    """`cache.hits` and `cache_hits` both become `cache_hits_total`: one family; their series with
    distinct labels both kept, the one with identical labels exposed once."""
    _, _, body = get(collider.url)
    series = [line.rsplit(" ", 1)[0] for line in body.decode().splitlines() if line.startswith("cache_hits_total")]
    assert len(series) == len(set(series)), series
    got = {labels["k"]: value for _, labels, value in samples(collider.url, "cache_hits")}
    assert got == {"same": 1, "dot": 10, "under": 20}


def test_collisions_are_reported_through_the_diagnostics(exe):
    p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0"), mode="collide")
    try:
        assert get(p.url)[0] == 200
        out = p.quit()
    finally:
        p.kill()
    assert out.startswith("shutdown OK"), out
    warnings = [line for line in out.splitlines() if "[warn]" in line and "prometheus" in line]
    assert any("`jobs`" in w and "another type" in w for w in warnings), out
    assert any("`cache_hits`" in w and "help" in w for w in warnings), out
    assert any("cache_hits_total" in w and "series" in w for w in warnings), out


def test_prometheus_stores_the_colliding_workload(collider, tmp_path):
    with Prometheus([f"127.0.0.1:{collider.port}"], workdir=tmp_path) as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
        assert prom.wait_for_value('scoped_total{otel_scope_name="lib",otel_scope_team="a"}') == 3
        assert prom.wait_for_value('target_info{service_name="prom-collide"}') == 1
        assert prom.wait_for_value('tagged_total{otel_scope_name="point;one"}') == 4
        assert prom.wait_for_value('jobs_total') == 5
        assert prom.wait_for_value('sum(cache_hits_total)') == 31


# ------------------------------------------------------------ configuration and lifecycle


def listening_addresses(pid: int, port: int) -> set[str]:
    """Local addresses (as /proc writes them) `pid` listens on at `port`."""
    ours = socket_inodes(pid) or set()
    return {s.address for s in listening_sockets() if s.port == port and s.inode in ours}


def test_binds_to_loopback_by_default(producer):
    assert listening_addresses(producer.proc.pid, producer.port) == {"0100007F"}   # 127.0.0.1


def test_nothing_listens_unless_configured(tmp_path):
    """A provider pushing OTLP (the default exporter) opens no listening
    socket; only the Prometheus exporter does, and only when configured."""
    producer = compile_c("tests/e2e/programs/otlp_producer.c", tmp_path)
    with Rotel() as rotel:
        proc = subprocess.Popen([str(producer), "interactive"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env=program_env(OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc"))
        try:
            proc.stdin.write("add 1\nflush 5000\n")
            proc.stdin.flush()
            assert proc.stdout.readline().startswith("ok")
            assert proc.stdout.readline().strip() == "OK"            # exported: its connections are open
            assert socket_inodes(proc.pid), "the exporter's connection should be visible"
            assert not socket_inodes(proc.pid) & {s.inode for s in listening_sockets()}
        finally:
            proc.communicate("quit 5000\n", timeout=30)


def test_a_port_in_use_fails_the_build_with_a_message(exe):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([str(exe), "bind", "127.0.0.1", str(port)], env=program_env(), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("INVALID_CONFIG "), r.stdout
    assert f"127.0.0.1:{port}" in r.stdout and "already in use" in r.stdout


def test_an_invalid_host_fails_the_build_with_a_message(exe):
    r = subprocess.run([str(exe), "bind", "not an address", "0"], env=program_env(), capture_output=True, text=True, timeout=30)
    assert r.stdout.startswith("INVALID_CONFIG ") and "prometheus" in r.stdout.lower(), r.stdout


def test_shutdown_stops_serving(exe):
    p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0"))
    try:
        assert get(p.url)[0] == 200
        assert p.quit() == "shutdown OK"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", p.port), timeout=2).close()
    finally:
        p.kill()


SIGPIPE_BIT = 1 << (13 - 1)   # signal 13, bit 12 of the masks in /proc/<pid>/task/<tid>/status


def blocked_signals(pid: int, tid: int) -> int:
    status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), 16)


def test_library_threads_block_sigpipe_and_the_host_keeps_its_mask(exe):
    """A write to a connection the peer closed raises SIGPIPE, which kills a
    C program by default. Every thread the library runs (its I/O runtime, the
    SDK's reader thread, the Prometheus server) blocks SIGPIPE so such a write
    fails with EPIPE instead; the program's own thread keeps its mask."""
    with Rotel() as rotel:
        p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus,otlp", OTEL_EXPORTER_PROMETHEUS_PORT="0",
                                    OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
                                    OTEL_METRIC_EXPORT_INTERVAL="200"))
        try:
            rotel.wait_for_point("fruit.sold", {"name": "apple", "color": "red"}, timeout_s=20)  # the I/O runtime ran
            assert get(p.url)[0] == 200                                                         # a scrape thread ran
            pid = p.proc.pid
            threads = {int(t.name): (Path(f"/proc/{pid}/task/{t.name}/comm").read_text().strip())
                       for t in Path(f"/proc/{pid}/task").iterdir()}
            library = {tid: name for tid, name in threads.items() if tid != pid}
            assert any(n.startswith("otelmetrics-io") for n in library.values()), threads
            assert any(n.startswith("otelmetrics-pro") for n in library.values()), threads
            unprotected = {name for tid, name in library.items() if not blocked_signals(pid, tid) & SIGPIPE_BIT}
            assert not unprotected, f"library threads that could take SIGPIPE: {unprotected}"
            assert not blocked_signals(pid, pid) & SIGPIPE_BIT, "the host's own thread must keep its signal mask"
        finally:
            assert p.quit() == "shutdown OK"
            p.kill()


def test_a_forked_child_does_not_keep_the_port_open(exe):
    """After fork the parent shuts down; the child lives on but has closed
    its copy of the listening socket, so a scraper is refused at once
    instead of connecting to a socket nobody serves."""
    proc = subprocess.Popen([str(exe), "fork"], env=program_env(OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        assert proc.stdout.readline().strip() == "down OK"
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        proc.communicate("quit\n", timeout=30)


def test_beside_otlp_push(exe):
    """One provider, two readers: Prometheus pulls while OTLP pushes to the
    real collector; both see the same totals."""
    with Rotel() as rotel:
        p = Producer(exe, program_env(OTEL_METRICS_EXPORTER="prometheus,otlp", OTEL_EXPORTER_PROMETHEUS_PORT="0",
                                    OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
                                    OTEL_METRIC_EXPORT_INTERVAL="500"))
        try:
            families = {f.name: f for f in parse_text(get(p.url)[2].decode())}
            scraped = {s.labels["name"]: s.value for s in families["fruit_sold"].samples if s.name == "fruit_sold_total"}
            assert scraped["apple"] == 6

            def pushed():
                assert rotel.latest_point("fruit.sold", {"name": "apple", "color": "red"}).value == 6

            eventually(pushed, timeout_s=20)    # rotel logs a request after answering it
        finally:
            assert p.quit() == "shutdown OK"
            p.kill()

"""The C examples a user copies from (examples/c/*.c): every one compiles
with -std=c11 -Wall -Wextra -Werror -pedantic (new files are picked up by
the glob); the ones that terminate by themselves run in their default
console mode and print the values they recorded, also under valgrind and
built with ASan/UBSan with nothing reported; the Prometheus one serves its
metrics while it runs; the OTLP ones deliver
those values to a real collector (rotel) and to a TLS / mutual-TLS
receiver holding a test CA; and one builds statically from libotelmetrics.a
as README.md describes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(HERE))
from c_memory_checkers import (SANITIZE, assert_sanitizers_clean, assert_valgrind_clean,  # noqa: E402
                               clean_env, run_plain, run_sanitized, run_valgrind)
from peers.certs import make_pki  # noqa: E402
from peers.cprog import compile_c  # noqa: E402
from peers.receiver import Receiver  # noqa: E402
from peers.rotel import Rotel  # noqa: E402

EXAMPLES_DIR = ROOT / "examples" / "c"
EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.c"))
STRICT = ("-std=c11", "-pedantic", "-pthread")

# What each self-terminating example must print in console mode:
# (metric, attributes, value text of its last point). Attribute order in the
# console output is not fixed, so points are compared as parsed mappings.
CONSOLE_POINTS: dict[str, list[tuple[str, dict[str, str], str]]] = {
    "quickstart": [("fruit_counter", {"name": '"apple"', "color": '"red"'}, "3"),
                   ("fruit_counter", {"name": '"lemon"', "color": '"yellow"'}, "12")],
    "counter": [("http.server.requests", {"http.request.method": '"GET"', "http.route": '"/"',
                                          "http.response.status_code": "200"}, "3"),
                ("http.server.requests", {"http.request.method": '"POST"', "http.route": '"/checkout"',
                                          "http.response.status_code": "201"}, "1"),
                ("jobs.cpu_time", {"job": '"thumbnail-resize"'}, "1.75")],
    "up_down_counter": [("db.client.connections.usage", {"pool.name": '"orders"'}, "3"),
                        ("db.client.connections.usage", {"pool.name": '"users"'}, "1"),
                        ("cache.reserved", {}, "48.25")],
    "histogram": [("http.server.request.duration", {"http.route": '"/products"'},
                   "count=6 sum=0.958 min=0.004 max=0.7 bounds=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0] "
                   "counts=[1, 0, 2, 1, 0, 1, 0, 1, 0]"),
                  ("http.server.response.body.size", {"http.route": '"/products"'},
                   "count=2 sum=20992 min=512 max=20480 bounds=[100.0, 1000.0, 10000.0, 100000.0] "
                   "counts=[0, 1, 0, 1, 0]")],
    "gauge": [("disk.free", {"mount": '"/"'}, "51500000000"),
              ("clock.drift", {}, "-12"),
              ("cpu.temperature", {"cpu": "0"}, "61.5")],
    "bound_instruments": [("router.packets", {"interface": '"eth0"', "direction": '"in"'}, "20000")],
    "attribute_sets": [("http.server.requests", {"http.route": '"/products"', "cached": "true",
                                                 "tags": '["catalog", "public"]'}, "2"),
                       ("http.server.requests", {"http.route": '"/cart"', "cached": "false"}, "1"),
                       ("http.server.active_requests", {"http.route": '"/cart"', "cached": "false"}, "0")],
    "otlp_tls": [("auth.logins", {"auth.method": '"password"'}, "7")],
    "collector_story": [("fruit_counter", {"name": '"apple"', "color": '"red"'}, "3"),
                        ("fruit_counter", {"name": '"lemon"', "color": '"yellow"'}, "12"),
                        ("balance", {"till": '"front"'}, "610"),
                        ("room_temperature", {"room": '"cold-room"'}, "6")],
    "observable_gauge": [("room.temperature", {"room": '"kitchen"'}, "21.1")],
    "multi_callback": [("queue.processed", {"queue": '"orders"'}, "3400")],
    "views": [("cache.hits", {}, "7")],
}
# Other lines an example must print, beyond its points.
CONSOLE_LINES = {
    "counter": ["refused as expected: INVALID_VALUE"],
    "bound_instruments": ["recorded 20000 packets"],
    "observable_gauge": ["released the thermostat after"],
}
ARGS = {"bound_instruments": ["20000"]}

METRIC_LINE = re.compile(r"^    (\S+) \[")
POINT_LINE = re.compile(r"^      \{(.*?)\} (.*)$")
ATTRIBUTE = re.compile(r'([\w.]+)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,]+)(?:, |$)')


def console_points(text: str) -> dict[tuple[str, frozenset], str]:
    """(metric, attributes) -> value text of the last such point printed."""
    points: dict[tuple[str, frozenset], str] = {}
    metric = None
    for line in text.splitlines():
        if m := METRIC_LINE.match(line):
            metric = m.group(1)
        elif (p := POINT_LINE.match(line)) and metric:
            points[(metric, frozenset(ATTRIBUTE.findall(p.group(1))))] = p.group(2)
    return points


@pytest.fixture(scope="session")
def build_example(tmp_path_factory):
    """build_example(name, sanitized=False) -> executable, compiled once."""
    built: dict[tuple[str, bool], Path] = {}

    def get(name: str, sanitized: bool = False) -> Path:
        if (name, sanitized) not in built:
            out = tmp_path_factory.mktemp(f"example-{name}{'-asan' if sanitized else ''}")
            extra = STRICT + (SANITIZE if sanitized else ())
            built[(name, sanitized)] = compile_c(EXAMPLES_DIR / f"{name}.c", out, *extra)
        return built[(name, sanitized)]

    return get


def assert_printed_what_it_recorded(name: str, r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 0, r.stdout + r.stderr[-8000:]
    points = console_points(r.stdout)
    for metric, attributes, value in CONSOLE_POINTS[name]:
        key = (metric, frozenset(attributes.items()))
        assert key in points, f"no point {metric} {attributes} in:\n{r.stdout}"
        assert points[key] == value, f"{metric} {attributes}: {points[key]!r} != {value!r}\n{r.stdout}"
    for line in CONSOLE_LINES.get(name, []):
        assert line in r.stdout, r.stdout


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_compiles_strictly(build_example, name):
    assert build_example(name).exists()


@pytest.mark.parametrize("name", sorted(CONSOLE_POINTS))
def test_example_prints_what_it_recorded(build_example, name):
    assert_printed_what_it_recorded(name, run_plain(build_example(name), ARGS.get(name, [])))


@pytest.mark.parametrize("name", sorted(CONSOLE_POINTS))
def test_example_under_valgrind(build_example, name):
    r = run_valgrind(build_example(name), ARGS.get(name, []))
    assert_printed_what_it_recorded(name, r)
    assert_valgrind_clean(r)


@pytest.mark.parametrize("name", sorted(CONSOLE_POINTS))
def test_example_under_asan_ubsan(build_example, name):
    r = run_sanitized(build_example(name, sanitized=True), ARGS.get(name, []))
    assert_printed_what_it_recorded(name, r)
    assert_sanitizers_clean(r)


def test_every_expectation_names_an_existing_example():
    assert set(CONSOLE_POINTS) <= set(EXAMPLES)


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_collector_story_reaches_rotel(build_example, tmp_path, protocol):
    with Rotel(workdir=tmp_path) as rotel:
        url = rotel.http_url if protocol == "http/protobuf" else rotel.grpc_url
        r = run_plain(build_example("collector_story"), [], OTEL_EXPORTER_OTLP_ENDPOINT=url,
                        OTEL_EXPORTER_OTLP_PROTOCOL=protocol)
        assert r.returncode == 0, r.stdout + r.stderr
        # The morning's flush, then the closing totals.
        assert rotel.wait_for_point("fruit_counter", {"name": "lemon", "color": "yellow"},
                                    predicate=lambda p: p.value == 3).value == 3
        assert rotel.wait_for_point("fruit_counter", {"name": "lemon", "color": "yellow"},
                                    predicate=lambda p: p.value == 12).value == 12
        assert rotel.wait_for_point("fruit_counter", {"name": "apple", "color": "red"},
                                    predicate=lambda p: p.value == 3).value == 3
        assert rotel.wait_for_point("balance", {"till": "front"}, predicate=lambda p: p.value == 610).value == 610
        temperature = rotel.wait_for_point("room_temperature", {"room": "cold-room"},
                                           predicate=lambda p: p.value == 6.0)
        assert temperature.metric.unit == "Cel"
        assert temperature.metric.resource.attributes["service.name"] == "fruit-shop"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize("mutual", [False, True], ids=["tls", "mtls"])
def test_otlp_tls_example_reaches_a_tls_receiver(build_example, pki, mutual):
    kwargs = {"server_cert": pki.server, **({"client_ca": pki.ca} if mutual else {})}
    with Receiver(**kwargs) as rx:
        args = [rx.metrics_url, str(pki.ca.cert_path)]
        if mutual:
            args += [str(pki.client.cert_path), str(pki.client.key_path)]
        r = run_plain(build_example("otlp_tls"), args)
        assert r.returncode == 0, r.stdout + r.stderr
        request = rx.wait_for_requests(1)[0]
        assert request.tls
        if mutual:
            assert request.client_cert_cn
        assert rx.latest_point("auth.logins", {"auth.method": "password"}).value == 7


def test_otlp_tls_example_refuses_an_unreadable_ca_at_once(build_example):
    r = run_plain(build_example("otlp_tls"), ["https://127.0.0.1:1/v1/metrics", "/nonexistent/ca.pem"])
    assert r.returncode == 1
    assert "INVALID_CONFIG" in r.stderr and "CA file" in r.stderr, r.stderr


def test_example_builds_statically_as_the_readme_says(tmp_path):
    """README.md: link libotelmetrics.a plus the system libraries it needs;
    the program then runs without the shared library."""
    exe = tmp_path / "counter-static"
    subprocess.run(["cc", *STRICT, "-Wall", "-Wextra", "-Werror", str(EXAMPLES_DIR / "counter.c"),
                    "-I", str(ROOT / "include"), str(ROOT / "target" / "release" / "libotelmetrics.a"),
                    "-lpthread", "-ldl", "-lm", "-o", str(exe)], check=True)
    needed = subprocess.run(["readelf", "-d", str(exe)], capture_output=True, text=True, check=True).stdout
    assert "libotelmetrics" not in needed
    r = run_plain(exe, [])
    assert r.returncode == 0, r.stderr
    points = console_points(r.stdout)
    assert points[("jobs.cpu_time", frozenset({("job", '"thumbnail-resize"')}))] == "1.75"


def test_prometheus_example_serves_its_metrics_while_it_runs(build_example):
    """prometheus.c serves /metrics for argv[1] seconds on the port
    OTEL_EXPORTER_PROMETHEUS_PORT names (0: a free one, printed)."""
    proc = subprocess.Popen([str(build_example("prometheus")), "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean_env(OTEL_EXPORTER_PROMETHEUS_PORT="0"))
    try:
        first = proc.stdout.readline()
        m = re.match(r"serving (http://127\.0\.0\.1:\d+/metrics)", first)
        assert m, first + proc.stderr.read() if proc.poll() is not None else first
        deadline = time.monotonic() + 10
        scrape = ""
        while "room_temperature" not in scrape or "fruit_counter_total" not in scrape:
            assert time.monotonic() < deadline, f"not served in time; last scrape:\n{scrape}"
            try:
                scrape = urllib.request.urlopen(m.group(1), timeout=2).read().decode()
            except OSError:
                pass
            time.sleep(0.1)  # between scrapes; the loop is bounded by the deadline
        apples = re.search(r'^fruit_counter_total\{[^}]*name="apple"[^}]*\} (\d+)', scrape, re.M)
        assert apples and int(apples.group(1)) % 2 == 0 and int(apples.group(1)) >= 2, scrape
        assert re.search(r'^room_temperature_celsius\{[^}]*room="kitchen"', scrape, re.M), scrape
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

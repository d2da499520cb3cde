"""otelmetrics behind the OpenTelemetry API, against real instrumentation
packages from PyPI, side by side with the Python SDK.

The differential test runs one unmodified application
(``api_programs/instrumented_app.py``: opentelemetry-instrumentation-wsgi
around a wsgiref server driven by real HTTP requests from ``requests``
instrumented by opentelemetry-instrumentation-requests, the system metrics
of opentelemetry-instrumentation-system-metrics, its own API instruments)
twice: once with the Python SDK and its OTLP gRPC exporter, once with
otelmetrics. Both export to the real collector rotel, which forwards what it
received over OTLP to the test receiver; the receiver decodes it with
opentelemetry-proto and keeps every value's OTLP type (rotel's own log
prints 5 for both an int 5 and a double 5.0, so it cannot check value
types). The two exports must hold the same metrics with the same metadata,
attribute sets, value types and values; what the system reads (CPU time,
memory) is compared by presence and type, and request durations by counts.

The zero-code test runs ``opentelemetry-instrument`` with
``OTEL_PYTHON_CONFIGURATOR=otelmetrics`` on an application with no
OpenTelemetry code: its metrics reach the real collector rotel through
otelmetrics while its spans stay with the Python SDK.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple


PROGRAMS = Path(__file__).resolve().parent / "api_programs"
SYSTEM_SCOPE = "opentelemetry.instrumentation.system_metrics"
# attribute sets that follow the machine's state rather than the program's
# (sockets in TIME_WAIT come and go between the two runs): keys compared only
MACHINE_STATE = {"system.network.connections"}


def clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(extra)
    return env


def run_app(mode: str, endpoint: str, port: int, *prefix: str, **env: str) -> subprocess.CompletedProcess:
    r = subprocess.run([*prefix, sys.executable, str(PROGRAMS / "instrumented_app.py"), mode, endpoint, str(port)],
                       env=clean_env(**env), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.endswith("done\n"), r.stderr
    return r


Key = Tuple[str, str, str, str]   # scope name, scope version, scope schema URL, metric name


def exported(receiver, server_port: int) -> Dict[Key, Any]:
    """Every metric the receiver got (one export per run), by scope and name.

    Each run's server listens on a port the OS chose, so the port, where an
    attribute holds it (as a number or inside a host:port), reads PORT."""
    receiver.wait_for_requests(1, timeout_s=30)
    found: Dict[Key, Any] = {}
    for batch in receiver.batches():
        for scope in batch.scopes:
            for metric in scope.metrics:
                key = (scope.name, scope.version, scope.schema_url, metric.name)
                assert key not in found, f"{key} exported twice"
                found[key] = metric
                for point in metric.data_points:
                    point.attributes.update({k: without_port(v, server_port) for k, v in point.attributes.items()})
    return found


def without_port(value: Any, port: int) -> Any:
    if type(value) is int and value == port:
        return "PORT"
    return value.replace(f":{port}", ":PORT") if isinstance(value, str) else value


def frozen(attributes: Dict[str, Any]) -> Tuple:
    """Attributes as a comparable key that keeps each value's type (True != 1 != 1.0)."""
    return tuple(sorted((k, type(v).__name__, tuple(v) if isinstance(v, list) else v)
                        for k, v in attributes.items()))


def points_by_attributes(metric) -> Dict[Tuple, Any]:
    points = {frozen(p.attributes): p for p in metric.data_points}
    assert len(points) == len(metric.data_points), f"{metric.name}: one attribute set twice"
    return points


def compare_point(key: Key, attrs: Tuple, sdk, ours, exact_values: bool) -> List[str]:
    where = f"{key[3]} {dict((k, v) for k, _, v in attrs)}"
    if sdk.kind == "number":
        if type(sdk.value) is not type(ours.value):
            return [f"{where}: value type {type(sdk.value).__name__} (SDK) vs {type(ours.value).__name__}"]
        if exact_values and sdk.value != ours.value:
            return [f"{where}: value {sdk.value} (SDK) vs {ours.value}"]
        return []
    problems = []
    if sdk.count != ours.count:
        problems.append(f"{where}: count {sdk.count} (SDK) vs {ours.count}")
    if sdk.explicit_bounds != ours.explicit_bounds:
        problems.append(f"{where}: bounds {sdk.explicit_bounds} (SDK) vs {ours.explicit_bounds}")
    if sum(ours.bucket_counts) != ours.count or len(ours.bucket_counts) != len(sdk.bucket_counts):
        problems.append(f"{where}: buckets {ours.bucket_counts} do not fit count {ours.count}")
    for field in ("sum", "min", "max"):
        a, b = getattr(sdk, field), getattr(ours, field)
        if (a is None) != (b is None) or (exact_values and a != b):
            problems.append(f"{where}: {field} {a} (SDK) vs {b}")
    if exact_values and sdk.bucket_counts != ours.bucket_counts:
        problems.append(f"{where}: buckets {sdk.bucket_counts} (SDK) vs {ours.bucket_counts}")
    return problems


def differences(sdk: Dict[Key, Any], ours: Dict[Key, Any]) -> List[str]:
    problems = [f"only the SDK exported {k}" for k in sorted(set(sdk) - set(ours))]
    problems += [f"only otelmetrics exported {k}" for k in sorted(set(ours) - set(sdk))]
    for key in sorted(set(sdk) & set(ours)):
        a, b = sdk[key], ours[key]
        meta_a = (a.description, a.unit, a.data_type, a.temporality, a.is_monotonic)
        meta_b = (b.description, b.unit, b.data_type, b.temporality, b.is_monotonic)
        if meta_a != meta_b:
            problems.append(f"{key[3]}: (description, unit, kind, temporality, monotonic) {meta_a} (SDK) vs {meta_b}")
        pa, pb = points_by_attributes(a), points_by_attributes(b)
        if key[3] in MACHINE_STATE:
            keys_a = {tuple(k for k, _, _ in attrs) for attrs in pa}
            keys_b = {tuple(k for k, _, _ in attrs) for attrs in pb}
            if keys_a != keys_b:
                problems.append(f"{key[3]}: attribute keys {keys_a} (SDK) vs {keys_b}")
            continue
        if set(pa) != set(pb):
            problems.append(f"{key[3]}: attribute sets only in the SDK's {sorted(set(pa) - set(pb))}, "
                            f"only in otelmetrics' {sorted(set(pb) - set(pa))}")
        # what the program itself decides is compared exactly; what the machine
        # reports (system metrics) and how long requests took, by presence and type
        exact = key[0] != SYSTEM_SCOPE and not key[3].endswith(".duration")
        for attrs in sorted(set(pa) & set(pb), key=repr):
            problems += compare_point(key, attrs, pa[attrs], pb[attrs], exact)
    return problems


def test_an_instrumented_app_sends_what_the_python_sdk_sends(e2e_peers, tmp_path):
    from peers.receiver import Receiver
    runs = {}
    for mode in ("sdk", "otelmetrics"):
        with Receiver(http=False) as receiver, \
                e2e_peers.Rotel(workdir=tmp_path / f"rotel-{mode}", exporter="otlp", batching=False,
                                extra_args=["--otlp-exporter-endpoint", receiver.grpc_url,
                                            "--otlp-exporter-protocol", "grpc"]) as rotel:
            out = run_app(mode, rotel.grpc_url, 0).stdout
            served_on = int(out.split("\n", 1)[0].removeprefix("serving on "))
            runs[mode] = exported(receiver, served_on)

            def rotel_saw_what_it_forwarded(names=frozenset(k[3] for k in runs[mode])):
                assert rotel.metric_names() == names   # (rotel logs a request line by line, after answering)

            e2e_peers.eventually(rotel_saw_what_it_forwarded, timeout_s=15)
        assert out.count(" 200\n") == 6 and out.count(" 404\n") == 2 and out.count(" 500\n") == 1
    sdk, ours = runs["sdk"], runs["otelmetrics"]
    names = {k[3] for k in ours}
    # the comparison covers every source: the app's own instruments (one made
    # through the API's proxy), the WSGI server, the HTTP client, system metrics
    assert {"shop.fruit.sold", "shop.revenue", "shop.stock", "shop.basket.size", "shop.temperature",
            "shop.queue.length", "shop.door.openings", "shop.customers.inside", "shop.early.orders",
            "shop.weight.sold", "shop.tips", "shop.display.price", "shop.crates",
            "http.server.duration", "http.server.active_requests", "http.client.duration",
            "system.cpu.time", "process.cpu.time", "system.memory.usage", "cpython.gc.collections"} <= names
    assert len([k for k in ours if k[0] == SYSTEM_SCOPE]) >= 20
    assert differences(sdk, ours) == []
    # and, lest both be wrong alike, a few values the program decides, as it sent them
    by_name = {k[3]: m for k, m in ours.items()}
    apple = points_by_attributes(by_name["shop.fruit.sold"])[frozen({"fruit": "apple", "paid": True})]
    assert (type(apple.value), apple.value) == (int, 6)
    revenue = points_by_attributes(by_name["shop.revenue"])[frozen({"fruit": "lemon"})]
    assert (type(revenue.value), revenue.value) == (float, 2.5)
    # ints and floats on one instrument: one stream, per attribute set an int
    # while only ints went in (exported() above refuses a metric sent twice)
    mixed = {(name, attrs): (type(p.value), p.value) for name in ("shop.weight.sold", "shop.display.price")
             for attrs, p in points_by_attributes(by_name[name]).items()}
    assert mixed == {("shop.weight.sold", frozen({"fruit": "apple"})): (float, 2.5),
                     ("shop.weight.sold", frozen({"fruit": "lemon"})): (int, 3),
                     ("shop.weight.sold", frozen({"fruit": "melon"})): (float, 1.25),
                     ("shop.display.price", frozen({"fruit": "apple"})): (float, 1.5),
                     ("shop.display.price", frozen({"fruit": "lemon"})): (int, 3)}
    served = sum(p.count for p in by_name["http.server.duration"].data_points)
    assert served == 9 == sum(p.count for p in by_name["http.client.duration"].data_points)


ZERO_CODE_APP = """
import threading, requests
from wsgiref.simple_server import make_server, WSGIRequestHandler
from opentelemetry import metrics

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
for _ in range(3):
    requests.get(f"http://127.0.0.1:{server.server_port}/", timeout=10)
metrics.get_meter("zero.code.app").create_counter("app.jobs").add(3, {"queue": "default"})
print("provider:", type(metrics.get_meter_provider()).__module__)
"""


def test_zero_code_instrumentation_sends_metrics_through_otelmetrics_and_spans_through_the_sdk(e2e_peers, tmp_path):
    instrument = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    assert instrument, "opentelemetry-instrument (opentelemetry-instrumentation) is not installed"
    app = tmp_path / "app.py"
    app.write_text(ZERO_CODE_APP)
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        r = subprocess.run(
            [instrument, sys.executable, str(app)], capture_output=True, text=True, timeout=120,
            env=clean_env(OTEL_PYTHON_CONFIGURATOR="otelmetrics", OTEL_SERVICE_NAME="zero-code",
                          OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
                          OTEL_TRACES_EXPORTER="console", OTEL_LOGS_EXPORTER="none"))
        assert r.returncode == 0, r.stderr
        assert "provider: otelmetrics._api_provider" in r.stdout

        def metrics_arrived_through_otelmetrics():
            jobs = rotel.latest_point("app.jobs", {"queue": "default"})
            assert jobs.value == 3
            resource = jobs.metric.resource.attributes
            assert resource["service.name"] == "zero-code" and resource["telemetry.sdk.language"] == "rust"
            client = rotel.latest_point("http.client.duration", {"http.method": "GET"}, subset=True)
            assert client.count == 3 and client.metric.scope.name == "opentelemetry.instrumentation.requests"

        e2e_peers.eventually(metrics_arrived_through_otelmetrics, timeout_s=30)
    # the spans went to the Python SDK's console exporter, as configured
    assert '"name": "GET"' in r.stdout and '"kind": "SpanKind.CLIENT"' in r.stdout
    assert "Overriding of current MeterProvider" not in r.stderr

"""Exemplars from a C program to the real collector rotel (gRPC and
HTTP/protobuf, printed by rotel) and to the opentelemetry-proto receiver
(HTTP/JSON, decoded exactly): the spans set per thread and passed per call
arrive as the exemplars' trace and span ids; unsampled spans and no span
give none under the default filter (trace_based), always_off gives none at
all, always_on takes measurements without a span (no ids)."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.receiver import Receiver  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

LOW = "8448eb211c80319c"
THREAD_A = ("0af7651916cd43dd" + LOW, "b7ad6b7169203331")
THREAD_B = ("1bf7651916cd43dd" + LOW, "c7ad6b7169203331")
PER_CALL = ("2bf7651916cd43dd" + LOW, "d7ad6b7169203331")

# point of ex.requests -> the span its exemplar carries (None: no exemplar)
EXPECTED = {
    "thread-a": THREAD_A, "thread-b": THREAD_B, "call": PER_CALL, "set": PER_CALL, "bound": PER_CALL,
    "unsampled": None, "unsampled-call": None, "none": None,
}


@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/exemplar_producer.c", tmp_path_factory.mktemp("exemplars"), "-pthread")


def run(producer, endpoint, protocol, **extra):
    env = program_env(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                      OTEL_METRIC_EXPORT_INTERVAL="60000", OTEL_METRIC_EXPORT_TIMEOUT="10000", **extra)
    r = subprocess.run([str(producer)], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "flush OK" in r.stdout and "shutdown OK" in r.stdout, r.stdout
    return r.stdout


def ids(point):
    return [(e.trace_id, e.span_id) for e in point.exemplars]


def spans_arrived(peer):
    for path, span in EXPECTED.items():
        point = peer.latest_point("ex.requests", {"path": path}, subset=True)
        assert point is not None, path
        assert ids(point) == ([span] if span else []), (path, point.exemplars)
    by_thread = {p.attributes["path"]: p for p in peer.points("ex.latency") if "path" in p.attributes}
    assert ids(by_thread["thread-a"]) == [THREAD_A] and ids(by_thread["thread-b"]) == [THREAD_B]
    (call,) = [e for e in peer.latest_point("ex.latency", {"path": "call"}).exemplars]
    assert (call.trace_id, call.span_id, call.value) == (*PER_CALL, 500.0)
    assert ids(peer.latest_point("ex.depth", {})) == [PER_CALL]
    assert ids(peer.latest_point("ex.balance", {})) == [PER_CALL]
    assert peer.latest_point("ex.requests", {"path": "bound"}).exemplars[0].value == 4


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_rotel_receives_the_spans_set_per_thread_and_per_call(producer, protocol):
    with Rotel() as rotel:
        out = run(producer, rotel.grpc_url if protocol == "grpc" else rotel.http_url, protocol)
        eventually(lambda: spans_arrived(rotel), timeout_s=20)
    for refused in ("NULL span: NULL_POINTER", "all-zero trace id: INVALID_ARGUMENT",
                    "all-zero span id: INVALID_ARGUMENT", "NULL current span: NULL_POINTER"):
        assert refused in out, out
    assert "trace id is all zero" in out and "span id is all zero" in out, out


def test_delta_points_carry_the_exemplars_of_their_interval(producer):
    with Rotel() as rotel:
        run(producer, rotel.grpc_url, "grpc", OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="delta")

        def arrived():
            point = rotel.latest_point("ex.requests", {"path": "call"})
            assert point.metric.temporality == "delta", point.metric.temporality
            for e in point.exemplars:
                assert point.start_time_unix_nano <= e.time_unix_nano <= point.time_unix_nano
            spans_arrived(rotel)

        eventually(arrived, timeout_s=20)


def test_otlp_json_carries_the_spans_exactly(producer):
    with Receiver(grpc=False) as rx:
        run(producer, rx.http_url, "http/json")
        eventually(lambda: spans_arrived(rx), timeout_s=20)


def test_always_off_gives_no_exemplars(producer):
    # The same program under trace_based (named explicitly) and always_off.
    with Rotel() as rotel:
        run(producer, rotel.grpc_url, "grpc", OTEL_METRICS_EXEMPLAR_FILTER="trace_based")
        eventually(lambda: spans_arrived(rotel), timeout_s=20)
    with Rotel() as rotel:
        run(producer, rotel.grpc_url, "grpc", OTEL_METRICS_EXEMPLAR_FILTER="always_off")

        def arrived_without_exemplars():
            points = rotel.points("ex.requests")
            assert {p.attributes["path"] for p in points} >= set(EXPECTED)
            assert all(not p.exemplars for p in points + rotel.points("ex.latency")), points

        eventually(arrived_without_exemplars, timeout_s=20)


def test_always_on_takes_measurements_without_a_span(producer):
    with Rotel() as rotel:
        run(producer, rotel.grpc_url, "grpc", OTEL_METRICS_EXEMPLAR_FILTER="always_on")

        def arrived():
            assert ids(rotel.latest_point("ex.requests", {"path": "none"})) == [("", "")]
            unsampled = ("3bf7651916cd43dd" + LOW, "e7ad6b7169203331")
            assert ids(rotel.latest_point("ex.requests", {"path": "unsampled-call"})) == [unsampled]
            assert ids(rotel.latest_point("ex.requests", {"path": "call"})) == [PER_CALL]

        eventually(arrived, timeout_s=20)

"""The cap on the size of one export request, against real receivers: an
export larger than the cap arrives as several requests, each within it,
each carrying its resource and scope, and together exactly the data
recorded (no point lost, none twice).

- rotel, the real collector, refuses gRPC messages over 4 MiB (its gRPC
  server's default). A C program's 5 MB export reaches it in pieces under
  the default cap; with the cap raised past rotel's limit, rotel refuses
  the same export and the loss is reported with its count.
- The programmable receiver checks every piece on the wire over gRPC (with
  grpcio's own message limit set to the cap), HTTP/protobuf, gzip and
  HTTP/JSON.
- A data point too large for the cap on its own is dropped and reported,
  and the rest still arrive.
"""

import pathlib
import re
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.receiver import Receiver, request_to_batch  # noqa: E402

DROPPED = re.compile(r"dropped a batch of (\d+) data points")
SPLIT = re.compile(r"was split into (\d+) requests of at most (\d+) bytes")
ROTEL_GRPC_LIMIT = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return compile_c("tests/e2e/programs/many_series.c", tmp_path_factory.mktemp("many_series"))


def run(program, n, endpoint, protocol, *args, **env):
    settings = dict(OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                    OTEL_SERVICE_NAME="split-test", OTEL_METRIC_EXPORT_INTERVAL="600000",
                    OTEL_METRIC_EXPORT_TIMEOUT="20000", OTEL_EXPORTER_OTLP_TIMEOUT="20000", OTEL_LOG_LEVEL="debug")
    settings.update(env)
    return subprocess.run([str(program), str(n), *args], env=program_env(**settings), capture_output=True,
                          text=True, timeout=120)


def expected_counters(n):
    return {f"s{i:06d}": i % 7 + 1 for i in range(n)}


def expected_histograms(n):
    return {f"s{i:06d}": i * 0.5 for i in range(0, n, 10)}


def received(batches):
    """Counter values and histogram sums by series over all batches, failing
    on any series seen twice."""
    counters, histograms = {}, {}
    for batch in batches:
        for metric in batch.metrics():
            target = {"split.requests": counters, "split.latency": histograms}.get(metric.name)
            if target is None:
                continue
            for p in metric.data_points:
                key = p.attributes["series"]
                assert key not in target, f"{metric.name} {key} arrived twice"
                target[key] = p.value if metric.name == "split.requests" else p.sum
    return counters, histograms


def assert_every_piece_is_whole(batches):
    for batch in batches:
        assert batch.resource_attributes.get("service.name") == "split-test"
        assert {s.name for s in batch.scopes} == {"e2e.split"}


def test_rotel_gets_a_large_export_in_pieces_under_the_default_cap(program, rotel):
    n = 60_000   # about 5.3 MB of protobuf: over rotel's 4 MiB
    r = run(program, n, rotel.grpc_url, "grpc")
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    split = SPLIT.search(r.stderr)
    assert split, r.stderr[-3000:]
    assert int(split.group(1)) >= 2 and int(split.group(2)) == ROTEL_GRPC_LIMIT
    # Wait for everything the assertions read: every counter and every
    # histogram series (rotel logs the pieces one after another).
    want = len(expected_counters(n)), len(expected_histograms(n))
    batches = rotel.wait_for(lambda bs: all(len(got) >= w for got, w in zip(received(bs), want)) and bs,
                             timeout_s=60, what=f"{want[0]} counter and {want[1]} histogram series")
    assert len(batches) == int(split.group(1))
    assert_every_piece_is_whole(batches)
    counters, histograms = received(batches)
    assert counters == expected_counters(n)
    assert histograms == expected_histograms(n)
    assert not DROPPED.search(r.stderr)


def test_rotel_refuses_the_same_export_unsplit_and_the_loss_is_reported(program, rotel):
    # The control: a cap above rotel's limit sends one 5 MB request, which
    # rotel refuses; the program reports the drop with every data point.
    n = 60_000
    r = run(program, n, rotel.grpc_url, "grpc", OTELMETRICS_OTLP_MAX_REQUEST_BYTES=str(64 * 1024 * 1024),
            OTEL_METRIC_EXPORT_TIMEOUT="3000", OTEL_EXPORTER_OTLP_TIMEOUT="3000")
    assert r.returncode != 0 and "shutdown OK" not in r.stdout, r.stdout
    assert not SPLIT.search(r.stderr)
    dropped = [int(m.group(1)) for m in DROPPED.finditer(r.stderr)]
    assert dropped and dropped[0] == n + n // 10, r.stderr[-3000:]
    assert received(rotel.batches())[0] == {}, "rotel took part of a request it refused"


CAP = 16 * 1024
WIRE = {
    "grpc": ("grpc", {}),
    "http/protobuf": ("http/protobuf", {}),
    "http/protobuf+gzip": ("http/protobuf", {"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}),
    "http/json": ("http/json", {}),
}


@pytest.mark.parametrize("wire", list(WIRE))
def test_every_piece_fits_the_cap_on_the_wire(program, wire):
    protocol, env = WIRE[wire]
    n = 3000
    # grpcio refuses any message over the cap: a piece too large would fail.
    with Receiver(grpc_options=[("grpc.max_receive_message_length", CAP)]) as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.metrics_url
        r = run(program, n, endpoint, protocol, OTELMETRICS_OTLP_MAX_REQUEST_BYTES=str(CAP), **env)
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
        requests = rx.requests
    assert all(req.status == 200 and req.message is not None for req in requests), [(q.status, q.error) for q in requests]
    sizes = [len(req.decoded_body) if req.transport == "http" else len(req.body) for req in requests]
    assert max(sizes) <= CAP, sizes
    if wire == "http/protobuf+gzip":
        assert all(req.content_encoding == "gzip" for req in requests)
    # Packed, not scattered: every piece but the last is over half full.
    assert min(sizes[:-1]) > CAP // 2, sizes
    batches = [request_to_batch(req.message) for req in requests]
    assert_every_piece_is_whole(batches)
    counters, histograms = received(batches)
    assert counters == expected_counters(n)
    assert histograms == expected_histograms(n)
    assert not DROPPED.search(r.stderr)


def test_a_point_too_large_alone_is_dropped_reported_and_the_rest_arrive(program):
    n = 500
    cap = 4096
    with Receiver() as rx:
        r = run(program, n, rx.metrics_url, "http/protobuf", "huge", OTELMETRICS_OTLP_MAX_REQUEST_BYTES=str(cap))
        requests = rx.requests
    assert r.returncode != 0, "an export that lost a point is not OK"
    assert [int(m.group(1)) for m in DROPPED.finditer(r.stderr)] == [1], r.stderr[-3000:]
    assert "larger than the request size limit (4096 bytes)" in r.stderr
    assert max(len(req.decoded_body) for req in requests) <= cap
    counters, histograms = received([request_to_batch(req.message) for req in requests])
    assert counters == expected_counters(n)
    assert histograms == expected_histograms(n)


@pytest.mark.parametrize("value", ["0", "1023", "2147483648", "4MiB", "-5"])
def test_an_invalid_cap_fails_the_build_naming_the_variable(program, value):
    r = run(program, 1, "http://127.0.0.1:9/v1/metrics", "http/protobuf", OTELMETRICS_OTLP_MAX_REQUEST_BYTES=value)
    assert r.returncode == 1 and "INVALID_CONFIG" in r.stderr, r.stderr
    assert "OTELMETRICS_OTLP_MAX_REQUEST_BYTES" in r.stderr

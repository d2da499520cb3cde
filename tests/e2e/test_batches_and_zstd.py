"""The data-point limit of one request (the specification's
``max_export_batch_size``, our ``OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE``)
together with the byte cap, and zstd compression over HTTP, on the wire: the
programmable receiver decodes every request (zstd with the ``zstandard``
package), so each piece is measured and counted as the receiver got it.

zstd over gRPC is checked against tonic's own gRPC server
(``peers/zstd_grpc.py``, tests/peers/zstd-grpc-receiver): grpcio and rotel do
not accept zstd-compressed gRPC messages.
"""

import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c  # noqa: E402
from peers.receiver import Receiver, request_to_batch  # noqa: E402
from peers.zstd_grpc import ZstdGrpcReceiver  # noqa: E402
from test_request_size import (  # noqa: E402
    DROPPED, assert_every_piece_is_whole, expected_counters, expected_histograms, received, run,
)

CAP = 16 * 1024
# Points per request such that in 16 KiB the counter points (about 90 bytes
# each in protobuf, 290 in JSON) are bound by the count and the histogram
# points (about 340 and 430 bytes) by the size.
BATCH = {"grpc": 100, "http/protobuf": 100, "http/json": 45}


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return compile_c("tests/e2e/programs/many_series.c", tmp_path_factory.mktemp("many_series"))


def points(request):
    return sum(len(getattr(m, m.WhichOneof("data")).data_points)
               for rm in request.message.resource_metrics for sm in rm.scope_metrics for m in sm.metrics)


def wire_size(request):
    return len(request.decoded_body) if request.transport == "http" else len(request.body)


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf", "http/json"])
def test_every_request_holds_both_the_point_limit_and_the_byte_cap(program, protocol):
    n = 3000   # counter points, and n / 10 histogram points
    batch = BATCH[protocol]
    with Receiver(grpc_options=[("grpc.max_receive_message_length", CAP)]) as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.metrics_url
        r = run(program, n, endpoint, protocol, OTELMETRICS_OTLP_MAX_REQUEST_BYTES=str(CAP),
                OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE=str(batch))
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
        requests = rx.requests
    assert all(q.status == 200 and q.message is not None for q in requests), [(q.status, q.error) for q in requests]
    counts = [points(q) for q in requests]
    sizes = [wire_size(q) for q in requests]
    assert max(counts) <= batch and max(sizes) <= CAP, (counts, sizes)
    # Both limits bound requests: the counters' full by count, the
    # histograms' full by size with fewer points (the last may be short).
    assert counts[:-1].count(batch) >= n // batch - 1, counts
    assert any(c < batch and s > CAP * 3 // 4 for c, s in zip(counts[:-1], sizes[:-1])), (counts, sizes)
    batches = [request_to_batch(q.message) for q in requests]
    assert_every_piece_is_whole(batches)
    counters, histograms = received(batches)
    assert counters == expected_counters(n)
    assert histograms == expected_histograms(n)
    assert sum(counts) == n + n // 10
    assert not DROPPED.search(r.stderr)


def test_the_point_limit_alone_splits_without_any_byte_pressure(program):
    n = 1000
    with Receiver(grpc=False) as rx:
        r = run(program, n, rx.metrics_url, "http/protobuf", OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE="7")
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
        requests = rx.requests
    counts = [points(q) for q in requests]
    assert counts == [7] * (1100 // 7) + [1100 % 7], counts
    counters, histograms = received([request_to_batch(q.message) for q in requests])
    assert counters == expected_counters(n) and histograms == expected_histograms(n)


@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5"])
def test_an_invalid_batch_size_fails_the_build_naming_the_variable(program, value):
    r = run(program, 1, "http://127.0.0.1:9/v1/metrics", "http/protobuf", OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE=value)
    assert r.returncode == 1 and "INVALID_CONFIG" in r.stderr, r.stderr
    assert "OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE" in r.stderr


@pytest.mark.parametrize("protocol", ["http/protobuf", "http/json"])
def test_zstd_over_http_is_decoded_by_the_receiver(program, protocol):
    n = 2000
    with Receiver(grpc=False) as rx:
        r = run(program, n, rx.metrics_url, protocol, OTEL_EXPORTER_OTLP_METRICS_COMPRESSION="zstd",
                OTELMETRICS_OTLP_MAX_REQUEST_BYTES=str(64 * 1024))
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
        requests = rx.requests
    assert len(requests) >= 2   # split as usual: the cap is measured before compression
    for q in requests:
        assert q.header("content-encoding") == "zstd" and q.error is None and q.message is not None, q.error
        assert q.decoded_body[:4] != b"\x28\xb5\x2f\xfd" and q.body[:4] == b"\x28\xb5\x2f\xfd"   # zstd's magic number
        assert len(q.body) < len(q.decoded_body) / 3
        assert len(q.decoded_body) <= 64 * 1024
    counters, histograms = received([request_to_batch(q.message) for q in requests])
    assert counters == expected_counters(n) and histograms == expected_histograms(n)


def test_zstd_over_grpc_is_decoded_by_tonic_s_grpc_server(program):
    n = 2000
    with ZstdGrpcReceiver() as rx:
        r = run(program, n, rx.url, "grpc", OTEL_EXPORTER_OTLP_COMPRESSION="zstd")
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
        requests = rx.wait_for_requests(1)
    assert [encoding for encoding, _ in requests] == ["zstd"] * len(requests)
    counters, histograms = received([request_to_batch(message) for _, message in requests])
    assert counters == expected_counters(n) and histograms == expected_histograms(n)


def test_a_grpc_server_without_zstd_refuses_it_and_the_loss_is_reported(program):
    # The control: the same server without zstd answers UNIMPLEMENTED, so the
    # test above passes only because zstd was sent and decoded.
    with ZstdGrpcReceiver(zstd=False) as rx:
        r = run(program, 10, rx.url, "grpc", OTEL_EXPORTER_OTLP_COMPRESSION="zstd")
        assert rx.requests == []
    assert r.returncode != 0
    assert "Unimplemented" in r.stderr and [int(m.group(1)) for m in DROPPED.finditer(r.stderr)] == [11], r.stderr[-2000:]


def test_an_unknown_compression_fails_the_build_naming_the_choices(program):
    r = run(program, 1, "http://127.0.0.1:9/v1/metrics", "http/protobuf", OTEL_EXPORTER_OTLP_COMPRESSION="brotli")
    assert r.returncode == 1 and "INVALID_CONFIG" in r.stderr, r.stderr
    assert re.search(r"`gzip`, `zstd` or `none`", r.stderr), r.stderr

"""The OTLP settings given to MeterProvider in code reach the wire: protocol
(HTTP/JSON), compression, headers, temporality, TLS and mutual TLS with a
test CA. Checked byte for byte by the programmable receiver of tests/e2e."""

from __future__ import annotations

import pytest

import otelmetrics


@pytest.fixture(scope="module")
def peers(e2e_peers):
    from peers import certs, receiver
    return receiver, certs


def flush_one(**settings) -> None:
    with otelmetrics.MeterProvider(exporters=["otlp"], export_interval_millis=3_600_000, **settings) as p:
        counter = p.get_meter("settings").create_counter("sent")
        counter.add(2, {"k": "v"})
        p.force_flush(timeout_millis=10_000)
        counter.add(3, {"k": "v"})
        p.force_flush(timeout_millis=10_000)


def test_http_json_gzip_headers_and_delta_temporality(peers):
    receiver, _ = peers
    with receiver.Receiver(grpc=False) as rx:
        flush_one(otlp_endpoint=rx.metrics_url, otlp_protocol="http/json", otlp_compression="gzip",
                  otlp_headers={"authorization": "Bearer s3cret", "x-tenant": "blue"}, temporality="delta")
        requests = rx.wait_for_requests(2, timeout_s=15)
        first = requests[0]
        assert first.encoding == "json" and first.content_encoding == "gzip"
        assert first.header("authorization") == "Bearer s3cret" and first.header("x-tenant") == "blue"
        values = [p.value for p in rx.points("sent", {"k": "v"})]
        assert values[:2] == [2, 3]   # delta: each export carries only what came since the last
        assert rx.metrics("sent")[0].temporality == "delta"


def test_grpc_without_compression_and_cumulative(peers):
    receiver, _ = peers
    with receiver.Receiver(http=False, grpc_gzip=False) as rx:   # a gzipping client would be refused
        flush_one(otlp_endpoint=rx.grpc_url, otlp_protocol="grpc", otlp_compression="none",
                  temporality="cumulative", otlp_timeout_millis=5000)
        rx.wait_for_requests(2, timeout_s=15)
        assert [p.value for p in rx.points("sent", {"k": "v"})][:2] == [2, 5]
        assert all(r.grpc_code in (None, "OK") for r in rx.requests)


def test_max_request_bytes_splits_a_large_export(peers):
    receiver, _ = peers
    cap = 4096
    with receiver.Receiver(grpc=False) as rx:
        with otelmetrics.MeterProvider(exporters=["otlp"], export_interval_millis=3_600_000, otlp_endpoint=rx.metrics_url,
                                       otlp_protocol="http/protobuf", otlp_max_request_bytes=cap) as p:
            counter = p.get_meter("settings").create_counter("sent")
            for i in range(400):
                counter.add(i + 1, {"series": f"s{i:03d}"})
            p.force_flush(timeout_millis=10_000)
            requests = list(rx.requests)   # the flush's pieces (shutdown sends them again)
        # The flush's export, and shutdown's (split at once, as the one
        # before needed splitting): each whole, in pieces within the cap.
        final = rx.requests[len(requests):]
        for export in (requests, final):
            assert all(r.message is not None for r in export)
            assert len(export) >= 4 and max(len(r.decoded_body) for r in export) <= cap
            points = [p for r in export for m in receiver.request_to_batch(r.message).metrics("sent") for p in m.data_points]
            assert sorted((p.attributes["series"], p.value) for p in points) == [(f"s{i:03d}", i + 1) for i in range(400)]


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_tls_with_a_test_ca_and_mutual_tls(peers, tmp_path, protocol):
    receiver, certs = peers
    pki = certs.make_pki(tmp_path / "pki")
    with receiver.Receiver(server_cert=pki.server, client_ca=pki.ca) as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.metrics_url
        assert endpoint.startswith("https://")
        flush_one(otlp_endpoint=endpoint, otlp_protocol=protocol, otlp_certificate_file=pki.ca.cert_path,
                  otlp_client_certificate_file=pki.client.cert_path, otlp_client_key_file=pki.client.key_path)
        rx.wait_for_requests(1, timeout_s=15)
        assert rx.points("sent", {"k": "v"})[0].value == 2
        if protocol != "grpc":
            assert rx.requests[0].client_cert_cn is not None

"""The same C program against the programmable receiver, which decodes every
request with the official protobuf classes: HTTP/JSON decoded exactly,
headers and compression on the wire, TLS and mutual TLS with a CA the test
makes, TLS failures reported (not hung on), and secrets kept out of
diagnostics."""

import os
import pathlib
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c  # noqa: E402
from peers.receiver import Receiver, Response  # noqa: E402

@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/otlp_producer.c", tmp_path_factory.mktemp("producer"))


def producer_env(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    full.update(OTEL_SERVICE_NAME="e2e-shop", OTEL_METRIC_EXPORT_INTERVAL="60000", OTEL_METRIC_EXPORT_TIMEOUT="5000",
                OTEL_EXPORTER_OTLP_TIMEOUT="3000")
    full.update(env)
    return full


def run(producer, **env):
    return subprocess.run([str(producer)], env=producer_env(**env), capture_output=True, text=True, timeout=60)


def test_http_json_is_decoded_exactly_by_the_official_protobuf_classes(producer):
    with Receiver(grpc=False) as rx:
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=rx.http_url, OTEL_EXPORTER_OTLP_PROTOCOL="http/json")
        assert r.returncode == 0, r.stderr
        request = rx.wait_for_requests(1)[0]
        assert request.content_type.startswith("application/json")
        assert request.error is None and request.json_strict_error is None, (request.error, request.json_strict_error)
        assert rx.latest_point("e2e.counter_u64", {"method": "POST"}).value == 111
        assert rx.latest_point("e2e.updown_i64", {}).value == -3
        latency = rx.latest_point("e2e.latency", {"method": "GET"})
        assert (latency.count, latency.bucket_counts, latency.explicit_bounds) == (5, [1, 2, 1, 1], [1.0, 10.0, 100.0])
        assert rx.latest_point("e2e.gauge_i64", {}).value == -9


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_headers_and_gzip_reach_the_wire(producer, protocol):
    with Receiver() as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.http_url
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                OTEL_EXPORTER_OTLP_HEADERS="api-key=s3cret,x-tenant=blue%20team",
                OTEL_EXPORTER_OTLP_COMPRESSION="gzip")
        assert r.returncode == 0, r.stderr
        request = rx.wait_for_requests(1)[0]
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["api-key"] == "s3cret"
        assert headers["x-tenant"] == "blue team"
        if protocol == "http/protobuf":
            assert request.content_encoding == "gzip"
            assert request.content_type == "application/x-protobuf"
        assert rx.latest_point("e2e.counter_u64", {"method": "GET"}).value == 10


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_tls_with_a_custom_ca(producer, pki, protocol):
    with Receiver(server_cert=pki.server) as rx:
        endpoint = (rx.grpc_url if protocol == "grpc" else rx.http_url).replace("127.0.0.1", "localhost")
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                OTEL_EXPORTER_OTLP_CERTIFICATE=str(pki.ca.cert_path))
        assert r.returncode == 0, r.stdout + r.stderr
        request = rx.wait_for_requests(1)[0]
        assert request.tls
        assert rx.latest_point("e2e.counter_u64", {"method": "GET"}).value == 10


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_mutual_tls(producer, pki, protocol):
    with Receiver(server_cert=pki.server, client_ca=pki.ca) as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.http_url
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                OTEL_EXPORTER_OTLP_CERTIFICATE=str(pki.ca.cert_path),
                OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE=str(pki.client.cert_path),
                OTEL_EXPORTER_OTLP_CLIENT_KEY=str(pki.client.key_path))
        assert r.returncode == 0, r.stdout + r.stderr
        request = rx.wait_for_requests(1)[0]
        assert request.tls
        if protocol == "http/protobuf":  # grpcio does not expose the peer certificate's name
            assert request.client_cert_cn
        assert rx.latest_point("e2e.counter_u64", {"method": "GET"}).value == 10


TLS_FAILURES = {
    "unknown CA": ("untrusted_server", "ca", None),
    "expired certificate": ("expired_server", "ca", None),
    "wrong host name": ("wrong_host_server", "ca", None),
    "missing client certificate": ("server", "ca", "require-client"),
}


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
@pytest.mark.parametrize("failure", list(TLS_FAILURES))
def test_tls_failures_are_reported_within_the_timeout(producer, pki, protocol, failure):
    server, ca, mode = TLS_FAILURES[failure]
    kwargs = {"server_cert": getattr(pki, server)}
    if mode == "require-client":
        kwargs["client_ca"] = pki.ca
    with Receiver(**kwargs) as rx:
        endpoint = rx.grpc_url if protocol == "grpc" else rx.http_url
        started = time.monotonic()
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                OTEL_EXPORTER_OTLP_CERTIFICATE=str(getattr(pki, ca).cert_path), OTEL_METRIC_EXPORT_TIMEOUT="3000",
                OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20top-secret-token")
        assert time.monotonic() - started < 30
        assert r.returncode != 0, "the export must fail"
        assert "flush EXPORT_FAILED" in r.stdout or "flush TIMEOUT" in r.stdout, r.stdout
        assert not any(req.status == 200 and req.message is not None for req in rx.requests), "nothing accepted"
        # Diagnostics reported the failure, and never the secret header.
        assert "dropped a batch" in r.stderr, r.stderr
        # A refused handshake is not retried: only new settings can fix it.
        assert "(not retried)" in r.stderr, r.stderr
        assert "top-secret-token" not in r.stderr and "top-secret-token" not in r.stdout


def test_secrets_in_headers_never_appear_in_diagnostics(producer):
    with Receiver() as rx:
        rx.set_default(Response(400, message="rejected"))
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT="http://user:pa55word@" + rx.http_url.split("://")[1],
                OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_LOG_LEVEL="debug",
                OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20top-secret-token")
        rx.wait_for_requests(1)
        assert "dropped a batch" in r.stderr, r.stderr
        for secret in ("top-secret-token", "pa55word"):
            assert secret not in r.stderr and secret not in r.stdout

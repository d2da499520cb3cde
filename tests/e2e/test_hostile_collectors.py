"""A hostile or broken collector, and configuration that would let one in:
the C producer (configured from OTEL_* variables) exports to programmable
receivers on 127.0.0.1 that redirect, claim to reject more points than were
sent, answer with bodies no decoder reads, ask for retries at once, or
answer with more bytes than a host should hold. Each test asserts what the
receivers got and what the diagnostics and statuses said."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c  # noqa: E402
from peers.receiver import Response  # noqa: E402
from test_otlp_receiver import run  # noqa: E402

SECRET = "s3cret-api-key"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/otlp_producer.c", tmp_path_factory.mktemp("producer"))


def assert_no_secret(r):
    for secret in (SECRET, TOKEN):
        assert secret not in r.stderr and secret not in r.stdout, r.stderr


REDIRECT_TARGETS = ["same origin", "other origin", "https to http"]


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_is_a_failed_export_and_its_target_receives_nothing(producer, make_receiver, pki, code,
                                                                       target):
    elsewhere = make_receiver(grpc=False)
    if target == "https to http":
        source = make_receiver(grpc=False, server_cert=pki.server)
        endpoint = source.http_url.replace("127.0.0.1", "localhost")
        tls = {"OTEL_EXPORTER_OTLP_CERTIFICATE": str(pki.ca.cert_path)}
    else:
        source = make_receiver(grpc=False)
        endpoint, tls = source.http_url, {}
    location = (f"{source.http_url}/elsewhere/v1/metrics" if target == "same origin"
                else elsewhere.metrics_url) + f"?token={TOKEN}"
    source.set_default(Response(code, headers={"Location": location}))

    r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
            OTEL_EXPORTER_OTLP_HEADERS=f"api-key={SECRET}", **tls)

    assert "flush EXPORT_FAILED" in r.stdout, r.stdout + r.stderr
    # The redirect was not followed: neither its target nor another path of
    # the same server got a request, with or without a body.
    assert elsewhere.requests == []
    assert {(q.method, q.path) for q in source.requests} == {("POST", "/v1/metrics")}
    assert all(q.status == code for q in source.requests)
    # Reported with its status and where it pointed, redacted; no retry.
    assert f"HTTP {code}" in r.stderr and "redirects are not followed" in r.stderr, r.stderr
    assert "/v1/metrics?<redacted>" in r.stderr, r.stderr
    assert "(not retried)" in r.stderr, r.stderr
    assert_no_secret(r)


TRANSPORT_HEADERS = ["content-length", "transfer-encoding", "host", "connection", "te", "upgrade",
                     "content-encoding", "content-type"]
GRPC_ONLY = ["grpc-timeout", "grpc-encoding", "grpc-status"]


def transport_headers(protocol):
    return TRANSPORT_HEADERS + (GRPC_ONLY if protocol == "grpc" else [])


@pytest.mark.parametrize("var", ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"])
@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_headers_the_transport_owns_are_refused_from_the_environment(producer, receiver, protocol, var):
    """`content-length=0` used to send every request without its body (and
    the flush said OK); each such header now fails the build, naming the
    variable, and nothing is sent."""
    endpoint = receiver.grpc_url if protocol == "grpc" else receiver.http_url
    for name in transport_headers(protocol):
        r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                **{var: f"api-key={SECRET},{name}=0"})
        assert r.returncode != 0 and "INVALID_CONFIG" in r.stderr, (name, r.stdout, r.stderr)
        assert f"`{var}`" in r.stderr and f"header `{name}`" in r.stderr, r.stderr
        assert_no_secret(r)
    assert receiver.requests == []


def _library():
    import ctypes
    import os
    lib = ctypes.CDLL(os.environ.get("OTELMETRICS_LIB")
                      or str(pathlib.Path(__file__).resolve().parents[2] / "target/release/libotelmetrics.so"))

    class Str(ctypes.Structure):
        _fields_ = [("ptr", ctypes.c_char_p), ("len", ctypes.c_size_t)]

    lib.otelmetrics_last_error_message.restype = ctypes.c_char_p
    lib.otelmetrics_provider_builder_add_otlp_header.argtypes = [ctypes.c_void_p, Str, Str]
    for f in ("otelmetrics_provider_builder_add_exporter", "otelmetrics_provider_builder_set_otlp_protocol"):
        getattr(lib, f).argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.otelmetrics_provider_builder_free.argtypes = [ctypes.c_void_p]
    lib.otelmetrics_provider_builder_build.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    return lib, Str


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_headers_the_transport_owns_are_refused_from_add_otlp_header(protocol):
    import ctypes
    lib, Str = _library()
    for name in transport_headers(protocol) + (["Content-Length"] if protocol != "grpc" else [":authority"]):
        builder = ctypes.c_void_p()
        assert lib.otelmetrics_provider_builder_new(ctypes.byref(builder)) == 0
        try:
            assert lib.otelmetrics_provider_builder_add_exporter(builder, 1) == 0   # OTLP
            assert lib.otelmetrics_provider_builder_set_otlp_protocol(builder, 1 if protocol == "grpc" else 2) == 0
            n, v = name.encode(), b"0"
            assert lib.otelmetrics_provider_builder_add_otlp_header(builder, Str(n, len(n)), Str(v, 1)) == 0
            provider = ctypes.c_void_p()
            assert lib.otelmetrics_provider_builder_build(builder, ctypes.byref(provider)) == 6, name  # INVALID_CONFIG
            message = lib.otelmetrics_last_error_message(None).decode()
            assert "otlp headers (set in code)" in message and name.lower() in message, message
        finally:
            lib.otelmetrics_provider_builder_free(builder)


def run_measured(producer, **env):
    """`run`, and the producer's peak resident memory (KiB) as it read it
    itself at exit (VmHWM: its own, from its exec on)."""
    r = run(producer, **env)
    (peak,) = [int(line.split()[1]) for line in r.stdout.splitlines() if line.startswith("peak_rss_kib ")]
    return r, peak


ANSWER_MIB = 200
# The producer's own footprint is a few tens of MiB; a 200 MiB answer held
# in memory would exceed this by far.
RSS_BOUND_KIB = 120 * 1024


@pytest.mark.parametrize("framing", ["content-length", "unframed"])
@pytest.mark.parametrize("protocol", ["http/protobuf", "http/json"])
def test_an_oversized_http_answer_fails_the_export_without_being_read(producer, make_receiver, protocol, framing):
    rx = make_receiver(grpc=False)
    rx.set_default(Response(200, body=b"\0" * (ANSWER_MIB << 20), unframed=framing == "unframed"))

    r, peak_kib = run_measured(producer, OTEL_EXPORTER_OTLP_ENDPOINT=rx.http_url, OTEL_EXPORTER_OTLP_PROTOCOL=protocol)

    assert "flush EXPORT_FAILED" in r.stdout, r.stdout + r.stderr
    assert peak_kib < RSS_BOUND_KIB, f"peak RSS {peak_kib} KiB after a {ANSWER_MIB} MiB answer"
    assert "larger than 4 MiB" in r.stderr and "(not retried)" in r.stderr, r.stderr
    # One request per export (the flush's and shutdown's): none was retried.
    assert len(rx.requests) == 2, [q.status for q in rx.requests]


def test_an_oversized_grpc_answer_fails_the_export_and_is_not_retried(producer, make_receiver):
    rx = make_receiver(http=False)
    rx.set_default(Response(200, body=b"\0" * (64 << 20)))

    r, peak_kib = run_measured(producer, OTEL_EXPORTER_OTLP_ENDPOINT=rx.grpc_url, OTEL_EXPORTER_OTLP_PROTOCOL="grpc")

    assert "flush EXPORT_FAILED" in r.stdout, r.stdout + r.stderr
    assert "the answer cannot be read" in r.stderr and "(not retried)" in r.stderr, r.stderr
    assert peak_kib < RSS_BOUND_KIB, f"peak RSS {peak_kib} KiB after a 64 MiB answer"
    assert len(rx.requests) == 2, "one request per export, not one per retry"


# The most attempts one export makes of one request (README, OTLP section).
MAX_ATTEMPTS = 6


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_a_receiver_asking_to_retry_at_once_gets_no_storm(producer, make_receiver, protocol):
    """503 with `Retry-After: 0` (gRPC UNAVAILABLE with RetryInfo 0 s) used
    to replace the backoff: thousands of requests per export."""
    rx = make_receiver()
    rx.set_default(Response(503, retry_after=0, message="busy"))
    endpoint = rx.grpc_url if protocol == "grpc" else rx.http_url

    r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol)

    assert "flush EXPORT_FAILED" in r.stdout, r.stdout + r.stderr
    # Two exports (the flush's and shutdown's), each at most MAX_ATTEMPTS.
    assert 2 <= len(rx.requests) <= 2 * MAX_ATTEMPTS, len(rx.requests)


@pytest.mark.parametrize("answer", ["error status", "partial success"])
@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf", "http/json"])
def test_a_receiver_message_cannot_forge_log_lines(producer, make_receiver, protocol, answer):
    """The receiver's text reaches the host's log escaped: a newline in it
    used to start a line the collector wrote, here a fake 'all fine'."""
    forged = "otelmetrics: [info] export delivered, all fine"
    message = f"refused\n{forged}\x1b[2J"
    rx = make_receiver()
    rx.set_default(Response(400, message=message) if answer == "error status"
                   else Response(200, partial_success=(1, message)))
    endpoint = rx.grpc_url if protocol == "grpc" else rx.http_url

    r = run(producer, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol)

    assert "refused\\n" + forged in r.stderr, r.stderr           # quoted, escaped
    assert not any(line.startswith(forged) for line in r.stderr.splitlines()), r.stderr
    assert "\x1b" not in r.stderr

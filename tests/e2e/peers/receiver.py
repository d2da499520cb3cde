"""A programmable OTLP metrics receiver for tests: HTTP ``/v1/metrics`` (protobuf and
JSON, gzip, zstd) and gRPC ``MetricsService/Export`` on free 127.0.0.1 ports, optionally
over TLS or mTLS. Every request is kept (headers, raw and decoded body, the decoded
``ExportMetricsServiceRequest``) and can be answered as programmed::

    with Receiver() as rx:
        rx.program(Response(503, retry_after=1))          # the next request gets 503
        ...  # export to rx.metrics_url (HTTP) or rx.grpc_url (gRPC)
        rx.wait_for_requests(2, timeout_s=10)
        assert rx.requests[0].status == 503 and rx.requests[1].status == 200
        assert rx.latest_point("requests").value == 3     # same queries as Rotel

Answers: ``Response(status, retry_after=, delay_s=, black_hole=, drop=, ...)``. One-shot
answers queued with ``program()`` are used first, in order, by the next requests of
either transport; after that the default (``set_default``; 200 unless changed). On
gRPC an HTTP status is mapped to the matching gRPC code (429 -> RESOURCE_EXHAUSTED,
503 -> UNAVAILABLE, 400 -> INVALID_ARGUMENT, ...) and ``retry_after`` becomes a
``google.rpc.RetryInfo`` detail, as the OTLP specification says.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import socket
import ssl
import threading
import time
import zlib
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import grpc
import zstandard
from google.protobuf import json_format
from google.protobuf.any_pb2 import Any as AnyProto
from google.protobuf.duration_pb2 import Duration
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2

from .rotel import (
    CUMULATIVE, DELTA, UNSPECIFIED, Batch, DataPoint, Exemplar, Metric, Queries, Resource, Scope,
    _link, wait_until,
)

__all__ = ["Receiver", "Response", "ReceivedRequest", "request_to_batch", "any_value_to_python",
           "GRPC_METHOD", "HTTP_TO_GRPC"]

GRPC_SERVICE = "opentelemetry.proto.collector.metrics.v1.MetricsService"
GRPC_METHOD = f"/{GRPC_SERVICE}/Export"

HTTP_TO_GRPC = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.UNIMPLEMENTED,
    408: grpc.StatusCode.DEADLINE_EXCEEDED,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    501: grpc.StatusCode.UNIMPLEMENTED,
    502: grpc.StatusCode.UNAVAILABLE,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


@dataclass
class Response:
    """How to answer one request.

    status: HTTP status (gRPC: mapped through HTTP_TO_GRPC unless ``grpc_code``).
    retry_after: seconds (or an HTTP-date string): HTTP ``Retry-After`` header; gRPC
        ``RetryInfo.retry_delay`` in ``grpc-status-details-bin``.
    delay_s: wait this long before answering.
    black_hole: read the request, then never answer (until the receiver stops).
    drop: read the request, then close the connection without answering.
    partial_success: (rejected_data_points, error_message) in a 200 answer.
    message: error message in the google.rpc.Status body / gRPC details.
    body: raw answer instead of the generated one (HTTP: the body; gRPC: the
        response message's bytes, with status OK).
    headers: HTTP only: extra headers.
    unframed: HTTP only: no Content-Length; the body ends when the connection closes.
    """

    status: int = 200
    retry_after: float | int | str | None = None
    delay_s: float = 0.0
    black_hole: bool = False
    drop: bool = False
    partial_success: tuple[int, str] | None = None
    message: str = ""
    grpc_code: grpc.StatusCode | None = None
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    unframed: bool = False

    def grpc_status(self) -> grpc.StatusCode:
        if self.grpc_code is not None:
            return self.grpc_code
        if 200 <= self.status < 300:
            return grpc.StatusCode.OK
        return HTTP_TO_GRPC.get(self.status, grpc.StatusCode.UNKNOWN)


@dataclass(eq=False)
class ReceivedRequest:
    transport: str                       # "http" or "grpc"
    method: str                          # HTTP method, or the gRPC method path
    path: str                            # HTTP path (gRPC: the method path)
    headers: dict[str, str]              # lowercase names; repeated ones joined with ", "
    body: bytes                          # as received (HTTP: maybe gzip; gRPC: after gRPC decompression)
    decoded_body: bytes = b""            # after Content-Encoding
    content_type: str = ""
    content_encoding: str = ""           # HTTP Content-Encoding / gRPC grpc-encoding, "" if none
    encoding: str | None = None          # "protobuf" or "json" when recognised
    message: ExportMetricsServiceRequest | None = None
    error: str | None = None             # why it could not be decoded
    json_strict_error: str | None = None # JSON that parsed only when unknown fields were ignored
    response: Response | None = None     # what it was answered with
    status: int | None = None            # HTTP status sent (gRPC: the Response's status); None: no answer
    grpc_code: str | None = None         # gRPC status code name sent
    received_at: float = 0.0             # time.monotonic()
    answered_at: float | None = None
    peer: str = ""
    tls: bool = False
    client_cert_cn: str | None = None    # mTLS: common name of the client certificate

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


# --------------------------------------------------------------------------- decoding


def any_value_to_python(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value_to_python(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value_to_python(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return bytes(v.bytes_value)
    return getattr(v, kind)


def _attrs(kvs: "list[KeyValue]") -> dict[str, Any]:
    return {kv.key: any_value_to_python(kv.value) for kv in kvs}


_TEMPORALITY = {metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE: CUMULATIVE,
                metrics_pb2.AGGREGATION_TEMPORALITY_DELTA: DELTA,
                metrics_pb2.AGGREGATION_TEMPORALITY_UNSPECIFIED: UNSPECIFIED}


def _exemplars(p) -> list[Exemplar]:
    out = []
    for e in p.exemplars:
        which = e.WhichOneof("value")
        out.append(Exemplar(trace_id=e.trace_id.hex(), span_id=e.span_id.hex(), time_unix_nano=e.time_unix_nano,
                            value=getattr(e, which) if which else None,
                            filtered_attributes=_attrs(e.filtered_attributes)))
    return out


def _point(kind: str, p) -> DataPoint:
    dp = DataPoint(kind=kind, attributes=_attrs(p.attributes), start_time_unix_nano=p.start_time_unix_nano,
                   time_unix_nano=p.time_unix_nano)
    if kind == "number":
        which = p.WhichOneof("value")
        dp.value = getattr(p, which) if which else None
    else:
        dp.count = p.count
        dp.sum = p.sum if kind == "summary" or p.HasField("sum") else None
    if kind in ("histogram", "exponential_histogram"):
        dp.min = p.min if p.HasField("min") else None
        dp.max = p.max if p.HasField("max") else None
    if kind == "histogram":
        dp.explicit_bounds = list(p.explicit_bounds)
        dp.bucket_counts = list(p.bucket_counts)
    elif kind == "exponential_histogram":
        dp.scale, dp.zero_count = p.scale, p.zero_count
        for side in ("positive", "negative"):
            b = getattr(p, side)
            counts = list(b.bucket_counts)
            setattr(dp, f"{side}_offset", b.offset if counts else 0)
            setattr(dp, f"{side}_bucket_counts", counts)
    elif kind == "summary":
        dp.quantiles = [(q.quantile, q.value) for q in p.quantile_values]
    if kind != "summary":
        dp.exemplars = _exemplars(p)
    return dp


def request_to_batch(msg: ExportMetricsServiceRequest, seq: int = 0) -> Batch:
    """The decoded request in the same model the rotel log parser produces."""
    batch = Batch(seq=seq, source="receiver")
    for rm in msg.resource_metrics:
        res = Resource(schema_url=rm.schema_url, attributes=_attrs(rm.resource.attributes))
        batch.resources.append(res)
        for sm in rm.scope_metrics:
            scope = Scope(name=sm.scope.name, version=sm.scope.version, schema_url=sm.schema_url,
                          attributes=_attrs(sm.scope.attributes))
            res.scopes.append(scope)
            for m in sm.metrics:
                which = m.WhichOneof("data")
                metric = Metric(name=m.name, description=m.description, unit=m.unit)
                scope.metrics.append(metric)
                if which == "sum":
                    metric.data_type, metric.is_monotonic = "Sum", m.sum.is_monotonic
                    metric.temporality = _TEMPORALITY.get(m.sum.aggregation_temporality)
                    metric.data_points = [_point("number", p) for p in m.sum.data_points]
                elif which == "gauge":
                    metric.data_type = "Gauge"
                    metric.data_points = [_point("number", p) for p in m.gauge.data_points]
                elif which == "histogram":
                    metric.data_type = "Histogram"
                    metric.temporality = _TEMPORALITY.get(m.histogram.aggregation_temporality)
                    metric.data_points = [_point("histogram", p) for p in m.histogram.data_points]
                elif which == "exponential_histogram":
                    metric.data_type = "ExponentialHistogram"
                    metric.temporality = _TEMPORALITY.get(m.exponential_histogram.aggregation_temporality)
                    metric.data_points = [_point("exponential_histogram", p)
                                          for p in m.exponential_histogram.data_points]
                elif which == "summary":
                    metric.data_type = "Summary"
                    metric.data_points = [_point("summary", p) for p in m.summary.data_points]
    return _link(batch)


def _hex_ids_to_base64(node: Any) -> Any:
    """OTLP/JSON writes trace and span ids as hex; protobuf's JSON mapping wants base64."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ("traceId", "spanId", "trace_id", "span_id") and isinstance(v, str):
                try:
                    v = base64.b64encode(bytes.fromhex(v)).decode()
                except ValueError:
                    pass
            out[k] = _hex_ids_to_base64(v)
        return out
    if isinstance(node, list):
        return [_hex_ids_to_base64(x) for x in node]
    return node


def _decode(rec: ReceivedRequest) -> None:
    body = rec.body
    enc = rec.content_encoding.lower()
    try:
        if enc in ("", "identity"):
            pass
        elif enc == "gzip":
            body = gzip.decompress(body)
        elif enc == "deflate":
            body = zlib.decompress(body)
        elif enc == "zstd":
            # A stream reader: frames need not state their content size.
            body = zstandard.ZstdDecompressor().stream_reader(body).read()
        else:
            rec.error = f"unsupported content encoding {rec.content_encoding!r}"
            return
    except (OSError, EOFError, zlib.error, zstandard.ZstdError) as e:
        rec.error = f"cannot decompress ({rec.content_encoding}): {e}"
        return
    rec.decoded_body = body
    ctype = rec.content_type.split(";")[0].strip().lower()
    msg = ExportMetricsServiceRequest()
    if rec.transport == "grpc" or ctype in ("application/x-protobuf", "application/protobuf"):
        rec.encoding = "protobuf"
        try:
            msg.ParseFromString(body)
        except Exception as e:  # google.protobuf.message.DecodeError and friends
            rec.error = f"invalid protobuf: {e}"
            return
    elif ctype == "application/json":
        rec.encoding = "json"
        try:
            doc = _hex_ids_to_base64(json.loads(body))
            text = json.dumps(doc)
            try:
                json_format.Parse(text, msg)
            except json_format.ParseError as strict:
                msg = ExportMetricsServiceRequest()
                json_format.Parse(text, msg, ignore_unknown_fields=True)
                rec.json_strict_error = str(strict)
        except (ValueError, json_format.ParseError) as e:
            rec.error = f"invalid OTLP/JSON: {e}"
            return
    else:
        rec.error = f"unsupported content type {rec.content_type!r}"
        return
    rec.message = msg


def _status_body(code: int, message: str, details: list | None = None) -> status_pb2.Status:
    st = status_pb2.Status(code=code, message=message)
    for d in details or []:
        a = AnyProto()
        a.Pack(d)
        st.details.append(a)
    return st


def _retry_info(seconds: float) -> error_details_pb2.RetryInfo:
    whole = int(seconds)
    return error_details_pb2.RetryInfo(retry_delay=Duration(seconds=whole, nanos=int((seconds - whole) * 1e9)))


def _export_response(resp: Response) -> ExportMetricsServiceResponse:
    out = ExportMetricsServiceResponse()
    if resp.partial_success is not None:
        out.partial_success.rejected_data_points = resp.partial_success[0]
        out.partial_success.error_message = resp.partial_success[1]
    return out


def _cn(subject) -> str | None:
    for rdn in subject or ():
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


# --------------------------------------------------------------------------- HTTP


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, addr, receiver: "Receiver", ssl_context: ssl.SSLContext | None):
        self.receiver = receiver
        self.ssl_context = ssl_context
        super().__init__(addr, _HttpHandler)

    def get_request(self):
        sock, addr = self.socket.accept()
        with self.receiver._lock:
            self.receiver.connections += 1
            self.receiver._open_sockets.add(sock)
        if self.ssl_context is not None:   # handshake later, in the connection's own thread
            try:
                sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            except (OSError, ValueError) as e:
                self.receiver._record_tls_error(addr, e)
                sock.close()
                raise
            with self.receiver._lock:
                self.receiver._open_sockets.add(sock)
        return sock, addr

    def handle_error(self, request, client_address):   # a client going away is not an error here
        pass


class _HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.client_cn = None
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(10)
            try:
                self.connection.do_handshake()
            except (OSError, ValueError) as e:
                self.server.receiver._record_tls_error(self.client_address, e)
                raise
            self.client_cn = _cn((self.connection.getpeercert() or {}).get("subject"))
        self.connection.settimeout(60)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        rx = self.server.receiver
        body = self._read_body()
        headers: dict[str, str] = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        rec = ReceivedRequest(
            transport="http", method="POST", path=self.path, headers=headers, body=body,
            content_type=headers.get("content-type", ""), content_encoding=headers.get("content-encoding", ""),
            received_at=time.monotonic(), peer=f"{self.client_address[0]}:{self.client_address[1]}",
            tls=isinstance(self.connection, ssl.SSLSocket), client_cert_cn=self.client_cn)
        if self.path.split("?")[0] == rx.http_path:
            _decode(rec)
        else:
            rec.error = f"unexpected path {self.path!r}"
        resp = rx._next_response()
        rec.response = resp
        rx._add(rec)

        if resp.black_hole:
            rx._stopping.wait()
            self.close_connection = True
            return
        if resp.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if resp.delay_s and rx._stopping.wait(resp.delay_s):
            self.close_connection = True
            return

        status = resp.status
        if rec.error is not None and resp.status == 200 and not rx.accept_undecodable:
            status = 404 if rec.error.startswith("unexpected path") else (
                415 if rec.error.startswith("unsupported content type") else 400)
        json_answer = rec.encoding == "json"
        if resp.body is not None:
            payload = resp.body
        elif 200 <= status < 300:
            answer = _export_response(resp)
            payload = json_format.MessageToJson(answer, indent=None).encode() if json_answer \
                else answer.SerializeToString()
        else:
            details = [_retry_info(float(resp.retry_after))] if isinstance(resp.retry_after, (int, float)) else []
            st = _status_body(HTTP_TO_GRPC.get(status, grpc.StatusCode.UNKNOWN).value[0],
                              resp.message or rec.error or f"status {status}", details)
            payload = json_format.MessageToJson(st, indent=None).encode() if json_answer else st.SerializeToString()
        rx._answered(rec, status, None)   # before sending: the client may look right after
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if json_answer else "application/x-protobuf")
        if resp.unframed:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(payload)))
        if resp.retry_after is not None:
            ra = resp.retry_after
            self.send_header("Retry-After", str(int(ra)) if isinstance(ra, (int, float)) else str(ra))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def do_GET(self) -> None:
        # Recorded, so a test can tell that a client sent nothing here: a
        # client following a 301/302 would come back with a GET.
        rx = self.server.receiver
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        rec = ReceivedRequest(
            transport="http", method=self.command, path=self.path, headers=headers, body=body,
            received_at=time.monotonic(), peer=f"{self.client_address[0]}:{self.client_address[1]}",
            tls=isinstance(self.connection, ssl.SSLSocket), error=f"unexpected method {self.command}")
        rx._add(rec)
        rx._answered(rec, 405, None)
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = do_PATCH = do_GET


# --------------------------------------------------------------------------- gRPC


def _grpc_handler(rx: "Receiver"):
    def export(raw: bytes, context: grpc.ServicerContext) -> bytes:
        headers: dict[str, str] = {}
        for k, v in context.invocation_metadata():
            v = v.decode("latin-1") if isinstance(v, bytes) else v
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        auth = context.auth_context()
        cn = auth.get("x509_common_name")
        rec = ReceivedRequest(
            transport="grpc", method=GRPC_METHOD, path=GRPC_METHOD, headers=headers, body=raw,
            content_type=headers.get("content-type", "application/grpc"),
            received_at=time.monotonic(),
            peer=context.peer(), tls=auth.get("transport_security_type") == [b"ssl"],
            client_cert_cn=cn[0].decode() if cn else None)
        rec.content_encoding = ""   # grpcio already decompressed the message
        _decode(rec)
        rec.content_encoding = headers.get("grpc-encoding", "")
        resp = rx._next_response()
        rec.response = resp
        rx._add(rec)

        def wait(seconds: float | None) -> bool:
            """True when the wait was cut short (receiver stopping or client gone)."""
            end = None if seconds is None else time.monotonic() + seconds
            while end is None or time.monotonic() < end:
                if rx._stopping.wait(0.05) or not context.is_active():
                    return True
            return False

        if resp.black_hole:
            wait(None)
            context.abort(grpc.StatusCode.UNAVAILABLE, "receiver stopped")
        if resp.drop:
            context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped by the test receiver")
        if resp.delay_s and wait(resp.delay_s):
            context.abort(grpc.StatusCode.UNAVAILABLE, "receiver stopped")

        code = resp.grpc_status()
        if rec.error is not None and code == grpc.StatusCode.OK and not rx.accept_undecodable:
            code = grpc.StatusCode.INVALID_ARGUMENT
        if code == grpc.StatusCode.OK:
            rx._answered(rec, resp.status, code.name)
            return resp.body if resp.body is not None else _export_response(resp).SerializeToString()
        message = resp.message or rec.error or f"status {resp.status}"
        if isinstance(resp.retry_after, (int, float)):
            st = _status_body(code.value[0], message, [_retry_info(float(resp.retry_after))])
            context.set_trailing_metadata((("grpc-status-details-bin", st.SerializeToString()),))
        rx._answered(rec, resp.status, code.name)
        context.abort(code, message)

    return grpc.method_handlers_generic_handler(
        GRPC_SERVICE, {"Export": grpc.unary_unary_rpc_method_handler(export)})


# --------------------------------------------------------------------------- receiver


class Receiver(Queries):
    """See the module docstring. ``server_cert`` (a ``certs.CertKey`` or a
    (cert_path, key_path) pair) turns on TLS for both transports; ``client_ca`` (a
    path or CertKey) additionally requires client certificates signed by it (mTLS).
    ``accept_undecodable``: answer 200 even when a request could not be decoded
    (normally 400/404/415 and INVALID_ARGUMENT).

    gRPC limits (grpcio): the request's compression is not visible (grpcio strips
    ``grpc-encoding`` and decompresses); ``grpc_gzip=False`` makes the server accept
    only uncompressed messages, so a client that gzips gets UNIMPLEMENTED, which is
    how a test can tell. Failed gRPC TLS handshakes are not reported in
    ``tls_errors`` (HTTP ones are). ``Response(drop=True)`` on gRPC answers
    UNAVAILABLE (grpcio cannot cut the connection from a handler)."""

    def __init__(self, *, host: str = "127.0.0.1", http: bool = True, grpc: bool = True,
                 http_port: int = 0, grpc_port: int = 0, http_path: str = "/v1/metrics",
                 server_cert: Any = None, client_ca: Any = None, default: Response | None = None,
                 accept_undecodable: bool = False, grpc_workers: int = 16, grpc_gzip: bool = True,
                 grpc_options: Sequence[tuple[str, Any]] = ()) -> None:
        self.host = host
        self.enable_http, self.enable_grpc = http, grpc
        self.http_port, self.grpc_port = http_port, grpc_port
        self.http_path = http_path
        self.server_cert = self._pair(server_cert) if server_cert is not None else None
        self.client_ca = Path(getattr(client_ca, "cert_path", client_ca)) if client_ca is not None else None
        if self.client_ca is not None and self.server_cert is None:
            raise ValueError("client_ca (mTLS) needs server_cert")
        self.default = default or Response()
        self.accept_undecodable = accept_undecodable
        self.grpc_workers = grpc_workers
        self.grpc_gzip = grpc_gzip
        self.grpc_options = list(grpc_options)
        self._lock = threading.Lock()
        self._queue: list[Response] = []
        self._requests: list[ReceivedRequest] = []
        self._stopping = threading.Event()
        self._open_sockets: set = set()
        self._http: _HttpServer | None = None
        self._http_thread: threading.Thread | None = None
        self._grpc: grpc.Server | None = None
        self.connections = 0               # TCP connections accepted by the HTTP server
        self.tls_errors: list[str] = []    # failed TLS handshakes ("peer: reason")
        self._batch_cache: tuple[int, list[Batch]] = (0, [])

    def _grpc_server_options(self) -> list[tuple[str, Any]]:
        opts: list[tuple[str, Any]] = [("grpc.so_reuseport", 0)]
        if not self.grpc_gzip:   # identity only: a gzip-compressing client gets UNIMPLEMENTED
            opts.append(("grpc.compression_enabled_algorithms_bitset", 1))
        return opts + self.grpc_options

    @staticmethod
    def _pair(cert) -> tuple[Path, Path]:
        if hasattr(cert, "cert_path"):
            return Path(cert.cert_path), Path(cert.key_path)
        c, k = cert
        return Path(c), Path(k)

    @property
    def tls(self) -> bool:
        return self.server_cert is not None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def http_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.http_port}"

    @property
    def metrics_url(self) -> str:
        return f"{self.http_url}{self.http_path}"

    @property
    def grpc_endpoint(self) -> str:
        return f"{self.host}:{self.grpc_port}"

    @property
    def grpc_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.grpc_port}"

    # lifecycle
    def start(self) -> "Receiver":
        self._stopping.clear()
        try:
            if self.enable_http:
                ctx = None
                if self.server_cert is not None:
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.load_cert_chain(*map(str, self.server_cert))
                    if self.client_ca is not None:
                        ctx.verify_mode = ssl.CERT_REQUIRED
                        ctx.load_verify_locations(cafile=str(self.client_ca))
                self._http = _HttpServer((self.host, self.http_port), self, ctx)
                self.http_port = self._http.server_address[1]
                self._http_thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                                                     name=f"otlp-http-{self.http_port}", daemon=True)
                self._http_thread.start()
            if self.enable_grpc:
                self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=self.grpc_workers),
                                         handlers=[_grpc_handler(self)],
                                         options=self._grpc_server_options())
                addr = f"{self.host}:{self.grpc_port}"
                if self.server_cert is not None:
                    cert, key = self.server_cert
                    creds = grpc.ssl_server_credentials(
                        [(key.read_bytes(), cert.read_bytes())],
                        root_certificates=self.client_ca.read_bytes() if self.client_ca else None,
                        require_client_auth=self.client_ca is not None)
                    port = self._grpc.add_secure_port(addr, creds)
                else:
                    port = self._grpc.add_insecure_port(addr)
                if not port:
                    raise OSError(f"gRPC server could not bind {addr}")
                self.grpc_port = port
                self._grpc.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stops both servers; requests held (black hole, delay) are released first."""
        self._stopping.set()
        if self._grpc is not None:
            self._grpc.stop(grace=min(1.0, timeout_s)).wait(timeout_s)
            self._grpc = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            with self._lock:
                socks, self._open_sockets = list(self._open_sockets), set()
            for s in socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    s.close()
                except OSError:
                    pass
            if self._http_thread is not None:
                self._http_thread.join(timeout_s)
            self._http = None

    close = stop

    def __enter__(self) -> "Receiver":
        if self._http is None and self._grpc is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # programming
    def program(self, *responses: Response) -> None:
        """Queues one-shot answers for the next requests (either transport), in order."""
        with self._lock:
            self._queue.extend(responses)

    def respond(self, status: int = 200, *, times: int | None = None, **kw: Any) -> None:
        """``times=None``: the new default answer; ``times=n``: the next n requests."""
        r = Response(status, **kw)
        if times is None:
            self.set_default(r)
        else:
            self.program(*[copy.copy(r) for _ in range(times)])

    def set_default(self, response: Response) -> None:
        with self._lock:
            self.default = response

    def pending_responses(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next_response(self) -> Response:
        with self._lock:
            return self._queue.pop(0) if self._queue else self.default

    def _add(self, rec: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(rec)

    def _answered(self, rec: ReceivedRequest, status: int | None, grpc_code: str | None) -> None:
        rec.status, rec.grpc_code, rec.answered_at = status, grpc_code, time.monotonic()

    def _record_tls_error(self, addr, err: Exception) -> None:
        with self._lock:
            self.tls_errors.append(f"{addr[0]}:{addr[1]}: {err}")

    # what arrived
    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self.tls_errors.clear()
            self._batch_cache = (0, [])

    def messages(self) -> list[ExportMetricsServiceRequest]:
        return [r.message for r in self.requests if r.message is not None]

    def batches(self) -> list[Batch]:
        """Every decoded request in arrival order, in the model Rotel's parser uses."""
        reqs = [r for r in self.requests if r.message is not None]
        n, cached = self._batch_cache
        if n != len(reqs) or len(cached) != len(reqs):
            cached = cached[:n] + [self._to_batch(r, i) for i, r in enumerate(reqs) if i >= n]
            self._batch_cache = (len(reqs), cached)
        return list(cached)

    @staticmethod
    def _to_batch(rec: ReceivedRequest, seq: int) -> Batch:
        b = request_to_batch(rec.message, seq)
        b.request = rec
        return b

    def wait_for_requests(self, n: int = 1, timeout_s: float = 10.0, *,
                          predicate: Callable[[ReceivedRequest], bool] | None = None,
                          since: int = 0, answered: bool = False) -> list[ReceivedRequest]:
        """Waits until at least ``n`` requests (after the first ``since``, matching
        ``predicate``; with ``answered`` only those already answered) arrived."""
        def probe():
            rs = [r for r in self.requests[since:] if (predicate is None or predicate(r))
                  and (not answered or r.answered_at is not None)]
            return rs if len(rs) >= n else None
        return wait_until(probe, timeout_s,
                          describe=lambda: f"{n} request(s); got {len(self.requests) - since} "
                                           f"(tls errors: {self.tls_errors})")

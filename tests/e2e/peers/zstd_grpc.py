"""An OTLP gRPC receiver that decodes zstd: tonic's own gRPC server with the
MetricsService opentelemetry-proto generates (tests/peers/zstd-grpc-receiver,
a Rust program of its own workspace, built here on first use). grpcio, which
the programmable receiver is built on, and the rotel collector both refuse
zstd-compressed gRPC messages.

    with ZstdGrpcReceiver() as rx:
        ...  # export to rx.url over gRPC with OTEL_EXPORTER_OTLP_COMPRESSION=zstd
        rx.wait_for_requests(1)
        encoding, request = rx.requests[0]    # "zstd", an ExportMetricsServiceRequest
"""

from __future__ import annotations

import base64
import subprocess
import threading
from pathlib import Path

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from .rotel import wait_until

ROOT = Path(__file__).resolve().parents[3]
CRATE = ROOT / "tests" / "peers" / "zstd-grpc-receiver"
BINARY = CRATE / "target" / "release" / "zstd-grpc-receiver"

__all__ = ["ZstdGrpcReceiver", "build"]


def build() -> Path:
    """Builds the receiver (cargo does nothing when it is up to date)."""
    subprocess.run(["cargo", "build", "--release", "--quiet", "--locked", "--manifest-path", str(CRATE / "Cargo.toml")],
                   check=True, timeout=1800)
    return BINARY


class ZstdGrpcReceiver:
    def __init__(self, *, zstd: bool = True) -> None:
        self.zstd = zstd
        self.requests: list[tuple[str, ExportMetricsServiceRequest]] = []
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ZstdGrpcReceiver":
        args = [str(build())] + ([] if self.zstd else ["--no-zstd"])
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        first = self._proc.stdout.readline().split()   # blocks until bound (or the program died: EOF)
        if first[:1] != ["listening"]:
            self.stop()
            raise RuntimeError(f"zstd-grpc-receiver did not start: {first!r}")
        self.port = int(first[1])
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        for line in self._proc.stdout:
            kind, encoding, body = line.split()
            assert kind == "request", line
            request = ExportMetricsServiceRequest.FromString(base64.b64decode(body))
            with self._lock:
                self.requests.append((encoding, request))

    def wait_for_requests(self, n: int = 1, timeout_s: float = 10.0) -> list[tuple[str, ExportMetricsServiceRequest]]:
        def got():
            with self._lock:
                return list(self.requests) if len(self.requests) >= n else None
        return wait_until(got, timeout_s, describe=lambda: f"{n} request(s) at the zstd gRPC receiver, got {len(self.requests)}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
        if self._proc is not None:
            self._proc.wait(timeout=10)

    def __enter__(self) -> "ZstdGrpcReceiver":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""An OTLP/HTTP sink for the export benchmark: accepts POST /v1/metrics,
answers 200 with an empty ExportMetricsServiceResponse, and remembers each
request's body size (bytes on the wire, before HTTP framing).
GET /stats returns and clears them as JSON. It runs in its own process so
that the exporters' CPU time (RUSAGE_SELF) does not include it.
Usage: python sink.py PORT"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sizes: list[int] = []


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        sizes.append(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        body = json.dumps(sizes).encode()
        sizes.clear()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()

"""A small application that knows only the OpenTelemetry API: a WSGI server
(wsgiref) wrapped by opentelemetry-instrumentation-wsgi, called over HTTP by
``requests`` instrumented by opentelemetry-instrumentation-requests, system
and runtime metrics from opentelemetry-instrumentation-system-metrics, and a
few instruments of its own (one made before the provider is set, through the
API's proxy).

    python instrumented_app.py MODE OTLP_GRPC_ENDPOINT PORT

PORT 0 lets the OS choose the server's port; the first line printed names it.

MODE picks the metrics SDK: "sdk" (the Python SDK and its OTLP gRPC
exporter), "otelmetrics" (otelmetrics.api.MeterProvider, OTLP gRPC), or
"preset" (none: a provider was set before the program ran, e.g. by
``opentelemetry-instrument``). Either way it exports once, at shutdown.
Everything it records is deterministic except what the system metrics read.
"""

from __future__ import annotations

import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import numpy
import requests
from opentelemetry import metrics
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.system_metrics import SystemMetricsInstrumentor
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware

mode, endpoint, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

# made before any provider is set: the API hands out proxies that must record later
early = metrics.get_meter("shop.early", "0.1").create_counter("shop.early.orders", "{order}", "orders seen early")


def make_provider(mode: str):
    if mode == "sdk":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=endpoint, insecure=True),
                                               export_interval_millis=3_600_000)
        return MeterProvider(metric_readers=[reader])
    if mode == "otelmetrics":
        import otelmetrics.api
        return otelmetrics.api.MeterProvider(exporters=["otlp"], otlp_endpoint=endpoint, otlp_protocol="grpc",
                                             export_interval_millis=3_600_000)
    return None


provider = make_provider(mode)
if provider is not None:
    metrics.set_meter_provider(provider)
SystemMetricsInstrumentor().instrument()
RequestsInstrumentor().instrument()

meter = metrics.get_meter("shop", "1.0")
sold = meter.create_counter("shop.fruit.sold", "{fruit}", "fruits sold")
revenue = meter.create_counter("shop.revenue", "EUR", "money taken")
stock = meter.create_up_down_counter("shop.stock", "{fruit}", "fruits in stock")
basket = meter.create_histogram("shop.basket.size", "{fruit}", "fruits per basket",
                                explicit_bucket_boundaries_advisory=[1, 5, 10])
temperature = meter.create_gauge("shop.temperature", "Cel", "room temperature")
meter.create_observable_gauge("shop.queue.length", [lambda options: [metrics.Observation(4, {"till": "1"}),
                                                                     metrics.Observation(2, {"till": "2"})]])
meter.create_observable_counter("shop.door.openings", [lambda options: [metrics.Observation(17)]])
meter.create_observable_up_down_counter("shop.customers.inside",
                                        [lambda options: [metrics.Observation(3.5, {"floor": 0})]])


def shop(environ, start_response):
    path = environ["PATH_INFO"]
    status = {"/missing": "404 Not Found", "/fail": "500 Internal Server Error"}.get(path, "200 OK")
    if path.startswith("/buy/"):
        fruit = path.rsplit("/", 1)[1]
        sold.add(2, {"fruit": fruit, "paid": True})
        revenue.add(1.25, {"fruit": fruit})
        stock.add(-2, {"fruit": fruit})
        basket.record(2, {"fruit": fruit})
    body = f"{status}\n".encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):   # keep the program's output to what the test reads
        pass


server = make_server("127.0.0.1", port, OpenTelemetryMiddleware(shop), handler_class=QuietHandler)
port = server.server_port
print("serving on", port, flush=True)
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()

stock.add(50, {"fruit": "apple"})
stock.add(30, {"fruit": "lemon"})
early.add(1, {"channel": "web"})
temperature.set(21, {"room": "shop"})
temperature.set(19, {"room": "shop"})
# ints and floats on one instrument, in both orders (the SDK keeps one
# aggregation per attribute set: an integer until a float comes)
weight = meter.create_counter("shop.weight.sold", "kg", "weight sold")
weight.add(2, {"fruit": "apple"})
weight.add(0.5, {"fruit": "apple"})
weight.add(3, {"fruit": "lemon"})
weight.add(numpy.float64(1.25), {"fruit": "melon"})
tips = meter.create_counter("shop.tips", "EUR", "tips taken")
tips.add(0.5, {"till": "1"})
tips.add(2, {"till": "1"})
tips.add(3, {"till": "2"})
price = meter.create_gauge("shop.display.price", "EUR", "price on the display")
price.set(7, {"fruit": "apple"})
price.set(1.5, {"fruit": "apple"})
price.set(1.5, {"fruit": "lemon"})
price.set(3, {"fruit": "lemon"})
crates = meter.create_up_down_counter("shop.crates", "{crate}", "crates in the back")
crates.add(5)
crates.add(-1.5)
crates.add(True)   # a bool is an int to the SDK
basket.record(12.5, {"fruit": "melon"})
session = requests.Session()
for url, method in [("/buy/apple", "GET")] * 3 + [("/buy/lemon", "POST")] * 2 + \
                   [("/missing", "GET")] * 2 + [("/fail", "GET")] + [("/", "GET")]:
    r = session.request(method, f"http://127.0.0.1:{port}{url}", timeout=10)
    print(method, url, r.status_code)
server.shutdown()
server.server_close()

if provider is not None:
    provider.shutdown()   # the one export
print("done")

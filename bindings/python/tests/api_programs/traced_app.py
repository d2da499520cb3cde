"""An application traced with the Python SDK (a real TracerProvider) and
metered through the OpenTelemetry API, recording inside spans.

    python traced_app.py MODE OTLP_GRPC_ENDPOINT

MODE "otelmetrics": the meter provider is whatever OTEL_PYTHON_METER_PROVIDER
selects (the test sets ``otelmetrics``); "sdk": the Python SDK's, with its
OTLP gRPC exporter. It prints the ids of its spans ("<name> <trace> <span>")
and exports once, at exit.
"""

from __future__ import annotations

import sys

from opentelemetry import metrics, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

mode, endpoint = sys.argv[1], sys.argv[2]
if mode == "sdk":
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=endpoint, insecure=True),
                                           export_interval_millis=3_600_000)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))

trace.set_tracer_provider(TracerProvider())
tracer = trace.get_tracer("shop")
unsampled_tracer = TracerProvider(sampler=ParentBased(ALWAYS_OFF)).get_tracer("shop.quiet")
meter = metrics.get_meter("shop.traced", "1.0")
orders = meter.create_counter("shop.orders", "{order}")
duration = meter.create_histogram("shop.duration", "s", explicit_bucket_boundaries_advisory=[0.1, 1.0])
queue = meter.create_up_down_counter("shop.queue")


def ids(name: str, span: trace.Span) -> None:
    c = span.get_span_context()
    print(f"{name} {c.trace_id:032x} {c.span_id:016x}")


with tracer.start_as_current_span("checkout") as checkout:
    ids("checkout", checkout)
    orders.add(1, {"step": "current"})
    duration.record(0.05, {"step": "current"})
    duration.record(5.0, {"step": "current"})
    queue.add(3)
with tracer.start_as_current_span("refund") as refund:
    ids("refund", refund)
    refund_context = trace.set_span_in_context(refund)
orders.add(2, {"step": "context"}, context=refund_context)   # outside any current span
orders.add(1, {"step": "none"})
with unsampled_tracer.start_as_current_span("quiet"):
    orders.add(1, {"step": "unsampled"})
metrics.get_meter_provider().shutdown()
print("done")

"""Records ints and floats, in both orders, on the OpenTelemetry API's sums
and gauges (and numpy floats after ints), with otelmetrics as the SDK serving
Prometheus; prints ``ready PORT`` and serves until stdin closes. The amounts
and what the Python SDK makes of them are listed in
tests/e2e/test_mixed_number_types.py."""

import sys

import numpy
import otelmetrics.api
from opentelemetry import metrics

provider = otelmetrics.api.MeterProvider(exporters=["prometheus"], prometheus_port=0,
                                         service_name="mixed-types")
metrics.set_meter_provider(provider)
meter = metrics.get_meter("mixed")

sold = meter.create_counter("mixed.sold")            # ints first
sold.add(2, {"k": "a"})
sold.add(0.5, {"k": "a"})
sold.add(3, {"k": "b"})
sold.add(numpy.float64(1.25), {"k": "m"})
weight = meter.create_counter("mixed.weight")        # a float first
weight.add(0.5, {"k": "a"})
weight.add(2, {"k": "a"})
weight.add(3, {"k": "b"})
level = meter.create_gauge("mixed.level")
level.set(7, {"k": "a"})
level.set(1.5, {"k": "a"})
level.set(1.5, {"k": "b"})
level.set(3, {"k": "b"})
temperature = meter.create_gauge("mixed.temperature")
temperature.set(2.5, {"k": "a"})
temperature.set(3, {"k": "a"})
temperature.set(0.25, {"k": "c"})
queue = meter.create_up_down_counter("mixed.queue")
queue.add(5)
queue.add(-1.5)

print("ready", provider.provider.prometheus_port, flush=True)
sys.stdin.read()
provider.shutdown()
print("done")

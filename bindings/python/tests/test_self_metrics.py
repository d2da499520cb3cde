"""The SDK self-metrics of the semantic conventions (``self_metrics=True`` /
``OTELMETRICS_SELF_METRICS``), read where a user reads them: in what the
programmable receiver and the real collector rotel decode, and in a
Prometheus scrape.

Every expected number comes from the wire, not from the library: the points
an export carried are counted in the requests the receiver decoded (a
retried request arrives once per attempt, with the same points).

Each flush is one export; what an export did is recorded after it and so
travels in the next one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request

import pytest

import otelmetrics

EXPORTED = "otel.sdk.exporter.metric_data_point.exported"
INFLIGHT = "otel.sdk.exporter.metric_data_point.inflight"
OPERATION = "otel.sdk.exporter.operation.duration"
COLLECTION = "otel.sdk.metric_reader.collection.duration"
SELF = {EXPORTED, INFLIGHT, OPERATION, COLLECTION}


@pytest.fixture(scope="module")
def receiver_module(e2e_peers):
    from peers import receiver
    return receiver


def points_in(message) -> int:
    return sum(len(getattr(m, m.WhichOneof("data")).data_points)
               for rm in message.resource_metrics for sm in rm.scope_metrics for m in sm.metrics)


def by_error(metric) -> dict:
    """Data points of one self-metric by their error.type (None: success)."""
    out = {}
    for p in metric.data_points:
        key = p.attributes.get("error.type")
        assert key not in out, f"two {metric.name} points with error.type={key}"
        out[key] = p
    return out


def one_metric(batch, name):
    (metric,) = batch.metrics(name)
    assert metric.scope.name == "otelmetrics"
    return metric


def flush(provider, ok=True):
    if ok:
        provider.force_flush(timeout_millis=15_000)
    else:
        with pytest.raises(otelmetrics.errors.OtelmetricsError):
            provider.force_flush(timeout_millis=15_000)


def test_delivered_rejected_retried_and_lost_points_by_the_conventions(receiver_module):
    R = receiver_module
    with R.Receiver(grpc=False) as rx:
        port = int(rx.metrics_url.split(":")[2].split("/")[0])
        with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=rx.metrics_url, otlp_protocol="http/protobuf",
                                       export_interval_millis=3_600_000, export_timeout_millis=2_500,
                                       self_metrics=True) as p:
            work = p.get_meter("app").create_counter("work")
            for i in range(5):
                work.add(i + 1, {"series": str(i)})

            flush(p)                                                     # A: delivered
            rx.program(R.Response(200, partial_success=(2, "two points refused")))
            flush(p, ok=False)                                           # B: 2 rejected, the rest delivered
            rx.program(R.Response(503))
            flush(p)                                                     # C: 503, retried, delivered
            rx.set_default(R.Response(503))
            flush(p, ok=False)                                           # D: 503 until the deadline: lost
            rx.set_default(R.Response(200))
            flush(p)                                                     # E: carries what A..D did
            requests = rx.requests

        # Taken before shutdown, whose export would follow E.
        a, b, c1, c2, *d, e = requests
        exports = [[a], [b], [c1, c2], d, [e]]
        assert [q.status for q in requests[:4]] == [200, 200, 503, 200]
        assert len(d) >= 2 and all(q.status == 503 for q in d), [q.status for q in requests]
    n = {name: points_in(qs[0].message) for name, qs in zip("ABCDE", exports)}
    assert c1.decoded_body == c2.decoded_body and all(q.decoded_body == d[0].decoded_body for q in d)
    # The self-metrics as of collection E (a single request: nothing to split).
    batch = R.request_to_batch(e.message)

    exported = one_metric(batch, EXPORTED)
    assert (exported.data_type, exported.is_monotonic, exported.unit) == ("Sum", True, "{data_point}")
    points = by_error(exported)
    assert set(points) == {None, "rejected", "503"}
    assert points[None].value == n["A"] + (n["B"] - 2) + n["C"]     # each point once, retries or not
    assert points["rejected"].value == 2
    assert points["503"].value == n["D"]
    for point in points.values():
        assert point.attributes["otel.component.type"] == "otlp_http_metric_exporter"
        assert point.attributes["otel.component.name"] == "otlp_http_metric_exporter/0"
        assert point.attributes["server.address"] == "127.0.0.1" and point.attributes["server.port"] == port

    inflight = one_metric(batch, INFLIGHT)
    assert (inflight.data_type, inflight.is_monotonic, inflight.unit) == ("Sum", False, "{data_point}")
    (held,) = inflight.data_points
    assert held.value == 0 and held.attributes["otel.component.name"] == "otlp_http_metric_exporter/0"

    operation = one_metric(batch, OPERATION)
    assert (operation.data_type, operation.unit) == ("Histogram", "s")
    durations = by_error(operation)
    assert {k: v.count for k, v in durations.items()} == {None: 2, "rejected": 1, "503": 1}   # one per export
    # The status of each export's last answer (C's was the 200 after its 503).
    assert {k: v.attributes["http.response.status_code"] for k, v in durations.items()} == \
        {None: 200, "rejected": 200, "503": 503}
    # The conventions' advice: no boundaries, so one bucket (OTLP writes it
    # as no bucket counts at all, the proto's form for "count and sum only").
    assert all(v.explicit_bounds == [] and v.bucket_counts in ([], [v.count]) for v in durations.values()), \
        [(v.explicit_bounds, v.bucket_counts, v.count) for v in durations.values()]
    # The lost export's one observation spans its retries and backoff.
    assert durations["503"].sum >= d[-1].received_at - d[0].received_at
    assert durations["503"].attributes["server.port"] == port

    collection = one_metric(batch, COLLECTION)
    assert (collection.data_type, collection.unit) == ("Histogram", "s")
    (collected,) = collection.data_points
    assert collected.count == 4          # collections A..D (E's is recorded after E)
    assert collected.attributes == {"otel.component.type": "periodic_metric_reader",
                                    "otel.component.name": "periodic_metric_reader/0"}
    assert collected.sum > 0


def test_rotel_receives_them_and_a_collector_outage_is_counted_after_its_retries(e2e_peers, tmp_path):
    def metric_names(batch):
        return {m.name for m in batch.metrics()}

    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=rotel.grpc_url, otlp_protocol="grpc",
                                       export_interval_millis=3_600_000, export_timeout_millis=2_000,
                                       otlp_timeout_millis=1_000, self_metrics=True) as p:
            p.get_meter("app").create_counter("work").add(1, {"k": "v"})
            flush(p)                                          # 1: delivered
            # rotel logs a request line by line after answering it: let it
            # log the whole first export (its series and the inflight gauge;
            # the rest is recorded after it) before it is stopped.
            def first_export_logged():
                assert metric_names(rotel.batches()[0]) == {"work", INFLIGHT}
            e2e_peers.eventually(first_export_logged, timeout_s=15)
            rotel.stop()
            flush(p, ok=False)                                # 2: the collector is down: lost after retries
            rotel.restart()                                   # the same ports
            flush(p)                                          # 3: delivered, and says what 1 and 2 did

            def third_export_tells_what_happened():
                first, third = rotel.batches()   # read before shutdown's export follows
                n1 = sum(len(m.data_points) for m in first.metrics())
                n3 = sum(len(m.data_points) for m in third.metrics())
                points = by_error(one_metric(third, EXPORTED))
                # A collector that is down refuses the connection: `transport`,
                # as over HTTP (not tonic's UNAVAILABLE).
                assert set(points) == {None, "transport"}, points
                assert points[None].value == n1
                # Export 2 held every series of export 3 but the two its failure
                # made (exported and operation.duration with error.type).
                assert points["transport"].value == n3 - 2
                assert points[None].attributes["otel.component.type"] == "otlp_grpc_metric_exporter"
                assert points[None].attributes["server.port"] == int(rotel.grpc_url.rsplit(":", 1)[1])
                operation = by_error(one_metric(third, OPERATION))
                assert {k: v.count for k, v in operation.items()} == {None: 1, "transport": 1}
                # The server's status when it answered; none when nothing answered.
                assert operation[None].attributes["rpc.response.status_code"] == "OK"
                assert "rpc.response.status_code" not in operation["transport"].attributes
                assert one_metric(third, INFLIGHT).data_points[0].value == 0
                assert one_metric(third, COLLECTION).data_points[0].count == 2

            e2e_peers.eventually(third_export_tells_what_happened, timeout_s=15)


def self_metric_points(snapshot: dict, name: str) -> list[dict]:
    """The data points of one self-metric in a `read_json` snapshot, with
    their attributes as a plain dict."""
    def value(v):
        return next(iter(v.values()))
    out = []
    for rm in snapshot["resourceMetrics"]:
        for sm in rm["scopeMetrics"]:
            for m in sm["metrics"]:
                if m["name"] == name:
                    data = m.get("sum") or m.get("histogram")
                    for p in data["dataPoints"]:
                        p = dict(p, attributes={a["key"]: value(a["value"]) for a in p["attributes"]})
                        out.append(p)
    return out


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
@pytest.mark.parametrize("cause", ["timeout", "transport"])
def test_the_same_cause_gets_the_same_error_type_over_both_transports_every_time(receiver_module, protocol, cause):
    """A request out of time is `timeout` and a refused connection is
    `transport`, over gRPC as over HTTP, in every export (gRPC used to say
    CANCELLED in about half the timeouts, and UNAVAILABLE for refusals)."""
    R = receiver_module
    exports = 5
    with R.Receiver() as rx:
        if cause == "timeout":
            rx.set_default(R.Response(200, delay_s=30))
            endpoint = rx.grpc_url if protocol == "grpc" else rx.metrics_url
        else:   # nothing listens on the discard port here (as elsewhere in the tests)
            endpoint = "http://127.0.0.1:9" + ("" if protocol == "grpc" else "/v1/metrics")
        with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=endpoint, otlp_protocol=protocol,
                                       otlp_timeout_millis=300, export_timeout_millis=1_000, in_memory=True,
                                       export_interval_millis=3_600_000, self_metrics=True) as p:
            p.get_meter("app").create_counter("work").add(1)
            for _ in range(exports):
                flush(p, ok=False)
            snapshot = json.loads(p.read_json())
            rx.set_default(R.Response(200))   # lets shutdown's export go
    causes = {q["attributes"].get("error.type") for q in self_metric_points(snapshot, EXPORTED)}
    assert causes == {cause}, causes
    (operation,) = self_metric_points(snapshot, OPERATION)
    assert operation["attributes"]["error.type"] == cause and int(operation["count"]) == exports
    assert not {"rpc.response.status_code", "http.response.status_code"} & set(operation["attributes"])


def test_prometheus_serves_them_beside_otlp(receiver_module):
    R = receiver_module
    with R.Receiver(grpc=False) as rx:
        with otelmetrics.MeterProvider(exporters=["otlp", "prometheus"], prometheus_port=0, otlp_endpoint=rx.metrics_url,
                                       otlp_protocol="http/protobuf", export_interval_millis=3_600_000,
                                       self_metrics=True) as p:
            p.get_meter("app").create_counter("work").add(1)
            flush(p)
            with urllib.request.urlopen(f"http://127.0.0.1:{p.prometheus_port}/metrics", timeout=10) as r:
                text = r.read().decode()
            sent = points_in(rx.requests[0].message)
    want = ('otel_sdk_exporter_metric_data_point_exported_total{otel_component_name="otlp_http_metric_exporter/0",'
            'otel_component_type="otlp_http_metric_exporter"')
    (line,) = [x for x in text.splitlines() if x.startswith(want)]
    assert float(line.rsplit(" ", 1)[1]) == sent
    assert "otel_sdk_exporter_operation_duration_seconds_bucket{" in text
    assert "otel_sdk_metric_reader_collection_duration_seconds_count{" in text
    assert "otel_sdk_exporter_metric_data_point_inflight{" in text


def names_exported(rx) -> set:
    return {m.name for b in rx.batches() for m in b.metrics()}


def test_off_by_default_nothing_is_recorded_or_sent(receiver_module):
    R = receiver_module
    with R.Receiver(grpc=False) as rx:
        with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=rx.metrics_url, in_memory=True,
                                       export_interval_millis=3_600_000) as p:
            p.get_meter("app").create_counter("work").add(1)
            flush(p)
            flush(p)
            snapshot = json.loads(p.read_json())
        assert names_exported(rx) == {"work"}
    scopes = {s["scope"]["name"] for rm in snapshot["resourceMetrics"] for s in rm["scopeMetrics"]}
    assert scopes == {"app"}, "no otelmetrics meter exists when self-metrics are off"


def test_the_environment_variable_turns_them_on(receiver_module, tmp_path):
    R = receiver_module
    with R.Receiver(grpc=False) as rx:
        program = tmp_path / "from_env.py"
        program.write_text(textwrap.dedent("""
            import otelmetrics
            with otelmetrics.MeterProvider.from_env() as p:
                p.get_meter("app").create_counter("work").add(1)
                p.force_flush(timeout_millis=10_000)
        """))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELMETRICS_SELF"))}
        env.update(OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=rx.metrics_url, OTEL_METRIC_EXPORT_INTERVAL="3600000",
                   OTELMETRICS_SELF_METRICS="true", PYTHONPATH=os.pathsep.join(sys.path))
        r = subprocess.run([sys.executable, str(program)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        # The flush's export, then shutdown's, which carries the flush's outcome.
        assert SELF <= names_exported(rx), names_exported(rx)


def test_invalid_values_are_refused():
    with pytest.raises(TypeError):
        otelmetrics.MeterProvider(exporters=["none"], self_metrics="yes")
    with pytest.raises(ValueError):
        otelmetrics.MeterProvider(exporters=["none"], max_export_batch_size=0)

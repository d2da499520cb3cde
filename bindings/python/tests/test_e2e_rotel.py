"""End to end through the real collector rotel: what it decoded matches what
Python recorded; a forked child and its parent each export their own data
once; a process that never calls shutdown still exports at exit (observable
callbacks included) and exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import otelmetrics
from otelmetrics import Observation


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(extra)
    return env


def run_program(source: str, rotel, tmp_path) -> subprocess.CompletedProcess:
    """Runs a Python program with the collector's gRPC URL as its argument."""
    script = tmp_path / "program.py"
    script.write_text(source)
    return subprocess.run([sys.executable, str(script), rotel.grpc_url], env=clean_env(), capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_what_python_records_is_what_rotel_decodes(e2e_peers, tmp_path, protocol):
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        endpoint = rotel.grpc_url if protocol == "grpc" else rotel.metrics_url
        with otelmetrics.MeterProvider(service_name="py-e2e", exporters=["otlp"], otlp_endpoint=endpoint,
                                       otlp_protocol=protocol, export_interval_millis=3_600_000,
                                       resource_attributes={"deployment.environment": "ci"}) as provider:
            meter = provider.get_meter("py.e2e", "1.0")
            counter = meter.create_counter("fruits", "{fruit}", "fruits sold")
            counter.add(3, {"name": "apple", "color": "red"})
            counter.add(2, {"name": "lemon", "color": "yellow"})
            counter.bind({"name": "apple", "color": "red"}).add(4)
            meter.create_up_down_counter("queue", value_type=float).add(-2.5, {"q": "jobs"})
            meter.create_histogram("latency", "ms", explicit_bucket_boundaries_advisory=[10, 100]) \
                .record(42.0, {"route": "/a", "ok": True, "code": 200, "ratio": 0.5})
            meter.create_gauge("temperature", value_type=int).record(-7, {"tags": ["x", "y"]})
            meter.create_observable_gauge("room", callbacks=[lambda o: [Observation(21.5, {"room": "lab"})]])
            provider.force_flush(timeout_millis=10_000)


        def arrived():
            assert rotel.latest_point("fruits", {"name": "apple", "color": "red"}).value == 7
            assert rotel.latest_point("fruits", {"name": "lemon", "color": "yellow"}).value == 2
            (metric,) = rotel.metrics("fruits")[-1:]
            assert (metric.unit, metric.description, metric.is_monotonic) == ("{fruit}", "fruits sold", True)
            assert metric.scope.name == "py.e2e" and metric.scope.version == "1.0"
            assert metric.resource.attributes["service.name"] == "py-e2e"
            assert metric.resource.attributes["deployment.environment"] == "ci"
            assert rotel.latest_point("queue", {"q": "jobs"}).value == -2.5
            hist = rotel.latest_point("latency", {"route": "/a", "ok": True, "code": 200, "ratio": 0.5})
            assert (hist.count, hist.sum, hist.explicit_bounds, hist.bucket_counts) == (1, 42.0, [10.0, 100.0], [0, 1, 0])
            assert rotel.latest_point("temperature", {"tags": ["x", "y"]}).value == -7
            assert rotel.latest_point("room", {"room": "lab"}).value == 21.5

        # rotel logs the export after answering it: wait for all that is read
        e2e_peers.eventually(arrived, timeout_s=15)


FORK_PROGRAM = textwrap.dedent("""
    import os, sys
    import otelmetrics
    provider = otelmetrics.MeterProvider(service_name="forker", exporters=["otlp"], otlp_endpoint=sys.argv[1],
                                         otlp_protocol="grpc", export_interval_millis=3_600_000)
    meter = provider.get_meter("fork")
    work = meter.create_counter("work")
    # registered before the fork: its callback must run in each process
    meter.create_observable_gauge("pid", callbacks=[lambda o: [otelmetrics.Observation(os.getpid())]],
                                  value_type=int)
    work.add(5, {"role": "any"})          # before the fork: the parent's data
    pid = os.fork()
    if pid == 0:
        work.bind({"role": "any"}).add(2)
        provider.shutdown(timeout_millis=10_000)
        os._exit(0)
    work.add(1, {"role": "any"})
    _, status = os.waitpid(pid, 0)
    provider.shutdown(timeout_millis=10_000)
    print(os.getpid(), pid, status)
""")


def test_provider_created_before_fork_works_in_child_and_parent(e2e_peers, tmp_path):
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        r = run_program(FORK_PROGRAM, rotel, tmp_path)
        assert r.returncode == 0, r.stderr
        parent, child, status = map(int, r.stdout.split())
        assert status == 0

        def each_exported_once():
            pids = sorted(p.value for b in rotel.batches() for m in b.metrics("pid") for p in m.data_points)
            assert pids == sorted([parent, child])   # each process exported exactly once
            work = sorted(p.value for p in rotel.points("work", {"role": "any"}))
            # the child starts from nothing (its 2 only: the parent's pre-fork 5 is never
            # sent twice); the parent exports its 5 + 1
            assert work == [2, 6]

        # rotel logs both exports after answering them: wait for what is read
        e2e_peers.eventually(each_exported_once, timeout_s=20)


EXIT_PROGRAM = textwrap.dedent("""
    import sys
    import otelmetrics
    provider = otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=sys.argv[1], otlp_protocol="grpc",
                                         export_interval_millis=3_600_000)
    meter = provider.get_meter("exit")
    meter.create_counter("at_exit").add(11)
    meter.create_observable_gauge("observed_at_exit", callbacks=[lambda o: [otelmetrics.Observation(3.5)]])
    print("recorded")   # no shutdown: the package's atexit hook must export
""")


def test_exit_without_shutdown_exports_and_exits_cleanly(e2e_peers, tmp_path):
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        r = run_program(EXIT_PROGRAM, rotel, tmp_path)
        assert r.returncode == 0 and r.stdout.strip() == "recorded", r.stderr
        assert "Traceback" not in r.stderr and "Fatal" not in r.stderr

        def exported_at_exit():
            assert rotel.latest_point("at_exit").value == 11
            assert rotel.latest_point("observed_at_exit").value == 3.5

        e2e_peers.eventually(exported_at_exit, timeout_s=15)


# A callback that is still running when the shutdown timed out and the exit
# timeout ran out returns after Python finalised; CPython then ends its
# thread with pthread_exit, which must end that thread only (it aborted the
# process, rc 134, when a panic boundary caught the forced unwind).
STUCK_CALLBACK_PROGRAM = textwrap.dedent("""
    import sys, threading, time
    api, when, endpoint = sys.argv[1:4]
    running = threading.Event()

    def stuck(options):
        running.set()
        time.sleep(3)     # past the shutdown timeout and the exit timeout (both well under a second)
        return []

    if api == "package":
        import otelmetrics
        provider = otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint=endpoint, otlp_protocol="grpc",
                                             export_interval_millis=3_600_000)
        meter = provider.get_meter("stuck")
    else:   # the OpenTelemetry API, with otelmetrics as the SDK (OTEL_PYTHON_METER_PROVIDER=otelmetrics)
        from opentelemetry import metrics
        provider = metrics.get_meter_provider()
        assert type(provider).__module__.startswith("otelmetrics"), type(provider)
        meter = metrics.get_meter("stuck")
    meter.create_counter("before_the_stuck_callback").add(11)
    meter.create_observable_gauge("stuck", callbacks=[stuck])
    if when == "shutdown":
        try:
            provider.shutdown(timeout_millis=200)   # times out: the callback is still running
        except Exception as error:
            print(type(error).__name__, file=sys.stderr)
        assert running.wait(30)
    print("done")   # then the exit hook, with the callback still running
""")


@pytest.mark.parametrize("when", ["shutdown", "exit"])
@pytest.mark.parametrize("api", ["package", "opentelemetry"])
def test_callback_still_running_at_exit_does_not_abort(e2e_peers, tmp_path, api, when):
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        script = tmp_path / "program.py"
        script.write_text(STUCK_CALLBACK_PROGRAM)
        env = clean_env(OTELMETRICS_PYTHON_EXIT_TIMEOUT_MS="300", OTEL_METRIC_EXPORT_TIMEOUT="20000",
                        OTEL_PYTHON_METER_PROVIDER="otelmetrics", OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url,
                        OTEL_EXPORTER_OTLP_PROTOCOL="grpc", OTEL_METRIC_EXPORT_INTERVAL="3600000")
        r = subprocess.run([sys.executable, str(script), api, when, rotel.grpc_url], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, f"rc {r.returncode}: {r.stderr}"
        assert r.stdout.strip() == "done", r.stderr
        assert "abort" not in r.stderr.lower() and "FATAL" not in r.stderr and "Traceback" not in r.stderr, r.stderr
        def other_data_exported():   # by the collection the callback held up
            assert rotel.latest_point("before_the_stuck_callback").value == 11

        e2e_peers.eventually(other_data_exported, timeout_s=15)

"""Observable instruments: callbacks report observations, are isolated from
each other's exceptions, stay alive as long as the library may call them,
and are released when the instrument is closed. Diagnostics reach logging."""

from __future__ import annotations

import gc
import logging
import threading

import pytest

import otelmetrics
from otelmetrics import Observation, _observable, errors

from pkg_helpers import read_points


@pytest.mark.parametrize("create, value_type, values, kind", [
    ("create_observable_counter", int, [7], "sum"),
    ("create_observable_counter", float, [2.5], "sum"),
    ("create_observable_up_down_counter", int, [-4], "sum"),
    ("create_observable_up_down_counter", float, [-0.5], "sum"),
    ("create_observable_gauge", float, [21.5], "gauge"),
    ("create_observable_gauge", int, [-3], "gauge"),
    ("create_observable_gauge", "u64", [9], "gauge"),
])
def test_each_observable_kind_reports_its_observations(provider, meter, create, value_type, values, kind):
    seen_options = []

    def callback(options):
        seen_options.append(options)
        return [Observation(v, {"room": "kitchen"}) for v in values]

    instrument = getattr(meter, create)("obs", callbacks=[callback], unit="1", value_type=value_type)
    assert instrument.name == "obs"
    assert read_points(provider, "obs") == [{"attributes": {"room": "kitchen"}, "value": values[-1]}]
    assert seen_options and isinstance(seen_options[0], otelmetrics.CallbackOptions)


def test_generators_and_several_callbacks(provider, meter):
    def rooms(_options):
        yield Observation(20.0, {"room": "a"})
        yield Observation(22.0, {"room": "b"})

    room_c = otelmetrics.Attributes({"room": "c"})
    meter.create_observable_gauge("temp", callbacks=[rooms, lambda o: [Observation(5.0, room_c)]])
    got = {p["attributes"]["room"]: p["value"] for p in read_points(provider, "temp")}
    assert got == {"a": 20.0, "b": 22.0, "c": 5.0}


def test_a_failing_callback_is_logged_and_does_not_stop_the_others(provider, meter, caplog):
    def broken(_options):
        raise RuntimeError("sensor unplugged")

    def half_broken(_options):
        yield Observation(1.0, {"which": "before"})
        raise KeyError("midway")

    meter.create_observable_gauge("g", callbacks=[broken, half_broken, lambda o: [Observation(3.0, {"which": "ok"})]])
    with caplog.at_level(logging.ERROR, logger="otelmetrics"):
        got = {p["attributes"]["which"]: p["value"] for p in read_points(provider, "g")}
    assert got == {"before": 1.0, "ok": 3.0}
    text = caplog.text
    assert "sensor unplugged" in text and "midway" in text


@pytest.mark.parametrize("bad", [
    Observation(-1, {}),                # u64 counter: out of range
    Observation(1.5, {}),               # float for an integer instrument
    Observation(1, {"k": object()}),    # bad attribute
    "not an observation",
])
def test_bad_observations_are_logged_and_skipped(provider, meter, caplog, bad):
    meter.create_observable_counter("c", callbacks=[lambda o: [bad, Observation(4, {"ok": True})]])
    with caplog.at_level(logging.ERROR, logger="otelmetrics"):
        assert read_points(provider, "c") == [{"attributes": {"ok": True}, "value": 4}]
    assert "bad observation" in caplog.text


def test_observation_rejected_by_the_library_is_logged(provider, meter, caplog):
    meter.create_observable_counter("neg", callbacks=[lambda o: [Observation(-1.0)]], value_type=float)
    with caplog.at_level(logging.WARNING, logger="otelmetrics"):
        assert read_points(provider, "neg") == []
    assert "rejected" in caplog.text


def test_callbacks_stay_alive_without_user_references_and_go_with_the_instrument(provider, meter):
    calls = []

    class Callback:
        def __call__(self, _options):
            calls.append(1)
            return [Observation(1)]

    def registered():
        return [r for r in list(_observable._registry.values()) if any(isinstance(c, Callback) for c in r.callbacks)]

    instrument = meter.create_observable_counter("alive", callbacks=[Callback()])
    gc.collect()
    provider.read_json()
    assert calls == [1]   # the callback object had no other reference, yet it ran
    assert len(registered()) == 1
    instrument.close()
    assert registered() == []   # released through the library's free_user_data
    provider.read_json()
    assert calls == [1]   # unregistered: not called again


def test_callbacks_run_on_the_export_thread_during_force_flush(tmp_path):
    threads = []

    def callback(_options):
        threads.append(threading.get_ident())
        return [Observation(1.0)]

    with otelmetrics.MeterProvider(exporters=["console"], console_path=tmp_path / "out.txt",
                                   export_interval_millis=3_600_000) as p:
        p.get_meter("m").create_observable_gauge("g", callbacks=[callback])
        p.force_flush(timeout_millis=10_000)   # main thread waits; the export thread calls back
    assert threads and threads[0] != threading.get_ident()


def test_callback_may_record_on_other_instruments_but_not_flush(provider, meter, caplog):
    counter = meter.create_counter("side")
    attempts = []

    def callback(_options):
        counter.add(1)
        try:
            provider.force_flush()
        except errors.ReentrantCallError as e:
            attempts.append(e)
        return [Observation(1)]

    meter.create_observable_counter("cb", callbacks=[callback])
    provider.read_json()
    assert len(attempts) == 1
    assert read_points(provider, "side") == [{"attributes": {}, "value": 2}]   # one per read so far


def test_callbacks_must_be_callables(meter):
    with pytest.raises(TypeError):
        meter.create_observable_gauge("g", callbacks=["nope"])
    with pytest.raises(ValueError):
        meter.create_observable_gauge("g", value_type=bool)


def test_failed_creation_releases_the_callback(meter):
    def callback(_options):
        return []

    with pytest.raises(errors.InvalidNameError):
        meter.create_observable_gauge("1bad", callbacks=[callback])
    assert not [r for r in list(_observable._registry.values()) if callback in r.callbacks]


def test_export_failures_reach_the_otelmetrics_logger(caplog):
    with caplog.at_level(logging.WARNING, logger="otelmetrics"):
        with otelmetrics.MeterProvider(exporters=["otlp"], otlp_endpoint="http://127.0.0.1:9",
                                       otlp_protocol="http/protobuf", otlp_timeout_millis=300,
                                       export_timeout_millis=600, export_interval_millis=3_600_000) as p:
            p.get_meter("m").create_counter("c").add(1)
            with pytest.raises(errors.OtelmetricsError):
                p.force_flush(timeout_millis=5000)
    records = [r for r in caplog.records if r.name == "otelmetrics" and r.levelno >= logging.WARNING]
    assert any("127.0.0.1:9" in r.getMessage() for r in records)


def test_recording_threads_flushes_and_callbacks_together_do_not_deadlock(tmp_path):
    """Record calls release the GIL; the export thread takes it to run Python callbacks
    (which record too) while other threads record and the main thread flushes."""
    with otelmetrics.MeterProvider(exporters=["console"], console_path=tmp_path / "out.txt",
                                   export_interval_millis=50) as p:
        meter = p.get_meter("m")
        counter = meter.create_counter("busy")
        from_callback = meter.create_counter("from_callback")

        def callback(_options):
            from_callback.add(1)
            return [Observation(1.0)]

        meter.create_observable_gauge("g", callbacks=[callback])
        stop = threading.Event()

        def record():
            bound = counter.bind({"t": threading.get_ident()})
            while not stop.is_set():
                counter.add(1, {"via": "dict"})
                bound.add(1)

        threads = [threading.Thread(target=record) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for _ in range(10):
                p.force_flush(timeout_millis=10_000)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
    assert (tmp_path / "out.txt").read_text().count("from_callback") >= 10

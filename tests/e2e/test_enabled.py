"""Enabled and the meter configurator, end to end: a C program and the
Python package each disable a meter by name pattern and drop instruments
with a view; each instrument's `enabled` says so, and the real collector
rotel receives the enabled instruments and nothing of the others."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

KINDS = ["counter_u64", "counter_f64", "up_down_counter_i64", "up_down_counter_f64", "histogram_u64",
         "histogram_f64", "gauge_u64", "gauge_i64", "gauge_f64"]


@pytest.fixture(scope="module")
def producer(tmp_path_factory):
    return compile_c("tests/e2e/programs/enabled_producer.c", tmp_path_factory.mktemp("enabled"))


def assert_only_enabled_arrived(rotel, wanted, unwanted_prefixes):
    # One flush exports every stream in one request: once the enabled ones
    # are there, anything else recorded would be there too.
    eventually(lambda: _all_there(rotel, wanted), timeout_s=20)
    names = rotel.metric_names()
    assert not [n for n in names if n.startswith(unwanted_prefixes)], sorted(names)


def _all_there(rotel, wanted):
    missing = set(wanted) - rotel.metric_names()
    assert not missing, sorted(missing)


def test_c_disabled_meters_and_dropped_instruments_report_disabled_and_export_nothing(producer):
    with Rotel() as rotel:
        env = program_env(OTEL_EXPORTER_OTLP_ENDPOINT=rotel.http_url, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
                          OTEL_METRIC_EXPORT_INTERVAL="60000")
        r = subprocess.run([str(producer)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "enabled ok" in r.stdout, r.stdout + r.stderr
        wanted = [f"{prefix}.{k}" for prefix in ("kept", "rescued") for k in KINDS]
        assert_only_enabled_arrived(rotel, wanted, ("noisy.", "dropped."))


PY_PROGRAM = r"""
import sys
import otelmetrics
import otelmetrics.api

endpoint = sys.argv[1]
core = otelmetrics.MeterProvider(
    exporters=["otlp"], otlp_endpoint=endpoint, otlp_protocol="http/protobuf", export_interval_millis=60000,
    meter_configurator={"noisy.keep": True, "noisy.*": False},
    views=[otelmetrics.View(instrument_name="*.dropped.*", aggregation=otelmetrics.DropAggregation())])
results = {}
instruments = {}
for meter_name in ("app", "noisy.lib", "noisy.keep"):
    m = core.get_meter(meter_name)
    for prefix in ("kept", "dropped"):
        c = m.create_counter(f"{meter_name}.{prefix}.core")
        results[c.name] = c.enabled()
        instruments[c.name] = c
        c.add(1)
api = otelmetrics.api.MeterProvider(core)
for meter_name in ("app", "noisy.lib"):
    m = api.get_meter(meter_name)
    h = m.create_histogram(f"{meter_name}.kept.api")
    results[h.name] = h.enabled()
    h.record(2.5)
    g = m.create_gauge(f"{meter_name}.kept.api_used")
    g.set(3)
    results[g.name] = g.enabled()
core.force_flush()
core.shutdown()
results["after_shutdown"] = instruments["app.kept.core"].enabled()
print(sorted(results.items()))
"""


def test_python_enabled_follows_the_meter_configurator_and_views_and_disabled_records_nothing(tmp_path):
    root = pathlib.Path(__file__).resolve().parents[2]
    script = tmp_path / "enabled.py"
    script.write_text(PY_PROGRAM)
    with Rotel() as rotel:
        env = program_env(PYTHONPATH=str(root / "bindings" / "python" / "src"))
        r = subprocess.run([sys.executable, str(script), rotel.http_url + "/v1/metrics"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        results = dict(eval(r.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own program's repr
        assert results == {
            "app.kept.core": True, "app.dropped.core": False,
            "noisy.lib.kept.core": False, "noisy.lib.dropped.core": False,
            "noisy.keep.kept.core": True, "noisy.keep.dropped.core": False,
            "app.kept.api": True, "app.kept.api_used": True,
            "noisy.lib.kept.api": False, "noisy.lib.kept.api_used": False,
            "after_shutdown": False,
        }
        assert_only_enabled_arrived(rotel, ["app.kept.core", "noisy.keep.kept.core", "app.kept.api",
                                            "app.kept.api_used"], ("noisy.lib.", "app.dropped", "noisy.keep.dropped"))

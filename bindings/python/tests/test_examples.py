"""Every example in examples/python runs (briefly) and does what it says, so
none can rot: the fruit counter's totals reach rotel; the others print their
exports to the console (api_app.py: through the OpenTelemetry API)."""

from __future__ import annotations

import os
import subprocess
import sys

from pkg_helpers import REPO

EXAMPLES = REPO / "examples" / "python"


def run(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    full_env.update(env)
    r = subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=full_env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r


def has_point(out: str, attributes: dict, value: str) -> bool:
    """A console line with exactly these attributes (any order) and this value."""
    for line in out.splitlines():
        head, _, tail = line.strip().partition("} ")
        pairs = set(head.lstrip("{").split(", ")) if head.startswith("{") else set()
        if pairs == {f'{k}="{v}"' for k, v in attributes.items()} and tail.split(" ")[0] == value:
            return True
    return False


def test_fruit_counter_pushes_the_tutorial_totals_to_rotel(e2e_peers, tmp_path):
    with e2e_peers.Rotel(workdir=tmp_path / "rotel") as rotel:
        run("fruit_counter.py", OTEL_EXPORTER_OTLP_ENDPOINT=rotel.http_url,
            OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf")

        def totals_arrived():
            lemon = rotel.latest_point("fruit_counter", {"name": "lemon", "color": "yellow"})
            apple = rotel.latest_point("fruit_counter", {"name": "apple", "color": "red"})
            assert (lemon.value, apple.value) == (12, 3)
            assert lemon.metric.resource.attributes["service.name"] == "fruit-shop"

        # rotel logs the export after answering it: wait for both points read
        e2e_peers.eventually(totals_arrived, timeout_s=15)


def test_fruit_counter_without_a_collector_prints_what_it_would_send():
    out = run("fruit_counter.py").stdout
    assert "fruit_counter" in out and has_point(out, {"color": "yellow", "name": "lemon"}, "12")


def test_temperature_gauge_reports_both_rooms():
    out = run("temperature_gauge.py", "1.5").stdout
    assert "room.temperature [gauge]" in out and '{room="kitchen"}' in out and '{room="cellar"}' in out


def test_bound_hot_loop_counts_every_iteration():
    out = run("bound_hot_loop.py", "10000").stdout
    assert has_point(out, {"outcome": "ok", "queue": "default"}, "9900")
    assert has_point(out, {"outcome": "failed", "queue": "default"}, "100")
    assert "count=1000" in out


def test_api_app_records_through_otelmetrics_when_set_in_code():
    r = run("api_app.py", "--in-code")
    assert "telemetry.sdk.language=\"rust\"" in r.stdout and "scope fruit.shop 1.0" in r.stdout
    assert has_point(r.stdout, {"fruit": "apple"}, "3") and has_point(r.stdout, {"fruit": "lemon"}, "5")
    assert has_point(r.stdout, {"till": "1"}, "3")
    assert "Counter 'fruit.sold': measurement -1 dropped" in r.stderr   # logged, not raised


def test_api_app_records_through_otelmetrics_chosen_by_one_setting():
    r = run("api_app.py", OTEL_PYTHON_METER_PROVIDER="otelmetrics", OTEL_METRICS_EXPORTER="console")
    assert "telemetry.sdk.language=\"rust\"" in r.stdout and "scope fruit.shop 1.0" in r.stdout
    assert has_point(r.stdout, {"fruit": "apple"}, "3") and has_point(r.stdout, {"till": "1"}, "3")


def test_prometheus_endpoint_example_starts_serving():
    out = run("prometheus_endpoint.py", "0.5", "0").stdout
    assert out.startswith("serving http://127.0.0.1:") and "/metrics" in out

"""An OpenTelemetry API instrument given ints and floats is one stream
(issue 19, item 3): at the library's Prometheus endpoint, each series once
with the value the Python SDK computes, read back through a real Prometheus
(Debian's binary) and checked by prometheus_client's strict OpenMetrics
parser. (The same amounts through OTLP, against the Python SDK itself, are in
bindings/python/tests/test_api_e2e.py.)

The program is programs/mixed_number_types.py. What the Python SDK exports
for it (one aggregation per attribute set; a sum adds whatever it is given,
a gauge keeps the last value) is EXPECTED below, written from the amounts."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import wait_until  # noqa: E402

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics  # noqa: E402

PROGRAM = Path(__file__).resolve().parent / "programs" / "mixed_number_types.py"
OPENMETRICS = "application/openmetrics-text;version=1.0.0"

EXPECTED = {
    ("mixed_sold_total", "a"): 2 + 0.5,
    ("mixed_sold_total", "b"): 3,
    ("mixed_sold_total", "m"): 1.25,      # a numpy.float64 after ints
    ("mixed_weight_total", "a"): 0.5 + 2,
    ("mixed_weight_total", "b"): 3,
    ("mixed_level", "a"): 1.5,            # 7, then 1.5
    ("mixed_level", "b"): 3,              # 1.5, then 3
    ("mixed_temperature", "a"): 3,        # 2.5, then 3
    ("mixed_temperature", "c"): 0.25,
    ("mixed_queue", None): 5 - 1.5,
}


@pytest.fixture(scope="module")
def program():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    proc = subprocess.Popen([sys.executable, str(PROGRAM)], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("ready "), f"{line!r} {proc.stderr.read()}"
        yield int(line.split()[1])
        out, err = proc.communicate("", timeout=30)
        assert proc.returncode == 0 and out.strip() == "done", err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def scraped_samples(port: int) -> list:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Accept": OPENMETRICS})
    with urllib.request.urlopen(request, timeout=10) as r:
        text = r.read().decode()
    return [s for family in parse_openmetrics(text) for s in family.samples
            if s.name.startswith("mixed_") and not s.name.endswith("_created")]


def test_each_series_appears_once_with_the_python_sdks_value(program):
    samples = scraped_samples(program)
    keys = Counter((s.name, s.labels.get("k")) for s in samples)
    assert {k: n for k, n in keys.items() if n > 1} == {}, "series served more than once"
    assert {(s.name, s.labels.get("k")): s.value for s in samples} == pytest.approx(EXPECTED)


def test_a_real_prometheus_stores_the_python_sdks_values(program, tmp_path):
    with Prometheus([f"127.0.0.1:{program}"], workdir=tmp_path) as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a successful scrape; targets: {prom.targets_health()}")
        for (name, k), value in EXPECTED.items():
            selector = f'{name}{{k="{k}"}}' if k else name
            assert prom.wait_for_value(selector) == pytest.approx(value), selector
        # one series per attribute set: none stored twice under another label set
        assert prom.wait_for_value('count({__name__=~"mixed_.*", __name__!~".*_created"})') == len(EXPECTED)

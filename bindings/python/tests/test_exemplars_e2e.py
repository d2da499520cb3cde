"""Exemplars from Python: an application traced with the Python SDK's
TracerProvider and metered through otelmetrics behind the OpenTelemetry API
(``OTEL_PYTHON_METER_PROVIDER=otelmetrics``) records inside spans and with
an explicit ``context=``; the real collector rotel receives exemplars whose
trace and span ids are the spans'. The same program with the Python SDK as
the meter provider gives the same exemplars (differential: which points
carry one, with which ids, and how many per histogram)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

PROGRAM = Path(__file__).resolve().parent / "api_programs" / "traced_app.py"


def run(mode: str, endpoint: str) -> Dict[str, Tuple[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(OTEL_PYTHON_METER_PROVIDER="otelmetrics", OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
               OTEL_EXPORTER_OTLP_PROTOCOL="grpc", OTEL_METRIC_EXPORT_INTERVAL="3600000",
               OTEL_TRACES_EXPORTER="none")
    r = subprocess.run([sys.executable, str(PROGRAM), mode, endpoint], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.endswith("done\n"), r.stdout + r.stderr
    return {name: (trace_id, span_id) for name, trace_id, span_id in
            (line.split() for line in r.stdout.splitlines() if line != "done")}


def shape(rotel) -> Dict[Tuple[str, str], List[Tuple[str, str]]]:
    """(metric, step) -> the ids of its exemplars, in bucket order."""
    out = {}
    for name in ("shop.orders", "shop.duration", "shop.queue"):
        for p in rotel.points(name):
            out[(name, p.attributes.get("step", ""))] = [(e.trace_id, e.span_id) for e in p.exemplars]
    return out


def exported_shape(e2e_peers, tmp_path: Path, mode: str):
    with e2e_peers.Rotel(workdir=tmp_path / f"rotel-{mode}") as rotel:
        spans = run(mode, rotel.grpc_url)

        def arrived():
            s = shape(rotel)
            assert ("shop.orders", "unsampled") in s and ("shop.duration", "current") in s, s
            return s

        return spans, e2e_peers.eventually(arrived, timeout_s=20)


def test_rotel_receives_the_python_spans_ids(e2e_peers, tmp_path):
    spans, got = exported_shape(e2e_peers, tmp_path, "otelmetrics")
    checkout, refund = spans["checkout"], spans["refund"]
    assert got[("shop.orders", "current")] == [checkout]
    assert got[("shop.orders", "context")] == [refund], "the explicit context's span"
    assert got[("shop.orders", "none")] == [], "no span"
    assert got[("shop.orders", "unsampled")] == [], "an unsampled span (trace_based)"
    assert got[("shop.duration", "current")] == [checkout, checkout], "one per bucket that got a measurement"
    assert got[("shop.queue", "")] == [checkout]


def test_the_python_sdk_gives_the_same_exemplars(e2e_peers, tmp_path):
    ours_spans, ours = exported_shape(e2e_peers, tmp_path, "otelmetrics")
    sdk_spans, sdk = exported_shape(e2e_peers, tmp_path, "sdk")
    # The runs have their own span ids: compare by which span each exemplar names.
    name_of = [{v: k for k, v in spans.items()} for spans in (ours_spans, sdk_spans)]
    as_names = [{key: [names.get(i, "?") for i in ids] for key, ids in got.items()}
                for names, got in zip(name_of, (ours, sdk))]
    assert as_names[0] == as_names[1]
    assert as_names[0][("shop.orders", "current")] == ["checkout"], "not trivially equal"

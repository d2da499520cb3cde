"""Helpers shared by the Python package's tests (a module name of its own:
the one pytest run also loads other suites' conftest files).

The tests import the *installed* package (``pip install ./bindings/python``,
as tests/run.sh does), so they check what a user gets. ``read_points`` reads
the in-memory reader's OTLP-JSON snapshot with a parser written here, not
with anything from the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import otelmetrics

REPO = Path(__file__).resolve().parents[3]
E2E = REPO / "tests" / "e2e"


def _any_value(v: Dict[str, Any]) -> Any:
    if "stringValue" in v:
        return v["stringValue"]
    if "boolValue" in v:
        return v["boolValue"]
    if "intValue" in v:
        return ("int", int(v["intValue"]))
    if "doubleValue" in v:
        return ("double", float(v["doubleValue"]))
    if "arrayValue" in v:
        return [_any_value(x) for x in v["arrayValue"].get("values", [])]
    raise AssertionError(f"unexpected attribute value {v}")


def attributes_of(point: Dict[str, Any]) -> Dict[str, Any]:
    """A point's attributes; ints and doubles tagged ("int", 5) / ("double", 5.0) so
    a test can tell them apart."""
    return {a["key"]: _any_value(a["value"]) for a in point.get("attributes", [])}


def metrics_of(snapshot: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    for rm in snapshot.get("resourceMetrics", []):
        for sm in rm.get("scopeMetrics", []):
            yield from sm.get("metrics", [])


def read_points(provider: otelmetrics.MeterProvider, name: str) -> List[Dict[str, Any]]:
    """The data points of metric ``name``, each with ``attributes`` (as
    ``attributes_of``) and ``value`` (number points) or the histogram fields."""
    found = []
    for metric in metrics_of(provider.read_metrics()):
        if metric["name"] != name:
            continue
        body = next(metric[k] for k in ("sum", "gauge", "histogram", "exponentialHistogram") if k in metric)
        for p in body["dataPoints"]:
            point = {"attributes": attributes_of(p)}
            if "asInt" in p:
                point["value"] = int(p["asInt"])
            elif "asDouble" in p:
                point["value"] = float(p["asDouble"])
            else:
                point.update(count=int(p["count"]), sum=p.get("sum"), min=p.get("min"), max=p.get("max"),
                             bounds=p.get("explicitBounds", []), buckets=[int(b) for b in p.get("bucketCounts", [])])
            found.append(point)
    return found


def value_by_attributes(provider: otelmetrics.MeterProvider, name: str) -> Dict[Any, Any]:
    """{frozen attributes: value} for a number metric."""
    return {tuple(sorted((k, repr(v)) for k, v in p["attributes"].items())): p["value"]
            for p in read_points(provider, name)}



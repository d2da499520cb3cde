"""The real OpenTelemetry collector rotel as a test peer, and the data model both
peers (rotel and ``peers.receiver.Receiver``) report what they received in.

rotel (PyPI ``rotel``, a Rust OTLP collector) is run as a child process with OTLP
gRPC and HTTP receivers on free 127.0.0.1 ports and ``--debug-log metrics
--debug-log-verbosity detailed``: for every OTLP request it receives it prints the
whole payload to its standard output in the OpenTelemetry collector's debug-exporter
format. That output is kept in a file and parsed into ``Batch`` objects::

    with Rotel(workdir=tmp_path) as rotel:
        ...  # export to rotel.grpc_url or rotel.metrics_url
        point = rotel.wait_for_point("requests", {"route": "/a"}, timeout_s=10)
        assert point.value == 3

What the log can and cannot tell (rotel 0.0.1a15, binary "0.0.1-alpha10"):
- One printed block per received request (printing happens before batching), so a
  ``Batch`` is one OTLP request. A request with no resource metrics prints nothing.
- A number data point's value is printed with Rust's ``{}``: an integer ``AsInt`` and
  a ``AsDouble`` with an integral value both print as ``5``; the parser gives an
  ``int`` then (``5 == 5.0`` in Python, so equality checks work either way). Values
  with a fraction, ``NaN``, ``inf`` give ``float``. Attribute values are typed
  exactly (``Int(5)`` vs ``Double(5)``).
- Exponential histograms are printed as bucket boundaries; scale and offsets are
  derived back from them.
- Data point flags and exemplar-less details beyond the format are not printed.
- rotel's OTLP/HTTP JSON decoder (opentelemetry-proto serde) silently drops
  spec-compliant string-encoded int64 values (``"asInt": "5"``) and whole histograms
  whose ``count``/``bucketCounts`` are strings, and whole metrics whose timestamps are
  JSON numbers. Use ``Receiver`` to check OTLP/JSON payloads exactly.
- rotel has no TLS options for its receivers (only for its exporter): TLS tests need
  ``Receiver``. Its exporter's TLS options are unusable in this build: every
  ``--otlp-exporter-*tls-ca-*``/``-key-*`` option lands in the certificate slot, so rotel
  exits with "Either both or neither of cert and key must be provided". To make rotel
  (a rustls client) trust a test CA, give it ``env={"SSL_CERT_FILE": ca_path}``
  (rustls-native-certs reads it); rotel as an mTLS client is out of reach.
- rotel's OTLP exporter (``exporter="otlp"``) retries with 5 s initial backoff by
  default; ``--otlp-exporter-retry-initial-backoff 100ms`` and
  ``--otlp-exporter-retry-max-elapsed-time 1s`` keep tests short.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .sockets import listening_sockets, socket_inodes

__all__ = [
    "Batch", "Resource", "Scope", "Metric", "DataPoint", "Exemplar",
    "CUMULATIVE", "DELTA", "UNSPECIFIED",
    "Queries", "Rotel", "RotelError", "find_rotel_agent", "rotel_version", "free_port",
    "parse_debug_log", "parse_any_value", "wait_until", "eventually",
    "iter_metrics", "find_points", "attributes_match",
]

CUMULATIVE = "cumulative"
DELTA = "delta"
UNSPECIFIED = "unspecified"


# --------------------------------------------------------------------------- model


@dataclass(eq=False)
class Exemplar:
    trace_id: str = ""          # lowercase hex, "" when absent
    span_id: str = ""
    time_unix_nano: int | None = None
    value: int | float | None = None
    filtered_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class DataPoint:
    """One data point. ``kind`` is "number", "histogram", "exponential_histogram" or
    "summary"; the fields that do not apply to a kind stay at their defaults."""

    kind: str
    attributes: dict[str, Any] = field(default_factory=dict)
    start_time_unix_nano: int | None = None
    time_unix_nano: int | None = None
    # number points
    value: int | float | None = None
    # histogram, exponential histogram, summary
    count: int | None = None
    sum: float | None = None
    min: float | None = None
    max: float | None = None
    # histogram
    explicit_bounds: list[float] = field(default_factory=list)
    bucket_counts: list[int] = field(default_factory=list)
    # exponential histogram
    scale: int | None = None
    zero_count: int = 0
    positive_offset: int = 0
    positive_bucket_counts: list[int] = field(default_factory=list)
    negative_offset: int = 0
    negative_bucket_counts: list[int] = field(default_factory=list)
    # summary: (quantile, value) pairs
    quantiles: list[tuple[float, float]] = field(default_factory=list)
    exemplars: list[Exemplar] = field(default_factory=list)
    metric: "Metric | None" = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The fields that matter for this kind, for readable comparisons."""
        d: dict[str, Any] = {"attributes": self.attributes}
        if self.kind == "number":
            d["value"] = self.value
        elif self.kind == "histogram":
            d.update(count=self.count, sum=self.sum, min=self.min, max=self.max,
                     explicit_bounds=self.explicit_bounds, bucket_counts=self.bucket_counts)
        elif self.kind == "exponential_histogram":
            d.update(count=self.count, sum=self.sum, min=self.min, max=self.max, scale=self.scale,
                     zero_count=self.zero_count, positive_offset=self.positive_offset,
                     positive_bucket_counts=self.positive_bucket_counts,
                     negative_offset=self.negative_offset,
                     negative_bucket_counts=self.negative_bucket_counts)
        elif self.kind == "summary":
            d.update(count=self.count, sum=self.sum, quantiles=self.quantiles)
        return d


@dataclass(eq=False)
class Metric:
    name: str = ""
    description: str = ""
    unit: str = ""
    data_type: str = "Empty"    # "Sum", "Gauge", "Histogram", "ExponentialHistogram", "Summary", "Empty"
    temporality: str | None = None   # CUMULATIVE, DELTA, UNSPECIFIED; None for gauges/summaries
    is_monotonic: bool | None = None  # sums only
    data_points: list[DataPoint] = field(default_factory=list)
    scope: "Scope | None" = field(default=None, repr=False)

    @property
    def resource(self) -> "Resource | None":
        return self.scope.resource if self.scope else None


@dataclass(eq=False)
class Scope:
    name: str = ""
    version: str = ""
    schema_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
    resource: "Resource | None" = field(default=None, repr=False)


@dataclass(eq=False)
class Resource:
    schema_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    scopes: list[Scope] = field(default_factory=list)


@dataclass(eq=False)
class Batch:
    """What one OTLP export request carried."""

    seq: int                                  # position among all batches of the peer
    resources: list[Resource] = field(default_factory=list)
    generation: int = 1                       # rotel: which start of the process received it
    source: str = "rotel"                     # "rotel" or "receiver"
    request: Any = field(default=None, repr=False)   # receiver: the ReceivedRequest
    parse_errors: list[str] = field(default_factory=list)

    @property
    def resource_attributes(self) -> dict[str, Any]:
        """Attributes of the only resource in the batch (ValueError if not exactly one)."""
        if len(self.resources) != 1:
            raise ValueError(f"batch {self.seq} has {len(self.resources)} resources")
        return self.resources[0].attributes

    @property
    def scopes(self) -> list[Scope]:
        return [s for r in self.resources for s in r.scopes]

    def metrics(self, name: str | None = None) -> list[Metric]:
        return [m for s in self.scopes for m in s.metrics if name is None or m.name == name]


def _link(batch: Batch) -> Batch:
    for r in batch.resources:
        for s in r.scopes:
            s.resource = r
            for m in s.metrics:
                m.scope = s
                for p in m.data_points:
                    p.metric = m
    return batch


# --------------------------------------------------------------------------- queries


def attributes_match(actual: Mapping[str, Any], wanted: Mapping[str, Any] | None, subset: bool = False) -> bool:
    """``wanted`` None matches anything; otherwise equal dicts (or a subset)."""
    if wanted is None:
        return True
    if subset:
        return all(k in actual and actual[k] == v for k, v in wanted.items())
    return dict(actual) == dict(wanted)


def iter_metrics(batches: Iterable[Batch], name: str | None = None) -> Iterator[Metric]:
    for b in batches:
        yield from b.metrics(name)


def find_points(batches: Iterable[Batch], name: str, attributes: Mapping[str, Any] | None = None,
                *, subset: bool = False) -> list[DataPoint]:
    """All data points of metric ``name`` (in arrival order) whose attributes equal
    ``attributes`` (or contain them with ``subset=True``; None: any)."""
    return [p for m in iter_metrics(batches, name) for p in m.data_points
            if attributes_match(p.attributes, attributes, subset)]


def wait_until(fn: Callable[[], Any], timeout_s: float, *, interval_s: float = 0.05,
               describe: Callable[[], str] | str | None = None) -> Any:
    """Calls ``fn`` until it returns something truthy and returns that; raises
    TimeoutError after ``timeout_s`` seconds in all (``fn`` is called at least once
    and once more at the deadline)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = fn()
        if result:
            return result
        now = time.monotonic()
        if now >= deadline:
            break
        time.sleep(min(interval_s, deadline - now))
    result = fn()
    if result:
        return result
    what = describe() if callable(describe) else (describe or "condition")
    raise TimeoutError(f"timed out after {timeout_s:g}s waiting for {what}")


def eventually(check: Callable[[], Any], timeout_s: float, *, interval_s: float = 0.1) -> Any:
    """Runs ``check`` (assertions over what a peer has received so far) until it
    passes, and returns what it returns; at the deadline its last failure is
    raised as is. For data that arrives over time (rotel logs a request after
    answering it, one line after another): a test waits for exactly what it
    asserts, and fails with the assertion that did not hold. A missing point
    (``None.value``, a missing key) counts as not arrived yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return check()
        except (AssertionError, LookupError, AttributeError, TypeError, ValueError):
            if time.monotonic() >= deadline:
                raise
        time.sleep(interval_s)


class Queries:
    """Queries over ``self.batches()``, shared by Rotel and Receiver. ``since`` skips
    the batches before that position (see ``mark()``)."""

    def batches(self) -> list[Batch]:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def mark(self) -> int:
        """The current number of batches, to pass as ``since=`` to see only later ones."""
        return len(self.batches())

    def _since(self, since: int) -> list[Batch]:
        return self.batches()[since:]

    def metric_names(self, *, since: int = 0) -> set[str]:
        return {m.name for m in iter_metrics(self._since(since))}

    def metrics(self, name: str | None = None, *, since: int = 0) -> list[Metric]:
        return list(iter_metrics(self._since(since), name))

    def points(self, name: str, attributes: Mapping[str, Any] | None = None, *,
               subset: bool = False, since: int = 0) -> list[DataPoint]:
        return find_points(self._since(since), name, attributes, subset=subset)

    def latest_point(self, name: str, attributes: Mapping[str, Any] | None = None, *,
                     subset: bool = False, since: int = 0) -> DataPoint | None:
        pts = self.points(name, attributes, subset=subset, since=since)
        return pts[-1] if pts else None

    def wait_for(self, predicate: Callable[[list[Batch]], Any], timeout_s: float = 10.0, *,
                 interval_s: float = 0.05, since: int = 0, what: str | None = None) -> Any:
        """Polls ``predicate(batches)`` until truthy (returned) or TimeoutError."""
        return wait_until(lambda: predicate(self._since(since)), timeout_s, interval_s=interval_s,
                          describe=lambda: self._describe(what or "predicate", since))

    def wait_for_batches(self, n: int = 1, timeout_s: float = 10.0, *, since: int = 0) -> list[Batch]:
        """Waits until at least ``n`` batches arrived (after ``since``); returns them all."""
        return self.wait_for(lambda bs: bs if len(bs) >= n else None, timeout_s, since=since,
                             what=f"{n} batch(es)")

    def wait_for_point(self, name: str, attributes: Mapping[str, Any] | None = None, *,
                       predicate: Callable[[DataPoint], bool] | None = None, subset: bool = False,
                       timeout_s: float = 10.0, since: int = 0) -> DataPoint:
        """Waits for a data point of ``name`` with these attributes (and for which
        ``predicate`` holds) and returns the latest such point."""
        def probe():
            pts = [p for p in find_points(self._since(since), name, attributes, subset=subset)
                   if predicate is None or predicate(p)]
            return pts[-1] if pts else None
        what = f"a point of {name!r}" + (f" with attributes {attributes!r}" if attributes is not None else "")
        return wait_until(probe, timeout_s, describe=lambda: self._describe(what, since))

    def _describe(self, what: str, since: int) -> str:
        bs = self._since(since)
        seen = sorted({m.name for m in iter_metrics(bs)})
        return f"{what}; {len(bs)} batch(es) seen (since={since}), metric names: {seen}"


# --------------------------------------------------------------------------- value parsing

_TAG_RE = re.compile(r"(?:Str|Bool|Int|Double|Slice|Map|Bytes)\(|Empty")
_INT_RE = re.compile(r"-?\d+")
_DOUBLE_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|NaN|inf)")
_BYTES_RE = re.compile(r"\[(\d+(?:, \d+)*)?\]\)")


def _parse_value(s: str, i: int) -> Iterator[tuple[Any, int]]:
    """Yields every (value, end) that rotel's value_to_string could have printed at
    s[i:]. Strings are not escaped in that format, so this backtracks."""
    if s.startswith("Empty", i):
        yield None, i + 5
    elif s.startswith("Str(", i):
        j = i + 4
        k = s.find(")", j)
        while k != -1:
            yield s[j:k], k + 1
            k = s.find(")", k + 1)
    elif s.startswith("Bool(", i):
        for word, val in (("true)", True), ("false)", False)):
            if s.startswith(word, i + 5):
                yield val, i + 5 + len(word)
    elif s.startswith("Int(", i):
        m = _INT_RE.match(s, i + 4)
        if m and s.startswith(")", m.end()):
            yield int(m.group()), m.end() + 1
    elif s.startswith("Double(", i):
        m = _DOUBLE_RE.match(s, i + 7)
        if m and s.startswith(")", m.end()):
            yield float(m.group()), m.end() + 1
    elif s.startswith("Bytes(", i):
        m = _BYTES_RE.match(s, i + 6)
        if m:
            yield bytes(int(x) for x in m.group(1).split(", ")) if m.group(1) else b"", m.end()
    elif s.startswith("Slice(", i):
        j = i + 6
        if s.startswith(")", j):
            yield [], j + 1
        yield from _parse_items(s, j, [], keyed=False)
    elif s.startswith("Map(", i):
        j = i + 4
        if s.startswith(")", j):
            yield {}, j + 1
        for items, end in _parse_items(s, j, [], keyed=True):
            yield dict(items), end


def _parse_items(s: str, j: int, acc: list, keyed: bool) -> Iterator[tuple[list, int]]:
    starts: Iterable[tuple[Any, int]]
    if keyed:   # "key:Value", the key may itself contain ':'
        starts = []
        c = s.find(":", j)
        while c != -1:
            if _TAG_RE.match(s, c + 1):
                starts.append((s[j:c], c + 1))
            c = s.find(":", c + 1)
    else:
        starts = [(None, j)]
    for key, vstart in starts:
        for value, k in _parse_value(s, vstart):
            item = (key, value) if keyed else value
            if s.startswith(")", k):
                yield acc + [item], k + 1
            if s.startswith(", ", k):
                yield from _parse_items(s, k + 2, acc + [item], keyed)


def parse_any_value(text: str) -> Any:
    """Parses one attribute value as rotel prints it (``Str(x)``, ``Int(1)``,
    ``Double(1.5)``, ``Bool(true)``, ``Slice(...)``, ``Map(k:..., ...)``,
    ``Bytes([1, 2])``, ``Empty``) into str/int/float/bool/list/dict/bytes/None."""
    for value, end in _parse_value(text, 0):
        if end == len(text):
            return value
    raise ValueError(f"not a rotel attribute value: {text!r}")


def _number(text: str) -> int | float:
    text = text.strip()
    return int(text) if _INT_RE.fullmatch(text) else float(text)


# --------------------------------------------------------------------------- log parsing

HARNESS_MARK = "### otelmetrics-test-harness: rotel start generation="

_RE = {name: re.compile(p) for name, p in {
    "resource": r"ResourceMetrics #(\d+)",
    "resource_schema": r"Resource SchemaURL: (.*)",
    "scope": r"ScopeMetrics #(\d+)",
    "scope_schema": r"ScopeMetrics SchemaURL: (.*)",
    "scope_id": r"InstrumentationScope (.*)",
    "metric": r"Metric #(\d+)",
    "point": r"(Number|Histogram|ExponentialHistogram|Summary)DataPoints #(\d+)",
    "start": r"StartTimestamp: (\d+)",
    "time": r"Timestamp: (\d+)",
    "value": r"Value: (.*)",
    "count": r"Count: (\d+)",
    "sum": r"Sum: (.*)",
    "min": r"Min: (.*)",
    "max": r"Max: (.*)",
    "bound": r"ExplicitBounds #(\d+): (.*)",
    "bucket": r"Buckets #(\d+), Count: (\d+)",
    "exp_bucket": r"Bucket ([\[(])(.*), (.*)([\])]), Count: (\d+)",
    "quantile": r"QuantileValue #(\d+): Quantile (.*), Value (.*)",
    "exemplar": r"Exemplar #(\d+)",
    "descriptor": r"     -> (Name|Description|Unit|DataType|IsMonotonic|AggregationTemporality): (.*)",
    "exemplar_field": r"     -> (Trace ID|Span ID|Timestamp|Value): (.*)",
    "attribute": r"( +)-> (.*)",
    "tracing_text": r"\s*(?:\x1b\[[0-9;]*m)*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
}.items()}

_POINT_KIND = {"Number": "number", "Histogram": "histogram",
               "ExponentialHistogram": "exponential_histogram", "Summary": "summary"}
_TEMPORALITY = {"AGGREGATION_TEMPORALITY_CUMULATIVE": CUMULATIVE,
                "AGGREGATION_TEMPORALITY_DELTA": DELTA,
                "AGGREGATION_TEMPORALITY_UNSPECIFIED": UNSPECIFIED}


def _split_attribute(rest: str) -> tuple[str, str]:
    """'key: Value...' -> (key, 'Value...'); the key may contain ': '."""
    pos = rest.find(": ")
    while pos != -1:
        if _TAG_RE.match(rest, pos + 2):
            return rest[:pos], rest[pos + 2:]
        pos = rest.find(": ", pos + 1)
    raise ValueError(f"not an attribute line: {rest!r}")


@dataclass
class ParsedLog:
    batches: list[Batch]
    events: list[dict[str, Any]]      # rotel's own log records (JSON lines; text lines as {"text": ...})
    unparsed: list[str]               # lines outside any batch that matched nothing


class _Parser:
    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.events: list[dict[str, Any]] = []
        self.unparsed: list[str] = []
        self.generation = 1
        self.batch: Batch | None = None
        self.resource: Resource | None = None
        self.scope: Scope | None = None
        self.metric: Metric | None = None
        self.point: DataPoint | None = None
        self.exemplar: Exemplar | None = None
        self.context = ""               # which "-> " lines are expected
        self.attr_target: dict[str, Any] | None = None
        self.pending: tuple[Callable[[str], None], list[str]] | None = None
        self.exp_raw: dict[int, list[tuple[str, float, float, int]]] = {}

    # multi-line values (strings are printed raw, newlines included)
    def flush(self) -> None:
        if self.pending is not None:
            setter, lines = self.pending
            self.pending = None
            try:
                setter("\n".join(lines))
            except ValueError as e:
                self.error(str(e))

    def error(self, msg: str) -> None:
        if self.batch is not None:
            self.batch.parse_errors.append(msg)
        else:
            self.unparsed.append(msg)

    def end_batch(self) -> None:
        self.flush()
        if self.batch is not None:
            self.finish_exp_points()
            _link(self.batch)
        self.batch = self.resource = self.scope = self.metric = self.point = self.exemplar = None
        self.context = ""

    def feed(self, line: str) -> None:
        if line.startswith(HARNESS_MARK):
            self.end_batch()
            self.generation = int(line[len(HARNESS_MARK):].strip() or 1)
            return
        if line.startswith('{"') and line.endswith("}"):
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict):
                self.end_batch()
                self.events.append(event)
                return
        if _RE["tracing_text"].match(line):
            self.end_batch()
            self.events.append({"text": re.sub(r"\x1b\[[0-9;]*m", "", line).strip()})
            return
        if not self.structural(line):
            if self.pending is not None:
                self.pending[1].append(line)
            elif self.batch is not None:
                self.batch.parse_errors.append(f"unrecognised line: {line!r}")
            elif line.strip():
                self.unparsed.append(line)

    def structural(self, line: str) -> bool:  # noqa: C901 - one flat dispatch is clearest
        R = _RE
        if m := R["resource"].fullmatch(line):
            self.flush()
            if m.group(1) == "0" or self.batch is None:
                self.end_batch()
                self.batch = Batch(seq=len(self.batches), generation=self.generation)
                self.batches.append(self.batch)
            self.resource = Resource()
            self.batch.resources.append(self.resource)
            self.scope = self.metric = self.point = None
            self.context = ""
            return True
        if self.batch is None or self.resource is None:
            return False
        if self.context in ("attrs", "exemplar_attrs") and self.attr_target is not None \
                and (m := R["attribute"].fullmatch(line)):
            try:
                key, raw = _split_attribute(m.group(2))
            except ValueError:
                pass
            else:
                self.flush()
                target = self.attr_target
                target[key] = None
                self.pending = (lambda v, t=target, k=key: t.__setitem__(k, parse_any_value(v)), [raw])
                return True
        if m := R["resource_schema"].fullmatch(line):
            self.flush()
            self.resource.schema_url = m.group(1)
        elif line == "Resource attributes:":
            self.flush()
            self.context, self.attr_target = "attrs", self.resource.attributes
        elif m := R["scope"].fullmatch(line):
            self.flush()
            self.scope = Scope()
            self.resource.scopes.append(self.scope)
            self.metric = self.point = None
            self.context = ""
        elif self.scope is None:
            return False
        elif m := R["scope_schema"].fullmatch(line):
            self.flush()
            self.scope.schema_url = m.group(1)
        elif line == "InstrumentationScope attributes:":
            self.flush()
            self.context, self.attr_target = "attrs", self.scope.attributes
        elif m := R["scope_id"].fullmatch(line):
            self.flush()
            name, _, version = m.group(1).rpartition(" ")
            self.scope.name, self.scope.version = name, version
        elif m := R["metric"].fullmatch(line):
            self.flush()
            self.metric = Metric()
            self.scope.metrics.append(self.metric)
            self.point = None
            self.context = ""
        elif self.metric is None:
            return False
        elif line == "Descriptor:":
            self.flush()
            self.context = "descriptor"
        elif self.context == "descriptor" and (m := R["descriptor"].fullmatch(line)):
            self.flush()
            self.descriptor(m.group(1), m.group(2))
        elif m := R["point"].fullmatch(line):
            self.flush()
            self.point = DataPoint(kind=_POINT_KIND[m.group(1)])
            self.metric.data_points.append(self.point)
            self.context = ""
        elif self.point is None:
            return False
        else:
            return self.point_line(line)
        return True

    def descriptor(self, key: str, value: str) -> None:
        metric = self.metric
        assert metric is not None
        if key == "Name":
            metric.name = value
            self.pending = (lambda v: setattr(metric, "name", v), [value])
        elif key == "Description":
            self.pending = (lambda v: setattr(metric, "description", v), [value])
        elif key == "Unit":
            self.pending = (lambda v: setattr(metric, "unit", v), [value])
        elif key == "DataType":
            metric.data_type = value
        elif key == "IsMonotonic":
            metric.is_monotonic = value == "true"
        elif key == "AggregationTemporality":
            metric.temporality = _TEMPORALITY.get(value, value)

    def point_line(self, line: str) -> bool:
        R, p = _RE, self.point
        assert p is not None
        if line == "Data point attributes:":
            self.flush()
            self.context, self.attr_target = "attrs", p.attributes
            return True
        if line == "Exemplars:":
            self.flush()
            self.context = "exemplars"
            return True
        if m := R["exemplar"].fullmatch(line):
            self.flush()
            self.exemplar = Exemplar()
            p.exemplars.append(self.exemplar)
            self.context = "exemplar"
            return True
        if self.context in ("exemplar", "exemplar_attrs") and self.exemplar is not None:
            if line == "     -> FilteredAttributes:":
                self.flush()
                self.context, self.attr_target = "exemplar_attrs", self.exemplar.filtered_attributes
                return True
            if self.context == "exemplar" and (m := R["exemplar_field"].fullmatch(line)):
                self.flush()
                key, value, ex = m.group(1), m.group(2), self.exemplar
                if key == "Trace ID":
                    ex.trace_id = value
                elif key == "Span ID":
                    ex.span_id = value
                elif key == "Timestamp":
                    ex.time_unix_nano = int(value)
                else:
                    ex.value = _number(value)
                return True
        for name, apply in (
            ("start", lambda g: setattr(p, "start_time_unix_nano", int(g[0]))),
            ("time", lambda g: setattr(p, "time_unix_nano", int(g[0]))),
            ("value", lambda g: setattr(p, "value", _number(g[0]))),
            ("count", lambda g: setattr(p, "count", int(g[0]))),
            ("sum", lambda g: setattr(p, "sum", float(g[0]))),
            ("min", lambda g: setattr(p, "min", float(g[0]))),
            ("max", lambda g: setattr(p, "max", float(g[0]))),
            ("bound", lambda g: p.explicit_bounds.append(float(g[1]))),
            ("bucket", lambda g: p.bucket_counts.append(int(g[1]))),
            ("exp_bucket", lambda g: self.exp_raw.setdefault(id(p), []).append(
                (g[0], float(g[1]), float(g[2]), int(g[4])))),
            ("quantile", lambda g: p.quantiles.append((float(g[1]), float(g[2])))),
        ):
            if m := R[name].fullmatch(line):
                self.flush()
                apply(m.groups())
                self.context = ""
                return True
        return False

    def finish_exp_points(self) -> None:
        """Turns the printed exponential-histogram bucket bounds back into scale,
        zero count, offsets and counts."""
        assert self.batch is not None
        for point in (p for r in self.batch.resources for s in r.scopes for m in s.metrics
                      for p in m.data_points if id(p) in self.exp_raw):
            pos: list[tuple[float, float, int]] = []
            neg: list[tuple[float, float, int]] = []
            for opening, a, b, count in self.exp_raw.pop(id(point)):
                if opening == "[" and a == 0 and b == 0:
                    point.zero_count = count
                elif opening == "(":
                    pos.append((a, b, count))
                else:                      # [-upper, -lower)
                    neg.append((-b, -a, count))
            any_bucket = (pos or neg)
            if not any_bucket:
                continue
            lower, upper, _ = any_bucket[0]
            ratio = math.log2(upper / lower)
            point.scale = round(-math.log2(ratio))
            factor = math.log(2) * 2.0 ** -point.scale
            for buckets, prefix in ((pos, "positive"), (neg, "negative")):
                if not buckets:
                    continue
                indexed = sorted((round(math.log(lo) / factor), c) for lo, _, c in buckets)
                setattr(point, f"{prefix}_offset", indexed[0][0])
                setattr(point, f"{prefix}_bucket_counts", [c for _, c in indexed])
        self.exp_raw.clear()


def parse_debug_log(text: str) -> ParsedLog:
    """Parses rotel's standard output (``--debug-log metrics --debug-log-verbosity
    detailed``, any ``--log-format``) into batches and rotel's own log events. A
    last line without its newline is ignored (it may still be being written)."""
    lines = text.split("\n")
    lines.pop()   # the text after the last newline: "" or an unfinished line
    parser = _Parser()
    for line in lines:
        parser.feed(line.rstrip("\r"))
    parser.end_batch()
    return ParsedLog(parser.batches, parser.events, parser.unparsed)


# --------------------------------------------------------------------------- process


class RotelError(RuntimeError):
    pass


def find_rotel_agent() -> Path:
    """The rotel-agent binary: $OTELMETRICS_ROTEL_AGENT, else the one inside the
    importable ``rotel`` package, else inside $OTELMETRICS_TEST_VENV."""
    env = os.environ.get("OTELMETRICS_ROTEL_AGENT")
    candidates: list[Path] = [Path(env)] if env else []
    try:
        import importlib.util
        spec = importlib.util.find_spec("rotel")
        if spec and spec.origin:
            candidates.append(Path(spec.origin).parent / "rotel-agent")
    except (ImportError, ValueError):
        pass
    venv = os.environ.get("OTELMETRICS_TEST_VENV")
    if venv:
        candidates += sorted(Path(venv).glob("lib/python*/site-packages/rotel/rotel-agent"))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise RotelError("rotel-agent not found: run tests/peers/install.sh and use its virtualenv "
                     f"(looked at {[str(c) for c in candidates]})")


def rotel_version(binary: Path | None = None) -> str:
    out = subprocess.run([str(binary or find_rotel_agent()), "--version"], capture_output=True,
                         text=True, timeout=10)
    return out.stdout.strip()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class Rotel(Queries):
    """One rotel-agent child process with OTLP gRPC and HTTP receivers on 127.0.0.1.

    Ports are chosen free at the first start and kept for ``restart()``. Everything
    rotel prints goes to ``stdout_path`` (appended across restarts, each start marked
    so batches know their ``generation``). ``exporter="blackhole"`` drops what it
    received after logging it; ``exporter="otlp"`` with ``extra_args`` such as
    ``["--otlp-exporter-endpoint", url, "--otlp-exporter-protocol", "http"]`` forwards
    it. ``batching=False`` adds ``--disable-batching`` (forward each request at once).
    """

    def __init__(self, workdir: str | os.PathLike | None = None, *, host: str = "127.0.0.1",
                 grpc_port: int | None = None, http_port: int | None = None,
                 exporter: str = "blackhole", extra_args: Sequence[str] = (), batching: bool = True,
                 env: Mapping[str, str] | None = None, binary: str | os.PathLike | None = None,
                 startup_timeout_s: float = 15.0, settle_s: float = 0.15) -> None:
        self.binary = Path(binary) if binary else find_rotel_agent()
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="rotel-")) if workdir is None else Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.grpc_port = grpc_port
        self.http_port = http_port
        self._fixed_ports = grpc_port is not None or http_port is not None
        self.exporter = exporter
        self.extra_args = list(extra_args)
        self.batching = batching
        self.env = dict(env or {})
        self.startup_timeout_s = startup_timeout_s
        self.settle_s = settle_s
        self.stdout_path = self.workdir / "rotel.stdout.log"
        self.stderr_path = self.workdir / "rotel.stderr.log"
        self.proc: subprocess.Popen | None = None
        self.generation = 0
        self.exit_codes: list[int] = []
        self._cache: tuple[int, ParsedLog] | None = None

    # endpoints
    @property
    def grpc_endpoint(self) -> str:
        return f"{self.host}:{self.grpc_port}"

    @property
    def grpc_url(self) -> str:
        return f"http://{self.host}:{self.grpc_port}"

    @property
    def http_endpoint(self) -> str:
        return f"{self.host}:{self.http_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def metrics_url(self) -> str:
        return f"{self.http_url}/v1/metrics"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def command(self) -> list[str]:
        cmd = [str(self.binary), "start",
               "--otlp-grpc-endpoint", self.grpc_endpoint,
               "--otlp-http-endpoint", self.http_endpoint,
               "--exporter", self.exporter,
               "--debug-log", "metrics", "--debug-log-verbosity", "detailed",
               "--log-format", "json",
               "--log-file", str(self.workdir / "rotel-agent.log"),
               "--pid-file", str(self.workdir / "rotel-agent.pid")]
        if not self.batching:
            cmd.append("--disable-batching")
        return cmd + self.extra_args

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "Rotel":
        if self.is_running():
            raise RotelError("rotel is already running")
        choose_ports = not self._fixed_ports and self.grpc_port is None
        last: Exception | None = None
        for _ in range(3 if choose_ports else 1):
            if choose_ports:
                self.grpc_port, self.http_port = free_port(self.host), free_port(self.host)
                while self.http_port == self.grpc_port:
                    self.http_port = free_port(self.host)
            try:
                self._launch()
                return self
            except RotelError as e:   # most likely a port taken in the meantime: new ports
                last = e
                if self._config_error(e):
                    break
        if choose_ports:
            self.grpc_port = self.http_port = None
        assert last is not None
        raise last

    @staticmethod
    def _config_error(e: Exception) -> bool:
        """True when trying other ports will not help."""
        text = str(e)
        return "Address already in use" not in text and "unable to bind" not in text

    def _launch(self) -> None:
        self.generation += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROTEL_")}
        env.update(self.env)
        with open(self.stdout_path, "a") as f:
            f.write(f"{HARNESS_MARK}{self.generation}\n")
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        try:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         env=env, start_new_session=True)
        finally:
            out.close()
            err.close()
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.exit_codes.append(code)
                self.proc = None
                self.generation -= 1
                raise RotelError(f"rotel exited with {code} while starting:\n{self.output_tail()}")
            if self._listening():
                # rotel binds its receivers before it checks the exporter's options: give
                # a bad configuration the moment it needs to fail
                try:
                    self.proc.wait(timeout=self.settle_s)
                except subprocess.TimeoutExpired:
                    return
                continue
            if time.monotonic() > deadline:
                self.kill()
                raise RotelError(f"rotel did not listen on {self.grpc_endpoint} and {self.http_endpoint} "
                                 f"within {self.startup_timeout_s:g}s:\n{self.output_tail()}")
            time.sleep(0.02)

    def _listening(self) -> bool:
        assert self.proc is not None and self.grpc_port and self.http_port
        ours = socket_inodes(self.proc.pid)
        if ours is None:   # no /proc: fall back to "the ports accept connections"
            return _accepts(self.host, self.grpc_port) and _accepts(self.host, self.http_port)
        listening = listening_sockets()
        return all(any(s.port == port and s.inode in ours for s in listening) for port in (self.grpc_port, self.http_port))

    def stop(self, timeout_s: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout_s``; returns the exit code (None if
        it was not running)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                return self.kill()
        return self._reap()

    def kill(self) -> int | None:
        """SIGKILL: the collector dies without flushing anything."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
        return self._reap()

    def _reap(self) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout=30)
        self.exit_codes.append(code)
        self.proc = None
        return code

    def restart(self, *, hard: bool = False, timeout_s: float = 10.0) -> "Rotel":
        """Stops (``hard``: kills) and starts again on the same ports."""
        if hard:
            self.kill()
        else:
            self.stop(timeout_s)
        if self.grpc_port is None:
            return self.start()
        deadline = time.monotonic() + self.startup_timeout_s
        while True:   # the ports may be briefly unavailable right after the old process died
            try:
                self._launch()
                return self
            except RotelError as e:
                if self._config_error(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        """Stops rotel; removes the work directory if this object created it."""
        try:
            self.stop()
        finally:
            if self._own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Rotel":
        if not self.is_running():
            try:
                self.start()
            except BaseException:
                self.close()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:   # last resort: never leave a collector behind
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            try:
                proc.kill()
                proc.wait(timeout=5)
            except Exception:
                pass

    # output
    def raw_output(self) -> str:
        try:
            return self.stdout_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def output_tail(self, lines: int = 40) -> str:
        out = self.raw_output().splitlines()[-lines:]
        try:
            err = self.stderr_path.read_text(errors="replace").splitlines()[-lines:]
        except FileNotFoundError:
            err = []
        return "\n".join(["--- rotel stdout (tail) ---", *out, "--- rotel stderr (tail) ---", *err])

    def parsed(self) -> ParsedLog:
        """The whole output parsed; re-parsed only when the file grew, and only once
        its size held still for a moment (so a batch being written is not read half)."""
        try:
            size = self.stdout_path.stat().st_size
        except FileNotFoundError:
            return ParsedLog([], [], [])
        if self._cache and self._cache[0] == size:
            return self._cache[1]
        for _ in range(20):
            time.sleep(0.005)
            again = self.stdout_path.stat().st_size
            if again == size:
                break
            size = again
        with open(self.stdout_path, "rb") as f:
            text = f.read(size).decode("utf-8", errors="replace")
        parsed = parse_debug_log(text)
        self._cache = (size, parsed)
        return parsed

    def batches(self) -> list[Batch]:
        return self.parsed().batches

    def events(self) -> list[dict[str, Any]]:
        """rotel's own log records (JSON objects: "msg", "level" 30 info/40 warn/50 error, ...)."""
        return self.parsed().events

    def errors(self) -> list[dict[str, Any]]:
        return [e for e in self.events() if isinstance(e.get("level"), int) and e["level"] >= 50]


if __name__ == "__main__":   # manual use: python -m peers.rotel  (prints endpoints, Ctrl-C to stop)
    with Rotel() as r:
        print(f"grpc {r.grpc_url}  http {r.metrics_url}  output {r.stdout_path}", flush=True)
        try:
            while r.is_running():
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        print(f"{len(r.batches())} batches", file=sys.stderr)

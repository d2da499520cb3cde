"""Exemplars through the package, read back from the in-memory reader: the
library's current span, the API's ``context=`` and current span, the filter
setting, bad spans, and a Python without opentelemetry-api (no lookup)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Dict, List

import pytest

import otelmetrics
from otelmetrics.errors import InvalidArgumentError

TRACE, SPAN = 0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331


def exemplars(provider: otelmetrics.MeterProvider, name: str) -> Dict[str, List[Dict[str, Any]]]:
    """step attribute -> the exemplars of that point of metric ``name``."""
    out = {}
    for scope in provider.read_metrics()["resourceMetrics"][0]["scopeMetrics"]:
        for m in scope["metrics"]:
            if m["name"] == name:
                data = m.get("sum") or m.get("histogram") or m.get("gauge")
                for p in data["dataPoints"]:
                    step = next((a["value"]["stringValue"] for a in p.get("attributes", []) if a["key"] == "step"), "")
                    out[step] = p.get("exemplars", [])
    return out


def ids(found: List[Dict[str, Any]]) -> List[tuple]:
    return [(e.get("traceId", ""), e.get("spanId", "")) for e in found]


HEX = (f"{TRACE:032x}", f"{SPAN:016x}")


def test_the_current_span_set_in_the_library_gives_exemplars(meter, provider):
    counter = meter.create_counter("c")
    bound = counter.bind({"step": "bound"})
    otelmetrics.set_current_span(TRACE, SPAN)
    try:
        counter.add(1, {"step": "dict"})
        bound.add(2)
    finally:
        otelmetrics.clear_current_span()
    counter.add(1, {"step": "after"})
    otelmetrics.set_current_span(TRACE, SPAN, sampled=False)
    counter.add(1, {"step": "unsampled"})
    otelmetrics.clear_current_span()
    got = exemplars(provider, "c")
    assert ids(got["dict"]) == [HEX] and ids(got["bound"]) == [HEX]
    assert got["after"] == [] and got["unsampled"] == []


def test_the_api_context_and_current_span_give_exemplars(meter, provider):
    trace = pytest.importorskip("opentelemetry.trace")
    span = trace.NonRecordingSpan(trace.SpanContext(TRACE, SPAN, is_remote=False,
                                                    trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))
    other = trace.NonRecordingSpan(trace.SpanContext(TRACE + 1, SPAN + 1, is_remote=False,
                                                     trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))
    histogram = meter.create_histogram("h")
    bound = histogram.bind({"step": "bound"})
    histogram.record(1.0, {"step": "context"}, context=trace.set_span_in_context(other))
    with trace.use_span(span):
        histogram.record(2.0, {"step": "current"})
        bound.record(3.0)
        histogram.record(4.0, {"step": "context wins"}, context=trace.set_span_in_context(other))
    got = exemplars(provider, "h")
    other_hex = (f"{TRACE + 1:032x}", f"{SPAN + 1:016x}")
    assert ids(got["context"]) == [other_hex] and ids(got["context wins"]) == [other_hex]
    assert ids(got["current"]) == [HEX] and ids(got["bound"]) == [HEX]


def test_no_span_is_taken_outside_spans_from_baggage_or_an_empty_context(meter, provider):
    """Outside every span the package tests the current context against the
    empty one before looking the span up: a context that holds only baggage,
    one left after a span ended, and an explicit empty ``context=`` inside a
    span all carry no span."""
    trace = pytest.importorskip("opentelemetry.trace")
    from opentelemetry import baggage
    from opentelemetry import context as api_context
    span = trace.NonRecordingSpan(trace.SpanContext(TRACE, SPAN, is_remote=False,
                                                    trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))
    counter = meter.create_counter("quiet")
    bound = counter.bind({"step": "bound after"})
    counter.add(1, {"step": "never"})
    token = api_context.attach(baggage.set_baggage("tenant", "a"))
    try:
        counter.add(1, {"step": "baggage"})
    finally:
        api_context.detach(token)
    with trace.use_span(span):
        counter.add(1, {"step": "empty context"}, context=api_context.Context())
        counter.add(1, {"step": "inside"})
    counter.add(1, {"step": "after"})
    bound.add(1)
    got = exemplars(provider, "quiet")
    assert ids(got["inside"]) == [HEX]
    for step in ("never", "baggage", "empty context", "after", "bound after"):
        assert got[step] == [], step


def test_the_filter_is_a_provider_setting():
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, exemplar_filter="always_on") as p:
        p.get_meter("m").create_counter("c").add(1, {"step": "none"})
        assert ids(exemplars(p, "c")["none"]) == [("", "")]
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, exemplar_filter="always_off") as p:
        otelmetrics.set_current_span(TRACE, SPAN)
        p.get_meter("m").create_counter("c").add(1, {"step": "span"})
        otelmetrics.clear_current_span()
        assert exemplars(p, "c")["span"] == []
    with pytest.raises(ValueError, match="exemplar_filter"):
        otelmetrics.MeterProvider(exporters=["none"], exemplar_filter="sometimes")


def test_a_zero_id_is_refused_with_its_reason():
    with pytest.raises(InvalidArgumentError, match="trace id is all zero"):
        otelmetrics.set_current_span(0, SPAN)
    with pytest.raises(InvalidArgumentError, match="span id is all zero"):
        otelmetrics.set_current_span(TRACE, 0)


def test_without_opentelemetry_api_no_span_is_looked_up():
    program = textwrap.dedent("""
        import sys
        class Block:   # opentelemetry-api not importable
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry" or name.startswith("opentelemetry."):
                    raise ImportError(name)
        sys.meta_path.insert(0, Block())
        import otelmetrics
        from otelmetrics import _spans
        assert _spans.reader is None and _spans.span_of is None
        with otelmetrics.MeterProvider(exporters=["none"], in_memory=True) as p:
            c = p.get_meter("m").create_counter("c")
            c.add(1, {"a": 1}); c.bind({"a": 2}).add(1)
            otelmetrics.set_current_span(1, 1)   # the library's own current span still works
            c.add(1, {"a": 3})
            text = p.read_json()
        assert text.count("traceId") == 1, text
        assert not any(m.startswith("opentelemetry") for m in sys.modules)
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("console_format", ["text", "json"])
def test_the_console_shows_exemplars(tmp_path, console_format):
    out = tmp_path / "console.txt"
    with otelmetrics.MeterProvider(exporters=["console"], console_format=console_format, console_path=out) as p:
        counter = p.get_meter("m").create_counter("c")
        otelmetrics.set_current_span(TRACE, SPAN)
        counter.add(7, {"step": "console"})
        otelmetrics.clear_current_span()
    text = out.read_text()
    if console_format == "text":
        assert f"exemplar 7 trace_id={HEX[0]} span_id={HEX[1]}" in text, text
    else:
        assert f'"traceId":"{HEX[0]}"' in text and f'"spanId":"{HEX[1]}"' in text, text


def test_another_runtime_context_is_read_through_the_api():
    """When opentelemetry-api keeps its context some other way than its
    default ContextVar, the package asks the API's ``get_current_span()``."""
    program = textwrap.dedent(f"""
        from opentelemetry import context, trace
        from opentelemetry.context.contextvars_context import ContextVarsRuntimeContext
        class Elsewhere(ContextVarsRuntimeContext):   # not the default runtime context
            pass
        context._RUNTIME_CONTEXT = Elsewhere()
        import otelmetrics
        from otelmetrics import _spans
        assert _spans.reader is None and _spans.span_of is not None
        span = trace.NonRecordingSpan(trace.SpanContext({TRACE}, {SPAN}, is_remote=False,
                                      trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))
        with otelmetrics.MeterProvider(exporters=["none"], in_memory=True) as p:
            c = p.get_meter("m").create_counter("c")
            bound = c.bind({{"a": 2}})
            c.add(1, {{"a": 1}}); bound.add(1)          # no span: no exemplar
            with trace.use_span(span):
                c.add(1, {{"a": 3}}); bound.add(1)      # each takes the span
            text = p.read_json()
        assert text.count("traceId") == 2, text
        assert text.count("{TRACE:032x}") == 2, text
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr

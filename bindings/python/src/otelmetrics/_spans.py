"""The span a measurement is made in, for exemplars.

Recording methods take the OpenTelemetry API's ``context=``; without one,
the current span of ``opentelemetry.trace``. Both only when
opentelemetry-api is importable: it is imported once, here, never on the
hot path; without it no span is looked up and nothing is passed. Code with
its own tracer can instead set the calling thread's current span in the
library (``set_current_span``), which every record on that thread then
carries (the C API's ``otelmetrics_current_span_set``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

from ._ffi_generated import TRACE_FLAGS_SAMPLED, otelmetrics_span_context
from ._library import FNS
from ._status import check

_MASK64 = (1 << 64) - 1

_get_current_span: Optional[Callable[[Any], Any]]
try:
    from opentelemetry.trace import get_current_span as _get_current_span
except ImportError:   # no opentelemetry-api: measurements carry no span
    _get_current_span = None


def _context_reader() -> Optional[Tuple[Callable[[], Any], Any, Any]]:
    """The current context's own getter, the span's key in it and the context
    the getter gives where nothing was attached (the variable's default, one
    object), when the API keeps its context the way it does by default (a
    ContextVar holding a dict): reading them directly costs ~15 ns where the
    API's ``get_current_span()`` costs ~450 (four Python calls), and outside
    every span one identity test replaces the dict lookup. None otherwise
    (another runtime context, another API layout): the API's function then."""
    try:
        import contextvars

        from opentelemetry.context import _RUNTIME_CONTEXT
        from opentelemetry.context.contextvars_context import ContextVarsRuntimeContext
        from opentelemetry.trace.propagation import _SPAN_KEY
        var = _RUNTIME_CONTEXT._current_context   # type: ignore[attr-defined]
        if type(_RUNTIME_CONTEXT) is ContextVarsRuntimeContext and isinstance(var, contextvars.ContextVar):
            # (read in an empty context: the caller's may hold a span already)
            return var.get, _SPAN_KEY, contextvars.Context().run(var.get)
    except (ImportError, AttributeError):
        pass
    return None


_reader = _context_reader() if _get_current_span is not None else None


def span_context(trace_id: int, span_id: int, sampled: bool = True) -> otelmetrics_span_context:
    """The C span context of a 128-bit trace id and a 64-bit span id (the
    integers the OpenTelemetry API's ``SpanContext`` holds)."""
    return otelmetrics_span_context(trace_id >> 64 & _MASK64, trace_id & _MASK64, span_id & _MASK64,
                                    TRACE_FLAGS_SAMPLED if sampled else 0)


_last: Tuple[Any, Any] = (None, None)   # (API SpanContext, its C struct): spans repeat


def c_span(span: Any) -> Optional[otelmetrics_span_context]:
    """The C span context of an API ``Span``, or None when it is not a valid
    span (or not a Span: the API ignores those too)."""
    global _last
    try:
        sc = span.get_span_context()
    except AttributeError:
        return None
    if not sc.is_valid:
        return None
    last = _last
    if last[0] is sc:
        return last[1]
    c = otelmetrics_span_context(sc.trace_id >> 64 & _MASK64, sc.trace_id & _MASK64, sc.span_id,
                                 int(sc.trace_flags) & 0xFF)
    _last = (sc, c)
    return c


def _span_of_api(context: Any) -> Optional[otelmetrics_span_context]:
    """The C span context of the span in ``context`` (None: the current
    context), through the API's public function."""
    return c_span(_get_current_span(context))   # type: ignore[misc]  # (not None here)


# What the record methods use, inlined: the context's getter, the span's key
# and the empty context (``reader``, the fast way), else ``span_of`` (the
# API's function), else neither (no opentelemetry-api: no span is looked up).
reader: Optional[Tuple[Callable[[], Any], Any, Any]] = _reader
span_of: Optional[Callable[[Any], Optional[otelmetrics_span_context]]] = (
    _span_of_api if _get_current_span is not None and _reader is None else None)


def set_current_span(trace_id: int, span_id: int, sampled: bool = True) -> None:
    """Makes a span the calling thread's current span in the library: records
    on this thread without a span of their own may become exemplars with its
    ids (the default filter, ``trace_based``, only takes sampled spans).
    Neither id may be 0 (``InvalidArgumentError``, a ``ValueError``, otherwise)."""
    check(FNS.otelmetrics_current_span_set(span_context(trace_id, span_id, sampled)))


def clear_current_span() -> None:
    """Clears the calling thread's current span in the library."""
    FNS.otelmetrics_current_span_clear()

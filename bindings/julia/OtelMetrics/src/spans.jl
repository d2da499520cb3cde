# The span a measurement is made in, for exemplars: passed with a call
# (`counter(1, span; route="/")`, `bound(1, span)`) or set as the task's
# thread's current span by the code that starts and ends spans.

"""
    SpanContext(trace_id::Integer, span_id::Integer; sampled::Bool=true)

A span as W3C trace context identifies it: a 128-bit trace id and a 64-bit
span id (the integers OpenTelemetry.jl holds; neither may be zero) and
whether it is sampled. The default exemplar filter (`:trace_based`) takes
measurements made in sampled spans only.
"""
struct SpanContext
    c::L.otelmetrics_span_context
end

function SpanContext(trace_id::Integer, span_id::Integer; sampled::Bool=true)
    t = UInt128(trace_id)
    flags = sampled ? UInt8(L.OTELMETRICS_TRACE_FLAGS_SAMPLED) : 0x00
    return SpanContext(L.otelmetrics_span_context(UInt64(t >> 64), UInt64(t & typemax(UInt64)), UInt64(span_id), flags))
end

"""
    set_current_span!(span::SpanContext)

Makes `span` the current span of the calling OS thread: measurements
recorded on it afterwards without a span of their own may become exemplars
with its ids. Julia tasks migrate between threads; call this where the
span's work runs, and `clear_current_span!()` when it ends.
"""
set_current_span!(span::SpanContext) = (check(L.otelmetrics_current_span_set(Ref(span.c))); nothing)

"""
    clear_current_span!()

Clears the calling thread's current span.
"""
clear_current_span!() = (L.otelmetrics_current_span_clear(); nothing)

# Where a measurement made without a span of its own finds one: `nothing`,
# or a function returning the current span's `SpanContext` (or `nothing`).
# OpenTelemetryAPI.jl's package extension (ext/) sets it when that package
# is loaded; otherwise recording pays one load and one compare for it.
const AMBIENT_SPAN = Ref{Union{Nothing,Function}}(nothing)

@inline function ambient_span()
    current = AMBIENT_SPAN[]
    return current === nothing ? nothing : current()::Union{Nothing,SpanContext}
end

# Loaded by Julia when OpenTelemetryAPI.jl is loaded beside OtelMetrics (a
# package extension): measurements made without a span of their own then
# take the current span of OpenTelemetryAPI.jl, so exemplars carry the ids
# of the spans the application's tracer started.
module OtelMetricsOpenTelemetryAPIExt

using OtelMetrics: OtelMetrics, SpanContext
using OpenTelemetryAPI: OpenTelemetryAPI

# The current span's context, or `nothing` outside a span (or for the
# invalid context, whose ids are zero and which the library would refuse).
function current_span_context()
    ctx = OpenTelemetryAPI.span_context()
    (ctx === nothing || iszero(ctx.trace_id) || iszero(ctx.span_id)) && return nothing
    return SpanContext(ctx.trace_id, ctx.span_id; sampled=ctx.trace_flag.sampled)
end

__init__() = (OtelMetrics.AMBIENT_SPAN[] = current_span_context; nothing)

end

# Meters: one instrumentation scope of a provider.

"""
    Meter(name; provider=global_meter_provider(), version="", schema_url="", attributes=nothing)

An instrumentation scope (usually your package or application name).
Instruments are made from it: `Counter{Int}("requests", meter)`. A meter
stays safe to use after its provider is shut down (calls then throw
`OtelMetricsError` with status `SHUTDOWN`).
"""
mutable struct Meter
    handle::Ptr{L.otelmetrics_meter}
    provider::MeterProvider
    name::String
    version::String
    schema_url::String
end

function Meter(name::AbstractString; provider::MeterProvider=global_meter_provider(), version::AbstractString="",
               schema_url::AbstractString="", attributes::AttributeLike=nothing)
    drain_deferred_frees()
    n, v, u = String(name), String(version), String(schema_url)
    out = Ref{Ptr{L.otelmetrics_meter}}(C_NULL)
    with_c_attributes(attributes) do ptr, count
        GC.@preserve provider n v u begin
            check(L.otelmetrics_provider_get_meter(provider_handle(provider), c_str(n), c_str(v), c_str(u), ptr, count, out))
        end
    end
    return finalizer(free!, Meter(out[], provider, n, v, u))   # the finalizer only frees
end

free!(m::Meter) = release_handle!(m, L.otelmetrics_meter_free)

"""Frees the meter; instruments made from it stay valid."""
Base.close(m::Meter) = free!(m)

meter_handle(m::Meter) = live_handle(m, "the meter")

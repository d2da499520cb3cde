# Synchronous instruments: Counter{T}, UpDownCounter{T}, Histogram{T}, Gauge{T}.
# Each Julia value type picks one C variant (u64, i64 or f64); the C
# functions of that variant are looked up once per type by `c_api`.
# Record by calling the instrument:
#     counter(2; name="apple", color="green")
#     counter(2, Dict("name" => "apple"))      # or a NamedTuple
#     counter(2, attribute_set)                # a pre-built Attributes
#     bound = bind_attributes(counter; name="apple"); bound(2)

abstract type Instrument{T} end

"""Converts a measurement to the C variant's value type, refusing what C would misread."""
to_c_value(::Type{UInt64}, x::Real) = x < 0 ? out_of_range(UInt64, x) : convert(UInt64, x)
to_c_value(::Type{Int64}, x::Real) = convert(Int64, x)
# An integer C cannot hold is a mistake seen before the call: an ArgumentError
# with Python's message (README, "One rule in both bindings").
# (One method per type: a `where T` method would be ambiguous with the Real ones.)
to_c_value(::Type{UInt64}, x::Integer) = 0 <= x <= typemax(UInt64) ? UInt64(x) : out_of_range(UInt64, x)
to_c_value(::Type{Int64}, x::Integer) = typemin(Int64) <= x <= typemax(Int64) ? Int64(x) : out_of_range(Int64, x)
out_of_range(::Type{T}, x) where {T} =
    throw(ArgumentError("$x is out of range for $(T === UInt64 ? "u64" : "i64") ($(typemin(T))..$(typemax(T)))"))
to_c_value(::Type{Float64}, x::Real) = convert(Float64, x)

const SYNC_DOCS = Dict(
    :Counter => "A monotonic sum (`T` = `Int`/`UInt64` or `Float64`); increments must be ≥ 0.",
    :UpDownCounter => "A sum that goes up and down (`T` = `Int` or `Float64`).",
    :Histogram => "A distribution of values (`T` = `Int`/`UInt64`, values ≥ 0, or `Float64`); `boundaries` are advisory bucket boundaries.",
    :Gauge => "The last recorded value wins (`T` = `UInt64`, `Int` or `Float64`).",
)

# (Julia name, C name stem, verb, (Julia value types => C variant)...)
const SYNC_KINDS = (
    (:Counter, "counter", "add", (Union{Int64, UInt64} => ("u64", UInt64), Float64 => ("f64", Float64))),
    (:UpDownCounter, "up_down_counter", "add", (Int64 => ("i64", Int64), Float64 => ("f64", Float64))),
    (:Histogram, "histogram", "record", (Union{Int64, UInt64} => ("u64", UInt64), Float64 => ("f64", Float64))),
    (:Gauge, "gauge", "record", (UInt64 => ("u64", UInt64), Int64 => ("i64", Int64), Float64 => ("f64", Float64))),
)

for (K, stem, verb, variants) in SYNC_KINDS
    B = Symbol(:Bound, K)
    signature = "$K{T}(name, meter; description=\"\", unit=\"\"" * (K === :Histogram ? ", boundaries=nothing)" : ")")
    doc = "    $signature\n\n$(SYNC_DOCS[K]) `close` frees it (idempotent); the finalizer only frees.\n"
    bound_doc = "A `$K` bound to one attribute set: `bound(value)` records with no attribute work at all.\n"
    @eval begin
        @doc $doc mutable struct $K{T<:Real} <: Instrument{T}
            handle::Ptr{Cvoid}
            meter::Meter
            name::String
            description::String
            unit::String
        end

        @doc $bound_doc mutable struct $B{T<:Real}
            handle::Ptr{Cvoid}
            instrument::$K{T}
        end
    end
    for (JT, (suffix, CT)) in variants
        c = "$(stem)_$(suffix)"
        fn(parts...) = :(L.$(Symbol("otelmetrics_", parts...)))
        @eval c_api(::Type{$K{T}}) where {T<:$JT} = (
            create = $(fn("meter_create_", c)),
            record = $(fn(c, "_", verb)),
            record_with_set = $(fn(c, "_", verb, "_with_set")),
            record_in_span = $(fn(c, "_", verb, "_in_span")),
            record_with_set_in_span = $(fn(c, "_", verb, "_with_set_in_span")),
            bound_record_in_span = $(fn("bound_", c, "_", verb, "_in_span")),
            bind = $(fn(c, "_bind")),
            enabled = $(fn(c, "_enabled")),
            free = $(fn(c, "_free")),
            bound_record = $(fn("bound_", c, "_", verb)),
            bound_free = $(fn("bound_", c, "_free")),
            handle_type = $(fn(c)),               # the C type behind the handle, for out-parameters
            bound_handle_type = $(fn("bound_", c)),
            value_type = $CT,
        )
    end
end

const SyncInstrument{T} = Union{Counter{T}, UpDownCounter{T}, Histogram{T}, Gauge{T}}
const BoundInstrument{T} = Union{BoundCounter{T}, BoundUpDownCounter{T}, BoundHistogram{T}, BoundGauge{T}}

function (::Type{K})(name::AbstractString, meter::Meter; description::AbstractString="", unit::AbstractString="",
                     boundaries=nothing) where {K<:SyncInstrument}
    drain_deferred_frees()
    api = c_api(K)
    n, d, u = String(name), String(description), String(unit)
    out = Ref{Ptr{api.handle_type}}(C_NULL)   # exactly the C out-parameter's type: ccall converts no Ref
    GC.@preserve meter n d u begin
        if K <: Histogram
            # a Vector passed to ccall is converted and kept alive by ccall itself
            bounds = boundaries === nothing ? Float64[] : Float64.(collect(boundaries))
            check(api.create(meter_handle(meter), c_str(n), c_str(d), c_str(u), bounds, length(bounds), out))
        else
            boundaries === nothing || throw(ArgumentError("only a Histogram takes bucket boundaries"))
            check(api.create(meter_handle(meter), c_str(n), c_str(d), c_str(u), out))
        end
    end
    return finalizer(free!, K(out[], meter, n, d, u))   # the finalizer only frees
end

instrument_handle(x) = live_handle(x, string(nameof(typeof(x))))

"""
    isenabled(instrument) -> Bool

The API's `Enabled`: `false` when a measurement would be recorded nowhere (the meter is
disabled by `meter_configurator`, every view selecting the instrument drops it, or the
provider was shut down). One load, no lock: check it before building expensive attributes.
"""
isenabled(i::K) where {K<:SyncInstrument} = GC.@preserve i c_api(K).enabled(instrument_handle(i))

# Recording: keyword attributes, a Dict/NamedTuple/pairs, or a pre-built set;
# in the current span of OpenTelemetryAPI.jl when that package is loaded.
(i::SyncInstrument)(value::Real; attributes...) = record_ambient(i, value, attributes)
(i::SyncInstrument)(value::Real, attributes::AttributeLike) = record_ambient(i, value, attributes)
(i::SyncInstrument)(value::Real, set::Attributes) = record_ambient(i, value, set)

@inline function record_ambient(i::SyncInstrument, value::Real, attributes)
    span = ambient_span()
    return span === nothing ? record(i, value, attributes) : record(i, value, attributes, span)
end

# In a span (exemplars carry its ids): `counter(2, span; name="apple")`.
(i::SyncInstrument)(value::Real, span::SpanContext; attributes...) = record(i, value, attributes, span)
(i::SyncInstrument)(value::Real, span::SpanContext, attributes::AttributeLike) = record(i, value, attributes, span)
(i::SyncInstrument)(value::Real, span::SpanContext, set::Attributes) = record(i, value, set, span)

function record(i::K, value::Real, attributes, span::SpanContext) where {K<:SyncInstrument}
    api = c_api(K)
    v = to_c_value(api.value_type, value)
    with_c_attributes(attributes) do ptr, n
        GC.@preserve i check(api.record_in_span(instrument_handle(i), v, ptr, n, Ref(span.c)))
    end
    return nothing
end

function record(i::K, value::Real, set::Attributes, span::SpanContext) where {K<:SyncInstrument}
    api = c_api(K)
    v = to_c_value(api.value_type, value)
    GC.@preserve i set check(api.record_with_set_in_span(instrument_handle(i), v, set_handle(set), Ref(span.c)))
    return nothing
end

function record(i::K, value::Real, attributes) where {K<:SyncInstrument}
    api = c_api(K)
    v = to_c_value(api.value_type, value)
    with_c_attributes(attributes) do ptr, n
        GC.@preserve i check(api.record(instrument_handle(i), v, ptr, n))
    end
    return nothing
end

function record(i::K, value::Real, set::Attributes) where {K<:SyncInstrument}
    api = c_api(K)
    v = to_c_value(api.value_type, value)
    GC.@preserve i set check(api.record_with_set(instrument_handle(i), v, set_handle(set)))
    return nothing
end

"""
    bind_attributes(instrument; attributes...)
    bind_attributes(instrument, attributes_or_set)

The instrument bound to one attribute set: the fastest way to record the
same series again and again (`bound(1)`). `close` frees it; the instrument
and the set may be closed independently.
"""
bind_attributes(i::SyncInstrument; attributes...) = bind_attributes(i, attributes)

function bind_attributes(i::SyncInstrument, attributes::AttributeLike)
    set = Attributes(attributes)
    try
        return bind_attributes(i, set)
    finally
        close(set)   # the bound instrument does not need the set any more
    end
end

function bind_attributes(i::K, set::Attributes) where {K<:SyncInstrument}
    api = c_api(K)
    out = Ref{Ptr{api.bound_handle_type}}(C_NULL)
    GC.@preserve i set check(api.bind(instrument_handle(i), set_handle(set), out))
    bound = bound_type(K)(out[], i)
    return finalizer(free!, bound)   # the finalizer only frees
end

bound_type(::Type{<:Counter{T}}) where {T} = BoundCounter{T}
bound_type(::Type{<:UpDownCounter{T}}) where {T} = BoundUpDownCounter{T}
bound_type(::Type{<:Histogram{T}}) where {T} = BoundHistogram{T}
bound_type(::Type{<:Gauge{T}}) where {T} = BoundGauge{T}

function (b::BoundInstrument)(value::Real)
    span = ambient_span()
    span === nothing || return b(value, span)
    api = c_api(typeof(b.instrument))
    GC.@preserve b check(api.bound_record(instrument_handle(b), to_c_value(api.value_type, value)))
    return nothing
end

function (b::BoundInstrument)(value::Real, span::SpanContext)
    api = c_api(typeof(b.instrument))
    GC.@preserve b check(api.bound_record_in_span(instrument_handle(b), to_c_value(api.value_type, value), Ref(span.c)))
    return nothing
end

free!(i::SyncInstrument) = release_handle!(i, c_api(typeof(i)).free)
free!(b::BoundInstrument) = release_handle!(b, c_api(typeof(b.instrument)).bound_free)

Base.close(i::SyncInstrument) = free!(i)
Base.close(b::BoundInstrument) = free!(b)

# Views: which instruments a stream selects and how it changes them. A `View`
# is plain Julia data; the C view is made, filled and handed to the builder
# only while a provider is being built (see `add_view!`).

abstract type Aggregation end
"""Drops the selected instruments' data."""
struct DropAggregation <: Aggregation end
"""Aggregates as a sum."""
struct SumAggregation <: Aggregation end
"""Keeps the last value."""
struct LastValueAggregation <: Aggregation end
"""An explicit-bucket histogram (boundaries finite and strictly increasing)."""
struct ExplicitBucketHistogramAggregation <: Aggregation
    boundaries::Vector{Float64}
    record_min_max::Bool
end
ExplicitBucketHistogramAggregation(boundaries; record_min_max::Bool=true) =
    ExplicitBucketHistogramAggregation(Float64.(collect(boundaries)), record_min_max)
"""A base-2 exponential histogram: at most `max_size` buckets per sign, starting scale `max_scale`."""
Base.@kwdef struct Base2ExponentialHistogramAggregation <: Aggregation
    max_size::Int = 160
    max_scale::Int = 20
    record_min_max::Bool = true
end

"""
    View(; instrument_name, instrument_kind, unit, meter_name, meter_version,
           name, description, allowed_attribute_keys, denied_attribute_keys,
           aggregation, cardinality_limit)

Selects instruments (name with `*`/`?` wildcards, kind such as `:counter`,
unit, meter) and changes their stream (name, description, attribute keys,
aggregation, cardinality limit). Unset fields select or change nothing.
Invalid combinations are reported when the provider is built.
"""
Base.@kwdef struct View
    instrument_name::Union{Nothing, String} = nothing
    instrument_kind::Union{Nothing, Symbol} = nothing
    unit::Union{Nothing, String} = nothing
    meter_name::Union{Nothing, String} = nothing
    meter_version::String = ""
    name::Union{Nothing, String} = nothing
    description::Union{Nothing, String} = nothing
    allowed_attribute_keys::Union{Nothing, Vector{String}} = nothing
    denied_attribute_keys::Union{Nothing, Vector{String}} = nothing
    aggregation::Union{Nothing, Aggregation} = nothing
    cardinality_limit::Union{Nothing, Int} = nothing
end

const INSTRUMENT_KINDS = Dict(
    :counter => L.OTELMETRICS_INSTRUMENT_KIND_COUNTER,
    :up_down_counter => L.OTELMETRICS_INSTRUMENT_KIND_UP_DOWN_COUNTER,
    :histogram => L.OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM,
    :gauge => L.OTELMETRICS_INSTRUMENT_KIND_GAUGE,
    :observable_counter => L.OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_COUNTER,
    :observable_up_down_counter => L.OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_UP_DOWN_COUNTER,
    :observable_gauge => L.OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_GAUGE,
)

"""Calls `f(handle, c_str)` with a string view of `s` kept alive."""
function with_str(f, handle, s::AbstractString)
    str = String(s)
    result = GC.@preserve str f(handle, c_str(str))
    return result
end

function set_aggregation!(view, ::DropAggregation)
    check(L.otelmetrics_view_set_aggregation_drop(view))
end
function set_aggregation!(view, ::SumAggregation)
    check(L.otelmetrics_view_set_aggregation_sum(view))
end
function set_aggregation!(view, ::LastValueAggregation)
    check(L.otelmetrics_view_set_aggregation_last_value(view))
end
function set_aggregation!(view, a::ExplicitBucketHistogramAggregation)
    b = a.boundaries
    check(L.otelmetrics_view_set_aggregation_explicit_buckets(view, b, length(b), a.record_min_max))   # a count of doubles
end
function set_aggregation!(view, a::Base2ExponentialHistogramAggregation)
    check(L.otelmetrics_view_set_aggregation_exponential(view, UInt32(a.max_size), Int32(a.max_scale), a.record_min_max))
end

function set_attribute_keys!(setter, view, keys::Vector{String})
    GC.@preserve keys begin
        views = L.otelmetrics_str[c_str(k) for k in keys]   # rooted: each k is an element of the preserved keys
        check(setter(view, views, length(views)))   # a count of strings, not bytes
    end
end

"""Makes the C view of `v`, adds it to `builder`, frees the C view."""
function add_view!(builder::Ptr{L.otelmetrics_provider_builder}, v::View)
    out = Ref{Ptr{L.otelmetrics_view}}(C_NULL)
    check(L.otelmetrics_view_new(out))
    view = out[]
    try
        v.instrument_name === nothing || with_str((h, s) -> check(L.otelmetrics_view_select_instrument_name(h, s)), view, v.instrument_name)
        if v.instrument_kind !== nothing
            kind = get(INSTRUMENT_KINDS, v.instrument_kind) do
                throw(ArgumentError("unknown instrument kind :$(v.instrument_kind); one of $(sort(collect(keys(INSTRUMENT_KINDS))))"))
            end
            check(L.otelmetrics_view_select_instrument_kind(view, kind))
        end
        v.unit === nothing || with_str((h, s) -> check(L.otelmetrics_view_select_unit(h, s)), view, v.unit)
        if v.meter_name !== nothing
            name, version = v.meter_name, v.meter_version
            GC.@preserve name version check(L.otelmetrics_view_select_meter(view, c_str(name), c_str(version)))
        end
        v.name === nothing || with_str((h, s) -> check(L.otelmetrics_view_set_name(h, s)), view, v.name)
        v.description === nothing || with_str((h, s) -> check(L.otelmetrics_view_set_description(h, s)), view, v.description)
        v.allowed_attribute_keys === nothing || set_attribute_keys!(L.otelmetrics_view_allow_attribute_keys, view, v.allowed_attribute_keys)
        v.denied_attribute_keys === nothing || set_attribute_keys!(L.otelmetrics_view_deny_attribute_keys, view, v.denied_attribute_keys)
        v.aggregation === nothing || set_aggregation!(view, v.aggregation)
        v.cardinality_limit === nothing || check(L.otelmetrics_view_set_cardinality_limit(view, v.cardinality_limit))
        check(L.otelmetrics_provider_builder_add_view(builder, view))
    finally
        L.otelmetrics_view_free(view)
    end
    return nothing
end

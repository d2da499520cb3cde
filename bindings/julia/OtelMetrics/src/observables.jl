# Asynchronous instruments: ObservableCounter{T}, ObservableUpDownCounter{T},
# ObservableGauge{T}, and callbacks that report for several of them.
#
#     ObservableGauge{Float64}("temperature", meter; unit="Cel") do
#         [Measurement(21.5; room="kitchen"), Measurement(19.0; room="cellar")]
#     end
#
# A callback returns one value, one `Measurement`, or any collection of them.
# Observable counters report totals (cumulative): return the current total,
# not the increase since the last call.

abstract type ObservableInstrument{T} end

const OBSERVABLE_DOCS = Dict(
    :ObservableCounter => "Reports a monotonic total (`T` = `Int`/`UInt64` or `Float64`), e.g. CPU seconds: return the total, not an increment.",
    :ObservableUpDownCounter => "Reports a total that goes up and down (`T` = `Int` or `Float64`), e.g. items in a queue.",
    :ObservableGauge => "Reports a current value (`T` = `UInt64`, `Int` or `Float64`), e.g. a temperature.",
)

const OBSERVABLE_KINDS = (
    (:ObservableCounter, "observable_counter", (Union{Int64, UInt64} => ("u64", UInt64), Float64 => ("f64", Float64))),
    (:ObservableUpDownCounter, "observable_up_down_counter", (Int64 => ("i64", Int64), Float64 => ("f64", Float64))),
    (:ObservableGauge, "observable_gauge", (UInt64 => ("u64", UInt64), Int64 => ("i64", Int64), Float64 => ("f64", Float64))),
)

for (K, stem, variants) in OBSERVABLE_KINDS
    doc = "    $K{T}(callback, name, meter; description=\"\", unit=\"\")\n\n$(OBSERVABLE_DOCS[K]) " *
          "`callback` (or `nothing`: only `register_callback` callbacks report) runs once per collection " *
          "on the export thread. `close` unregisters and frees it.\n"
    @eval @doc $doc mutable struct $K{T<:Real} <: ObservableInstrument{T}
        handle::Ptr{Cvoid}
        meter::Meter
        name::String
        description::String
        unit::String
        state::Union{Nothing, CallbackState}
    end
    for (JT, (suffix, CT)) in variants
        c = "$(stem)_$(suffix)"
        @eval c_api(::Type{$K{T}}) where {T<:$JT} = (
            create = L.$(Symbol("otelmetrics_meter_create_", c)),
            free = L.$(Symbol("otelmetrics_", c, "_free")),
            handle_type = L.$(Symbol("otelmetrics_", c)),   # for the out-parameter
            value_type = $CT,
        )
    end
end

c_value_type(i::ObservableInstrument) = c_api(typeof(i)).value_type

function (::Type{K})(callback, name::AbstractString, meter::Meter; description::AbstractString="",
                     unit::AbstractString="") where {K<:ObservableInstrument}
    drain_deferred_frees()
    api = c_api(K)
    n, d, u = String(name), String(description), String(unit)
    state = callback === nothing ? nothing : root!(CallbackState(callback, api.value_type, Any[], n, 0))
    out = Ref{Ptr{api.handle_type}}(C_NULL)   # exactly the C out-parameter's type: ccall converts no Ref
    GC.@preserve meter n d u state begin
        # Without a callback the library gets NULL everywhere; with one, the
        # release function unroots the state exactly once, also when this fails.
        cb, data, release = state === nothing ? (C_NULL, C_NULL, C_NULL) :
                            (observe_fn(), pointer_from_objref(state), release_fn())
        check(api.create(meter_handle(meter), c_str(n), c_str(d), c_str(u), cb, data, release, out))
    end
    return finalizer(finalize_deferred, K(out[], meter, n, d, u, state))
end

# Registration without a callback at all: `ObservableGauge{Float64}("name", meter)`.
(::Type{K})(name::AbstractString, meter::Meter; kwargs...) where {K<:ObservableInstrument} = K(nothing, name, meter; kwargs...)

"""How many times this instrument's callback threw (each time it was caught and printed)."""
callback_errors(i::ObservableInstrument) = i.state === nothing ? 0 : @atomic(i.state.errors)

"""Unregisters the callback (waiting for a running call) and frees the instrument. Idempotent."""
function Base.close(i::ObservableInstrument)
    in_callback() && throw(OtelMetricsError(STATUS_REENTRANT_CALL, "REENTRANT_CALL", "an instrument cannot be closed from a callback"))
    release_handle!(i, c_api(typeof(i)).free)   # GC-safe: waits for a running callback
end

finalize_deferred(i::ObservableInstrument) = defer_free!(i, c_api(typeof(i)).free, i.handle)

instrument_handle(i::ObservableInstrument) = live_handle(i, i.name)

"""
    register_callback(callback, meter, instruments) -> CallbackRegistration

One callback reporting for several observable instruments of `meter`'s
provider; it returns `instrument => value` (or `=> Measurement`, or `=>` a
collection of them) pairs:

```julia
reg = register_callback(meter, [used, free]) do
    (used => Measurement(3.2e9; pool="heap"), free => 1.1e9)
end
```
`unregister(reg)` stops it; `close(reg)` unregisters and frees.
"""
mutable struct CallbackRegistration
    handle::Ptr{L.otelmetrics_callback_registration}
    state::CallbackState
end

function register_callback(callback, meter::Meter, instruments::AbstractVector{<:ObservableInstrument})
    drain_deferred_frees()
    label = "callback for " * join((i.name for i in instruments), ", ")
    state = root!(CallbackState(callback, Float64, collect(Any, instruments), label, 0))
    handles = Ptr{Cvoid}[instrument_handle(i) for i in instruments]   # a Vector given to ccall is kept alive by ccall
    out = Ref{Ptr{L.otelmetrics_callback_registration}}(C_NULL)
    GC.@preserve meter instruments state begin
        check(L.otelmetrics_meter_register_callback(meter_handle(meter), handles, length(handles), observe_fn(),
                                                    pointer_from_objref(state), release_fn(), out))
    end
    return finalizer(finalize_deferred, CallbackRegistration(out[], state))
end

"""Stops the callback; it is not called again once this returns. Idempotent."""
function unregister(r::CallbackRegistration)
    r.handle == C_NULL && return nothing
    GC.@preserve r check(L.otelmetrics_callback_registration_unregister(r.handle))
    return nothing
end

function Base.close(r::CallbackRegistration)
    in_callback() && throw(OtelMetricsError(STATUS_REENTRANT_CALL, "REENTRANT_CALL", "a registration cannot be closed from a callback"))
    release_handle!(r, L.otelmetrics_callback_registration_free)   # unregisters first
end

callback_errors(r::CallbackRegistration) = @atomic r.state.errors

finalize_deferred(r::CallbackRegistration) =
    defer_free!(r, L.otelmetrics_callback_registration_free, Ptr{Cvoid}(r.handle))

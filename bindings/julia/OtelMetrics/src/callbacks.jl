# Calls from the library into Julia: observable callbacks, their user data,
# and the deferred frees that keep finalizers from blocking.
#
# - The C callback is `@cfunction` of a top-level function (never a closure:
#   closures need trampolines that are not available on every platform).
#   The Julia side travels as `user_data = pointer_from_objref(state)`; the
#   state is rooted in `ROOTED_STATES` from before registration until the
#   library calls the release function (exactly once, when no call of the
#   callback is running any more).
# - Callbacks run on a library thread (a foreign thread Julia 1.9+ adopts:
#   one callback thread per export thread, kept) or on the thread in
#   `read_json`. Nothing may unwind into Rust:
#   every exception is caught, counted and printed without yielding.
# - Freeing an observable instrument or a registration waits for a running
#   callback, which may need this thread's cooperation with the GC: a
#   finalizer must never do that. Finalizers queue the handle instead, and
#   the next API call outside a callback (or exit) frees it.

"""
    Measurement(value; attributes...)
    Measurement(value, attributes)

One observation returned by an observable callback: a value and its
attributes (keywords, a `Dict` or a `NamedTuple`).
"""
struct Measurement{T<:Real, A}
    value::T
    attributes::A
end
Measurement(value::Real; attributes...) = Measurement(value, attributes)

"""What the library hands back to `observe_trampoline`."""
mutable struct CallbackState
    callback::Any                 # the user's function
    value_type::DataType          # UInt64, Int64 or Float64: which observe function
    instruments::Vector{Any}      # empty for an instrument's own callback; else who it reports for
    label::String                 # for messages
    @atomic errors::Int           # exceptions the callback threw (caught)
end

const ROOTED_STATES = IdDict{CallbackState, Nothing}()
const ROOTED_STATES_LOCK = Threads.SpinLock()   # short sections; never yields (callbacks run on foreign threads)

function root!(state::CallbackState)
    lock(ROOTED_STATES_LOCK)
    try
        ROOTED_STATES[state] = nothing
    finally
        unlock(ROOTED_STATES_LOCK)
    end
    return state
end

function unroot!(state::CallbackState)
    lock(ROOTED_STATES_LOCK)
    try
        delete!(ROOTED_STATES, state)
    finally
        unlock(ROOTED_STATES_LOCK)
    end
    return nothing
end

"""Callback states the library may still call (for tests and leak checks)."""
function rooted_callback_count()
    lock(ROOTED_STATES_LOCK)
    try
        return length(ROOTED_STATES)
    finally
        unlock(ROOTED_STATES_LOCK)
    end
end

# ---- The trampolines (top-level functions, given to C through @cfunction) ----

const IN_CALLBACK = :otelmetrics_in_callback

function observe_trampoline(observer::Ptr{L.otelmetrics_observer}, user_data::Ptr{Cvoid})::Cvoid
    try
        state = unsafe_pointer_to_objref(user_data)::CallbackState
        task_local_storage(IN_CALLBACK, true) do
            report(state, observer, state.callback())
        end
    catch err
        callback_failed(user_data, err)
    end
    return nothing
end

function release_trampoline(user_data::Ptr{Cvoid})::Cvoid
    try
        unroot!(unsafe_pointer_to_objref(user_data)::CallbackState)
    catch err
        callback_failed(user_data, err)
    end
    return nothing
end

observe_fn() = @cfunction(observe_trampoline, Cvoid, (Ptr{L.otelmetrics_observer}, Ptr{Cvoid}))
release_fn() = @cfunction(release_trampoline, Cvoid, (Ptr{Cvoid},))

"""Counts and prints a callback's exception; never throws, never yields."""
function callback_failed(user_data::Ptr{Cvoid}, err)
    try
        state = unsafe_pointer_to_objref(user_data)::CallbackState
        @atomic state.errors += 1
        Core.println(Core.stderr, "otelmetrics: the callback of ", state.label, " threw: ", sprint(showerror, err))
    catch
    end
    return nothing
end

in_callback() = get(task_local_storage(), IN_CALLBACK, false)::Bool

# ---- Reporting what a callback returned ----

report(state, observer, ::Nothing) = nothing
report(state, observer, value::Real) = observe(state, observer, nothing, value, nothing)
report(state, observer, m::Measurement) = observe(state, observer, nothing, m.value, m.attributes)
function report(state, observer, pair::Pair)
    instrument, result = pair
    instrument in state.instruments ||
        throw(ArgumentError("$(instrument.name) is not one of the instruments this callback was registered for"))
    report_for(state, observer, instrument, result)
end
# Many measurements, values or instrument => result pairs. Only real
# collections: a String or a Char is iterable too, and would recurse forever.
const Results = Union{AbstractVector, Tuple, AbstractSet, Base.Generator}

function report(state, observer, results::Results)
    for r in results
        report(state, observer, r)
    end
end
report(state, observer, other) = throw(ArgumentError(
    "a callback returns a number, a Measurement, a collection of them, or instrument => ... pairs; got $(typeof(other))"))

report_for(state, observer, instrument, value::Real) = observe(state, observer, instrument, value, nothing)
report_for(state, observer, instrument, m::Measurement) = observe(state, observer, instrument, m.value, m.attributes)
function report_for(state, observer, instrument, results::Results)
    for r in results
        report_for(state, observer, instrument, r)
    end
end
report_for(state, observer, instrument, other) = report(state, observer, other)   # the same error

function observe(state::CallbackState, observer, instrument, value::Real, attributes)
    status = with_c_attributes(attributes) do ptr, n
        if instrument === nothing
            observe_value(state.value_type, observer, value, ptr, n)
        else
            GC.@preserve instrument observe_value_for(c_value_type(instrument), observer, instrument_handle(instrument), value, ptr, n)
        end
    end
    check(status)   # caught by the trampoline, which reports it
end

observe_value(::Type{UInt64}, o, v, ptr, n) = L.otelmetrics_observer_observe_u64(o, to_c_value(UInt64, v), ptr, n)
observe_value(::Type{Int64}, o, v, ptr, n) = L.otelmetrics_observer_observe_i64(o, to_c_value(Int64, v), ptr, n)
observe_value(::Type{Float64}, o, v, ptr, n) = L.otelmetrics_observer_observe_f64(o, to_c_value(Float64, v), ptr, n)
observe_value_for(::Type{UInt64}, o, h, v, ptr, n) = L.otelmetrics_observer_observe_u64_for(o, h, to_c_value(UInt64, v), ptr, n)
observe_value_for(::Type{Int64}, o, h, v, ptr, n) = L.otelmetrics_observer_observe_i64_for(o, h, to_c_value(Int64, v), ptr, n)
observe_value_for(::Type{Float64}, o, h, v, ptr, n) = L.otelmetrics_observer_observe_f64_for(o, h, to_c_value(Float64, v), ptr, n)

# ---- Deferred frees ----

const DEFERRED_FREES = Tuple{Any, Ptr{Cvoid}}[]    # (C free function, handle)
const DEFERRED_FREES_LOCK = Threads.SpinLock()

"""
For finalizers: queue `free(handle)` for the next safe moment. A finalizer
may run while this thread holds the lock (it runs at an allocation), so it
only tries the lock, and on failure asks to be run again at a later GC.
"""
function defer_free!(owner, free, handle::Ptr{Cvoid})
    handle == C_NULL && return nothing
    if trylock(DEFERRED_FREES_LOCK)
        try
            push!(DEFERRED_FREES, (free, handle))
            owner.handle = C_NULL
        finally
            unlock(DEFERRED_FREES_LOCK)
        end
    else
        finalizer(finalize_deferred, owner)
    end
    return nothing
end

"""Frees what finalizers queued. Never inside a callback (the library forbids it there)."""
function drain_deferred_frees()
    in_callback() && return nothing
    lock(DEFERRED_FREES_LOCK)
    pending = try
        splice!(DEFERRED_FREES, eachindex(DEFERRED_FREES))
    finally
        unlock(DEFERRED_FREES_LOCK)
    end
    for (free, handle) in pending
        free(handle)
    end
    return nothing
end

# The library's diagnostics (failed or slow exports, recoveries) that no call
# can return. By default they go to stderr, filtered by OTEL_LOG_LEVEL; a
# Julia hook can take them instead. The hook runs on the export thread: keep
# it short and non-blocking (push to a Channel, increment a counter).

const LOG_LEVELS = Dict(L.OTELMETRICS_LOG_ERROR => :error, L.OTELMETRICS_LOG_WARN => :warn,
                        L.OTELMETRICS_LOG_INFO => :info, L.OTELMETRICS_LOG_DEBUG => :debug)

# The hook lives in this box while the library holds a pointer to it.
const DIAGNOSTIC_HOOK = Ref{Any}(nothing)

function diagnostic_trampoline(level::L.otelmetrics_log_level, message::L.otelmetrics_str, user_data::Ptr{Cvoid})::Cvoid
    try
        box = unsafe_pointer_to_objref(user_data)::Base.RefValue{Any}
        hook = box[]
        hook === nothing || hook(get(LOG_LEVELS, level, :error), unsafe_string(message.ptr, message.len))
    catch err
        try
            Core.println(Core.stderr, "otelmetrics: the diagnostic hook threw: ", sprint(showerror, err))
        catch
        end
    end
    return nothing
end

"""
    set_diagnostic_hook(hook)

`hook(level::Symbol, message::String)` receives the library's diagnostics
(`level` is `:error`, `:warn`, `:info` or `:debug`) on the export thread;
`nothing` goes back to stderr.
"""
function set_diagnostic_hook(hook)
    DIAGNOSTIC_HOOK[] = hook
    if hook === nothing
        check(L.otelmetrics_set_diagnostic_hook(C_NULL, C_NULL))
    else
        fn = @cfunction(diagnostic_trampoline, Cvoid, (L.otelmetrics_log_level, L.otelmetrics_str, Ptr{Cvoid}))
        box = DIAGNOSTIC_HOOK   # a module constant: rooted for the life of the process
        GC.@preserve box check(L.otelmetrics_set_diagnostic_hook(fn, pointer_from_objref(box)))
    end
    return nothing
end

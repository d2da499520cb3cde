# Library failures as Julia exceptions. Every fallible C call returns a
# status; `check` turns a non-OK one into an `OtelMetricsError` carrying the
# library's own message, read on this thread right after the failing call
# (the message is thread-local in the library, and a Julia task does not
# migrate between the call and the read: nothing in between yields).

"""
    OtelMetricsError(status, name, message)

A call into otelmetrics failed. `status` is the library's code (compare with
the `STATUS_*` constants), `name` its symbolic name (e.g. `"INVALID_NAME"`),
`message` the library's explanation.
"""
struct OtelMetricsError <: Exception
    status::UInt32
    name::String
    message::String
end

# The library's messages already start with the status name ("INVALID_NAME: ...").
Base.showerror(io::IO, e::OtelMetricsError) =
    print(io, "OtelMetricsError: ", startswith(e.message, e.name) ? e.message : e.name * ": " * e.message)

const STATUS_OK = L.OTELMETRICS_STATUS_OK
const STATUS_SHUTDOWN = L.OTELMETRICS_STATUS_SHUTDOWN
const STATUS_TIMEOUT = L.OTELMETRICS_STATUS_TIMEOUT
const STATUS_EXPORT_FAILED = L.OTELMETRICS_STATUS_EXPORT_FAILED
const STATUS_REENTRANT_CALL = L.OTELMETRICS_STATUS_REENTRANT_CALL

"""The library's explanation of the latest failure on this thread."""
function last_error_message()
    len = Ref{Csize_t}(0)
    ptr = L.otelmetrics_last_error_message(len)
    ptr == C_NULL && return ""
    return unsafe_string(ptr, len[])     # copied: the buffer is reused by the next call
end

status_name(status::Integer) = unsafe_string(L.otelmetrics_status_name(UInt32(status)))

"""Throws an `OtelMetricsError` unless `status` is OK."""
@inline function check(status::UInt32)
    status == STATUS_OK && return nothing
    throw_status(status)
end

@noinline throw_status(status::UInt32) = throw(OtelMetricsError(status, status_name(status), last_error_message()))

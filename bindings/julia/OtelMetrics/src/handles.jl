# Every Julia object here owns one C handle in its `handle` field.

"""
Frees `owner.handle` with the C function `free` exactly once: the field is
NULL afterwards, and the library's free functions take NULL as a no-op, so
`close` and the finalizer may both end here in any order.
"""
function release_handle!(owner, free)
    handle = owner.handle
    owner.handle = C_NULL
    free(handle)
    return nothing
end

"""
The handle of `owner` for a call on it: NULL once it is closed (never a freed
pointer: `release_handle!` clears the field before freeing). The NULL goes to
the library like any handle, and its guard reports `NULL_POINTER` ("the
otelmetrics_meter handle is NULL"), so using a closed object throws the same
error with the same message as in Python (README, "One rule in both
bindings"). `what` names the object for callers' messages.
"""
live_handle(owner, what) = owner.handle

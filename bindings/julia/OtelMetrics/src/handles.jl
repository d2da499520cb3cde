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

"""The live handle of `owner`, or an `ArgumentError` once it is closed (never a freed pointer to C)."""
function live_handle(owner, what)
    owner.handle == C_NULL && throw(ArgumentError("$what is closed"))
    return owner.handle
end

# Julia attributes to the C `otelmetrics_attribute` array.
#
# The C structs only point into Julia memory (strings, arrays). Every object
# pointed into is pushed to `CAttributes.roots` in the same statement that
# takes its pointer, and every C call that reads the array runs inside
# `GC.@preserve` of the whole `CAttributes` (see `with_c_attributes`).
# Byte lengths are `sizeof` (UTF-8 bytes), never `length` (characters).

"""A C string view of `s` (which must stay alive while C reads it)."""
c_str(s::String) = L.otelmetrics_str(pointer(s), sizeof(s))

"""
    CAttributes

Attributes converted for one C call: the C array and the Julia objects it
points into. Keep it alive (`GC.@preserve`) for the duration of the call.
"""
struct CAttributes
    attrs::Vector{L.otelmetrics_attribute}
    roots::Vector{Any}
end

"""Attributes accepted everywhere: keyword arguments, a `Dict`, a `NamedTuple`,
pairs, or nothing."""
const AttributeLike = Union{Nothing, AbstractDict, NamedTuple, Base.Pairs, AbstractVector{<:Pair}, Tuple{Vararg{Pair}}}

attribute_pairs(::Nothing) = ()
attribute_pairs(a::NamedTuple) = pairs(a)
attribute_pairs(a) = a

function c_attributes(attributes)
    buf = CAttributes(L.otelmetrics_attribute[], Any[])
    for (k, v) in attribute_pairs(attributes)
        key = rooted_string(buf, k)
        tag, value = c_value(buf, v)
        push!(buf.attrs, L.otelmetrics_attribute(key, tag, value))
    end
    return buf
end

function rooted_string(buf::CAttributes, s)
    str = String(string(s))   # a Symbol key or any AbstractString value: one contiguous UTF-8 buffer
    push!(buf.roots, str)
    return c_str(str)   # rooted: str is in buf.roots
end

c_value(buf, v::Union{AbstractString, Symbol}) = (L.OTELMETRICS_VALUE_STRING, L.otelmetrics_value(rooted_string(buf, v)))
c_value(buf, v::Bool) = (L.OTELMETRICS_VALUE_BOOL, L.otelmetrics_value(v))
c_value(buf, v::Integer) = (L.OTELMETRICS_VALUE_INT64, L.otelmetrics_value(Int64(v)))
c_value(buf, v::AbstractFloat) = (L.OTELMETRICS_VALUE_DOUBLE, L.otelmetrics_value(Float64(v)))
c_value(buf, v::AbstractVector{Bool}) = c_array(buf, L.OTELMETRICS_VALUE_BOOL_ARRAY, UInt8[x for x in v])
c_value(buf, v::AbstractVector{<:Integer}) = c_array(buf, L.OTELMETRICS_VALUE_INT64_ARRAY, Int64[x for x in v])
c_value(buf, v::AbstractVector{<:AbstractFloat}) = c_array(buf, L.OTELMETRICS_VALUE_DOUBLE_ARRAY, Float64[x for x in v])
c_value(buf, v::AbstractVector{<:Union{AbstractString, Symbol}}) =
    c_array(buf, L.OTELMETRICS_VALUE_STRING_ARRAY, L.otelmetrics_str[rooted_string(buf, x) for x in v])
c_value(buf, v) = throw(ArgumentError("attribute values are strings, Bool, integers, floats or vectors of one of those; got $(typeof(v))"))

function c_array(buf::CAttributes, tag, elements::Vector)
    push!(buf.roots, elements)
    view = L.otelmetrics_array(pointer(elements), length(elements))   # rooted: elements is in buf.roots; a count of elements, not bytes
    return (tag, L.otelmetrics_value(view))
end

"""
    with_c_attributes(f, attributes)

Calls `f(ptr, count)` with the C view of `attributes`, keeping everything it
points into alive until `f` returns.
"""
function with_c_attributes(f, attributes)
    buf = c_attributes(attributes)
    # No `return` inside the block: it would leave before the end of the preserved region.
    result = GC.@preserve buf begin
        f(isempty(buf.attrs) ? Ptr{L.otelmetrics_attribute}(C_NULL) : pointer(buf.attrs), length(buf.attrs))
    end
    return result
end

"""
    Attributes(; attrs...)
    Attributes(dict_or_namedtuple)

A pre-built, validated attribute set, reusable across calls and threads:
recording with it skips converting attributes every time.

```julia
apple = Attributes(name="apple", color="red")
counter(1, apple)
```
`close(set)` frees it now; otherwise the finalizer does.
"""
mutable struct Attributes
    handle::Ptr{L.otelmetrics_attributes}
    function Attributes(attributes::AttributeLike)
        out = Ref{Ptr{L.otelmetrics_attributes}}(C_NULL)
        with_c_attributes(attributes) do ptr, n
            check(L.otelmetrics_attributes_new(ptr, n, out))
        end
        return finalizer(free!, new(out[]))
    end
end

Attributes(; attributes...) = Attributes(attributes)

"""Frees the handle once; the finalizer and `close` both end here."""
free!(set::Attributes) = release_handle!(set, L.otelmetrics_attributes_free)

Base.close(set::Attributes) = free!(set)

# A closed set given to another object's call is an argument mistake seen before
# the call: an ArgumentError with Python's message (README, "One rule in both bindings").
set_handle(set::Attributes) = set.handle == C_NULL ? throw(ArgumentError("this Attributes set was closed")) : set.handle

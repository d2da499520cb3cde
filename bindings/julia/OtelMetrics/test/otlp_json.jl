# Reading back what the provider holds (`read_json`, OTLP-JSON) without a
# JSON package: a small strict JSON parser (objects become Dict{String,Any},
# arrays Vector{Any}), and lookups of one metric's data points.

module OtlpJson

export parse_json, metric, points, point, point_value

function parse_json(text::AbstractString)
    s = String(text)
    value, i = parse_value(s, skip_space(s, firstindex(s)))
    skip_space(s, i) > ncodeunits(s) || error("trailing characters after the JSON value at byte $i")
    return value
end

skip_space(s, i) = (while i <= ncodeunits(s) && codeunit(s, i) in (0x20, 0x09, 0x0a, 0x0d); i += 1; end; i)

function parse_value(s, i)
    c = Char(codeunit(s, i))
    c == '{' && return parse_object(s, i + 1)
    c == '[' && return parse_array(s, i + 1)
    c == '"' && return parse_string(s, i + 1)
    startswith(SubString(s, i), "true") && return (true, i + 4)
    startswith(SubString(s, i), "false") && return (false, i + 5)
    startswith(SubString(s, i), "null") && return (nothing, i + 4)
    return parse_number(s, i)
end

function parse_object(s, i)
    obj = Dict{String, Any}()
    i = skip_space(s, i)
    codeunit(s, i) == UInt8('}') && return (obj, i + 1)
    while true
        key, i = parse_string(s, skip_space(s, i) + 1)
        i = skip_space(s, i)
        codeunit(s, i) == UInt8(':') || error("expected ':' at byte $i")
        value, i = parse_value(s, skip_space(s, i + 1))
        obj[key] = value
        i = skip_space(s, i)
        c = codeunit(s, i)
        c == UInt8('}') && return (obj, i + 1)
        c == UInt8(',') || error("expected ',' or '}' at byte $i")
        i += 1
    end
end

function parse_array(s, i)
    arr = Any[]
    i = skip_space(s, i)
    codeunit(s, i) == UInt8(']') && return (arr, i + 1)
    while true
        value, i = parse_value(s, skip_space(s, i))
        push!(arr, value)
        i = skip_space(s, i)
        c = codeunit(s, i)
        c == UInt8(']') && return (arr, i + 1)
        c == UInt8(',') || error("expected ',' or ']' at byte $i")
        i += 1
    end
end

# `i` is just after the opening quote; returns the string and the index after the closing one.
function parse_string(s, i)
    out = IOBuffer()
    while true
        c = codeunit(s, i)
        if c == UInt8('"')
            return (String(take!(out)), i + 1)
        elseif c == UInt8('\\')
            e = Char(codeunit(s, i + 1))
            if e == 'u'
                write(out, Char(parse(UInt16, s[i+2:i+5]; base=16)))
                i += 6
            else
                write(out, get(Dict('n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f'), e, e))
                i += 2
            end
        else
            write(out, c)   # UTF-8 bytes copied as they are
            i += 1
        end
    end
end

function parse_number(s, i)
    j = i
    while j <= ncodeunits(s) && Char(codeunit(s, j)) in "+-0123456789.eE"
        j += 1
    end
    text = s[i:j-1]
    value = occursin(r"[.eE]", text) ? parse(Float64, text) : parse(Int64, text)
    return (value, j)
end

"""The metric called `name` (any scope), or `nothing`."""
function metric(doc, name::AbstractString)
    for rm in doc["resourceMetrics"], sm in rm["scopeMetrics"], m in sm["metrics"]
        m["name"] == name && return m
    end
    return nothing
end

"""The data points of a metric, whatever its kind (sum, gauge, histogram, ...)."""
function points(m)
    for kind in ("sum", "gauge", "histogram", "exponentialHistogram", "summary")
        haskey(m, kind) && return m[kind]["dataPoints"]
    end
    error("metric $(m["name"]) has no data points")
end

"""A point's attributes as a Dict of key => plain value."""
function attributes_of(p)
    Dict{String, Any}(a["key"] => only(values(a["value"])) for a in p["attributes"])
end

"""The one point of metric `name` whose attributes are exactly `attrs` (or `nothing`)."""
function point(doc, name::AbstractString, attrs::AbstractDict=Dict{String, Any}())
    m = metric(doc, name)
    m === nothing && return nothing
    want = Dict{String, Any}(string(k) => v for (k, v) in attrs)
    for p in points(m)
        attributes_of(p) == want && return p
    end
    return nothing
end

"""The number a sum or gauge point holds (OTLP-JSON writes 64-bit integers as strings)."""
function point_value(p)
    haskey(p, "asInt") && return parse(Int64, string(p["asInt"]))
    return Float64(p["asDouble"])
end

end # module OtlpJson

"""
    LibOtelMetrics

The C API of `include/otelmetrics.h`, one Julia function per C function,
same names, same argument order, no logic: each is a single `@ccall`.
`OtelMetrics` builds the Julia API on top of this module; use it directly
only for what the high-level API does not offer.

Conventions that hold for every wrapper:
- handles are `Ptr{T}` to the empty `mutable struct T end` of the same C
  name (never dereferenced in Julia, only passed back);
- `T **out` parameters are `Ptr{Ptr{T}}`: pass a `Ref{Ptr{T}}()`;
- strings are `otelmetrics_str` values whose `ptr` points into a Julia
  `String`; the caller keeps that string alive with `GC.@preserve` for the
  duration of the call (the library copies what it keeps);
- function pointers (callbacks) are `Ptr{Cvoid}` from `@cfunction`.
"""
module LibOtelMetrics

using Libdl: dlext
using Artifacts: artifact_exists, artifact_hash, artifact_path
using Preferences: load_preference

const PACKAGE_UUID = Base.UUID("d69a867d-94f2-4cb1-9369-d954771cbc08")   # Project.toml's uuid
const ARTIFACTS_TOML = normpath(joinpath(@__DIR__, "..", "Artifacts.toml"))
const LIBRARY_FILE = "libotelmetrics." * dlext

"""
The shared library, the first of (see the package README):
1. the `OTELMETRICS_LIB` environment variable (a path);
2. the `libotelmetrics` preference of this package (Preferences.jl, a path:
   `set_preferences!(OtelMetrics, "libotelmetrics" => path)`);
3. the `libotelmetrics` artifact of `Artifacts.toml`, installed by Pkg (the
   tarball `bindings/julia/artifact/make_artifact.py` makes);
4. the repository's development build (`cargo build --release`), for a
   `Pkg.develop` of a checkout.
Fixed when the package is precompiled; a changed preference recompiles it,
and a changed `OTELMETRICS_LIB` is noticed by `OtelMetrics.__init__`.
"""
function find_library()
    from_env = get(ENV, "OTELMETRICS_LIB", "")
    isempty(from_env) || return from_env
    preferred = load_preference(PACKAGE_UUID, "libotelmetrics", "")
    isempty(preferred) || return preferred
    if isfile(ARTIFACTS_TOML)
        hash = artifact_hash("libotelmetrics", ARTIFACTS_TOML)
        if hash !== nothing && artifact_exists(hash)
            return joinpath(artifact_path(hash), "lib", LIBRARY_FILE)
        end
    end
    return normpath(joinpath(@__DIR__, "..", "..", "..", "..", "target", "release", LIBRARY_FILE))
end

const libotelmetrics = find_library()

# ---- Integer types named by the header (all uint32_t) ----
const otelmetrics_status = UInt32
const otelmetrics_value_type = UInt32
const otelmetrics_exporter = UInt32
const otelmetrics_protocol = UInt32
const otelmetrics_compression = UInt32
const otelmetrics_console_format = UInt32
const otelmetrics_temporality = UInt32
const otelmetrics_log_level = UInt32
const otelmetrics_instrument_kind = UInt32

# ---- Constants (#define in the header) ----
const OTELMETRICS_VERSION_MAJOR = 0
const OTELMETRICS_VERSION_MINOR = 1
const OTELMETRICS_VERSION_PATCH = 0
const OTELMETRICS_STATUS_OK = UInt32(0)
const OTELMETRICS_STATUS_NULL_POINTER = UInt32(1)
const OTELMETRICS_STATUS_INVALID_UTF8 = UInt32(2)
const OTELMETRICS_STATUS_INVALID_ARGUMENT = UInt32(3)
const OTELMETRICS_STATUS_INVALID_NAME = UInt32(4)
const OTELMETRICS_STATUS_INVALID_VALUE = UInt32(5)
const OTELMETRICS_STATUS_INVALID_CONFIG = UInt32(6)
const OTELMETRICS_STATUS_WRONG_HANDLE = UInt32(7)
const OTELMETRICS_STATUS_SHUTDOWN = UInt32(8)
const OTELMETRICS_STATUS_TIMEOUT = UInt32(9)
const OTELMETRICS_STATUS_EXPORT_FAILED = UInt32(10)
const OTELMETRICS_STATUS_REENTRANT_CALL = UInt32(11)
const OTELMETRICS_STATUS_PANIC = UInt32(12)
const OTELMETRICS_STATUS_INTERNAL = UInt32(13)
const OTELMETRICS_VALUE_STRING = UInt32(1)
const OTELMETRICS_VALUE_BOOL = UInt32(2)
const OTELMETRICS_VALUE_INT64 = UInt32(3)
const OTELMETRICS_VALUE_DOUBLE = UInt32(4)
const OTELMETRICS_VALUE_STRING_ARRAY = UInt32(5)
const OTELMETRICS_VALUE_BOOL_ARRAY = UInt32(6)
const OTELMETRICS_VALUE_INT64_ARRAY = UInt32(7)
const OTELMETRICS_VALUE_DOUBLE_ARRAY = UInt32(8)
const OTELMETRICS_PROTOCOL_GRPC = UInt32(1)
const OTELMETRICS_PROTOCOL_HTTP_PROTOBUF = UInt32(2)
const OTELMETRICS_PROTOCOL_HTTP_JSON = UInt32(3)
const OTELMETRICS_COMPRESSION_NONE = UInt32(1)
const OTELMETRICS_COMPRESSION_GZIP = UInt32(2)
const OTELMETRICS_COMPRESSION_ZSTD = UInt32(3)
const OTELMETRICS_TEMPORALITY_CUMULATIVE = UInt32(1)
const OTELMETRICS_TEMPORALITY_DELTA = UInt32(2)
const OTELMETRICS_TEMPORALITY_LOW_MEMORY = UInt32(3)
const OTELMETRICS_EXPORTER_OTLP = UInt32(1)
const OTELMETRICS_EXPORTER_CONSOLE = UInt32(2)
const OTELMETRICS_EXPORTER_NONE = UInt32(3)
const OTELMETRICS_EXPORTER_PROMETHEUS = UInt32(4)
const OTELMETRICS_CONSOLE_FORMAT_TEXT = UInt32(1)
const OTELMETRICS_CONSOLE_FORMAT_JSON = UInt32(2)
const OTELMETRICS_LOG_ERROR = UInt32(1)
const OTELMETRICS_LOG_WARN = UInt32(2)
const OTELMETRICS_LOG_INFO = UInt32(3)
const OTELMETRICS_LOG_DEBUG = UInt32(4)
const OTELMETRICS_INSTRUMENT_KIND_COUNTER = UInt32(1)
const OTELMETRICS_INSTRUMENT_KIND_UP_DOWN_COUNTER = UInt32(2)
const OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM = UInt32(3)
const OTELMETRICS_INSTRUMENT_KIND_GAUGE = UInt32(4)
const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_COUNTER = UInt32(5)
const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_UP_DOWN_COUNTER = UInt32(6)
const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_GAUGE = UInt32(7)

# ---- Opaque handle types: only ever behind a Ptr ----
mutable struct otelmetrics_attributes end
mutable struct otelmetrics_bound_counter_f64 end
mutable struct otelmetrics_bound_counter_u64 end
mutable struct otelmetrics_bound_gauge_f64 end
mutable struct otelmetrics_bound_gauge_i64 end
mutable struct otelmetrics_bound_gauge_u64 end
mutable struct otelmetrics_bound_histogram_f64 end
mutable struct otelmetrics_bound_histogram_u64 end
mutable struct otelmetrics_bound_up_down_counter_f64 end
mutable struct otelmetrics_bound_up_down_counter_i64 end
mutable struct otelmetrics_callback_registration end
mutable struct otelmetrics_counter_f64 end
mutable struct otelmetrics_counter_u64 end
mutable struct otelmetrics_gauge_f64 end
mutable struct otelmetrics_gauge_i64 end
mutable struct otelmetrics_gauge_u64 end
mutable struct otelmetrics_histogram_f64 end
mutable struct otelmetrics_histogram_u64 end
mutable struct otelmetrics_meter end
mutable struct otelmetrics_observable_counter_f64 end
mutable struct otelmetrics_observable_counter_u64 end
mutable struct otelmetrics_observable_gauge_f64 end
mutable struct otelmetrics_observable_gauge_i64 end
mutable struct otelmetrics_observable_gauge_u64 end
mutable struct otelmetrics_observable_up_down_counter_f64 end
mutable struct otelmetrics_observable_up_down_counter_i64 end
mutable struct otelmetrics_observer end
mutable struct otelmetrics_provider end
mutable struct otelmetrics_provider_builder end
mutable struct otelmetrics_up_down_counter_f64 end
mutable struct otelmetrics_up_down_counter_i64 end
mutable struct otelmetrics_view end

# ---- Struct mirrors (layout checked against the C compiler by bindings/julia/check) ----

"""`otelmetrics_str`: a borrowed UTF-8 view, `len` bytes at `ptr` (no NUL)."""
struct otelmetrics_str
    ptr::Ptr{UInt8}
    len::Csize_t
end

"""`otelmetrics_array`: a borrowed array, `len` elements at `ptr`."""
struct otelmetrics_array
    ptr::Ptr{Cvoid}
    len::Csize_t
end

"""
`otelmetrics_value`, a C union of `otelmetrics_str`, `uint8_t`, `int64_t`,
`double` and `otelmetrics_array`. Julia has no unions: this is its storage,
16 bytes aligned like its largest members (8), and the constructors below
write each member into the leading bytes the way C does (little-endian
x86_64/aarch64: a `uint8_t` member is the low byte of the first word).
"""
struct otelmetrics_value
    word1::UInt64
    word2::UInt64
end

otelmetrics_value(s::otelmetrics_str) = otelmetrics_value(UInt64(UInt(s.ptr)), UInt64(s.len))
otelmetrics_value(a::otelmetrics_array) = otelmetrics_value(UInt64(UInt(a.ptr)), UInt64(a.len))
otelmetrics_value(b::Bool) = otelmetrics_value(UInt64(b), UInt64(0))
otelmetrics_value(i::Int64) = otelmetrics_value(reinterpret(UInt64, i), UInt64(0))
otelmetrics_value(x::Float64) = otelmetrics_value(reinterpret(UInt64, x), UInt64(0))

"""`otelmetrics_attribute`: a key and a tagged value (`value_type` is an `OTELMETRICS_VALUE_*`)."""
struct otelmetrics_attribute
    key::otelmetrics_str
    value_type::otelmetrics_value_type
    value::otelmetrics_value
end

"""
    @gc_safe @ccall lib.f(args...)::R

Makes a blocking `@ccall` without holding the garbage collector: the
library's export thread may be running a Julia callback (observable
instruments, the diagnostic hook) that needs a collection while this
thread waits for it. That is the case for `force_flush` and `shutdown`,
for freeing an observable instrument or a callback registration (they
wait for a running call), and for creating meters, instruments and
registrations (they take the SDK's pipeline lock, which a collection holds
while it runs the callbacks). Recording does not wait for callbacks and
stays a plain `@ccall`. Julia 1.12 and later do this in the ccall
itself (`gc_safe=true`). Older versions get the same effect by hand: every
argument is converted to its C value first, then the thread enters the
GC-safe state for exactly the C call (nothing in that window allocates,
throws or touches a Julia object).
"""
macro gc_safe(call)
    (call isa Expr && call.head === :macrocall && call.args[1] === Symbol("@ccall")) ||
        error("@gc_safe expects an @ccall expression")
    typed = call.args[end]                      # f(a::T, ...)::R
    @static if VERSION >= v"1.12"
        return esc(Expr(:macrocall, Symbol("@ccall"), call.args[2], :(gc_safe = true), typed))
    else
        target, rettype = typed.args
        kept, converts, unsafe_converts, raw_args = Any[], Any[], Any[], Any[]
        for arg in target.args[2:end]
            value, ctype = arg.args
            keep, raw = gensym(string(value)), gensym(string(value))
            push!(kept, keep)
            push!(converts, :($keep = Base.cconvert($ctype, $value)))
            push!(unsafe_converts, :($raw = Base.unsafe_convert($ctype, $keep)))   # rooted: every cconvert result is in the GC.@preserve below
            push!(raw_args, :($raw::$ctype))
        end
        inner = Expr(:macrocall, Symbol("@ccall"), call.args[2],
                     Expr(:(::), Expr(:call, target.args[1], raw_args...), rettype))
        return esc(quote
            $(converts...)
            GC.@preserve $(kept...) begin
                $(unsafe_converts...)
                local gc_state = ccall(:jl_gc_safe_enter, Int8, ())
                local result = $inner
                ccall(:jl_gc_safe_leave, Cvoid, (Int8,), gc_state)
                result
            end
        end)
    end
end

# ---- Functions, in the header's order ----

otelmetrics_attributes_new(attributes, count, out) =
    @ccall libotelmetrics.otelmetrics_attributes_new(attributes::Ptr{otelmetrics_attribute}, count::Csize_t, out::Ptr{Ptr{otelmetrics_attributes}})::otelmetrics_status

otelmetrics_attributes_free(set) =
    @ccall libotelmetrics.otelmetrics_attributes_free(set::Ptr{otelmetrics_attributes})::Cvoid

otelmetrics_provider_builder_new(out) =
    @ccall libotelmetrics.otelmetrics_provider_builder_new(out::Ptr{Ptr{otelmetrics_provider_builder}})::otelmetrics_status

otelmetrics_provider_builder_free(builder) =
    @ccall libotelmetrics.otelmetrics_provider_builder_free(builder::Ptr{otelmetrics_provider_builder})::Cvoid

otelmetrics_provider_builder_set_service_name(builder, name) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_service_name(builder::Ptr{otelmetrics_provider_builder}, name::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_add_resource_attributes(builder, attributes, count) =
    @ccall libotelmetrics.otelmetrics_provider_builder_add_resource_attributes(builder::Ptr{otelmetrics_provider_builder}, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_provider_builder_add_exporter(builder, exporter) =
    @ccall libotelmetrics.otelmetrics_provider_builder_add_exporter(builder::Ptr{otelmetrics_provider_builder}, exporter::otelmetrics_exporter)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_endpoint(builder, endpoint) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_endpoint(builder::Ptr{otelmetrics_provider_builder}, endpoint::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_protocol(builder, protocol) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_protocol(builder::Ptr{otelmetrics_provider_builder}, protocol::otelmetrics_protocol)::otelmetrics_status

otelmetrics_provider_builder_add_otlp_header(builder, name, value) =
    @ccall libotelmetrics.otelmetrics_provider_builder_add_otlp_header(builder::Ptr{otelmetrics_provider_builder}, name::otelmetrics_str, value::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_timeout_ms(builder, timeout_ms) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_timeout_ms(builder::Ptr{otelmetrics_provider_builder}, timeout_ms::UInt64)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_max_request_bytes(builder, max_bytes) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_max_request_bytes(builder::Ptr{otelmetrics_provider_builder}, max_bytes::Csize_t)::otelmetrics_status

otelmetrics_provider_builder_set_max_export_batch_size(builder, max_data_points) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_max_export_batch_size(builder::Ptr{otelmetrics_provider_builder}, max_data_points::Csize_t)::otelmetrics_status

otelmetrics_provider_builder_set_self_metrics(builder, enabled) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_self_metrics(builder::Ptr{otelmetrics_provider_builder}, enabled::Bool)::otelmetrics_status

otelmetrics_provider_builder_set_meter_enabled(builder, name_pattern, enabled) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_meter_enabled(builder::Ptr{otelmetrics_provider_builder}, name_pattern::otelmetrics_str, enabled::Bool)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_compression(builder, compression) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_compression(builder::Ptr{otelmetrics_provider_builder}, compression::otelmetrics_compression)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_certificate_file(builder, path_pem) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_certificate_file(builder::Ptr{otelmetrics_provider_builder}, path_pem::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_client_certificate_file(builder, path_pem) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_client_certificate_file(builder::Ptr{otelmetrics_provider_builder}, path_pem::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_client_key_file(builder, path_pem) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_client_key_file(builder::Ptr{otelmetrics_provider_builder}, path_pem::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_otlp_insecure(builder, insecure) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_otlp_insecure(builder::Ptr{otelmetrics_provider_builder}, insecure::Bool)::otelmetrics_status

otelmetrics_provider_builder_set_console_format(builder, format) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_console_format(builder::Ptr{otelmetrics_provider_builder}, format::otelmetrics_console_format)::otelmetrics_status

otelmetrics_provider_builder_set_console_path(builder, file) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_console_path(builder::Ptr{otelmetrics_provider_builder}, file::otelmetrics_str)::otelmetrics_status

otelmetrics_provider_builder_set_prometheus_endpoint(builder, host, port) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_prometheus_endpoint(builder::Ptr{otelmetrics_provider_builder}, host::otelmetrics_str, port::UInt16)::otelmetrics_status

otelmetrics_provider_builder_set_export_interval_ms(builder, interval_ms) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_export_interval_ms(builder::Ptr{otelmetrics_provider_builder}, interval_ms::UInt64)::otelmetrics_status

otelmetrics_provider_builder_set_export_timeout_ms(builder, timeout_ms) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_export_timeout_ms(builder::Ptr{otelmetrics_provider_builder}, timeout_ms::UInt64)::otelmetrics_status

otelmetrics_provider_builder_set_temporality(builder, temporality) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_temporality(builder::Ptr{otelmetrics_provider_builder}, temporality::otelmetrics_temporality)::otelmetrics_status

otelmetrics_provider_builder_set_cardinality_limit(builder, limit) =
    @ccall libotelmetrics.otelmetrics_provider_builder_set_cardinality_limit(builder::Ptr{otelmetrics_provider_builder}, limit::Csize_t)::otelmetrics_status

otelmetrics_provider_builder_enable_in_memory_reader(builder) =
    @ccall libotelmetrics.otelmetrics_provider_builder_enable_in_memory_reader(builder::Ptr{otelmetrics_provider_builder})::otelmetrics_status

otelmetrics_provider_builder_build(builder, out) =
    @ccall libotelmetrics.otelmetrics_provider_builder_build(builder::Ptr{otelmetrics_provider_builder}, out::Ptr{Ptr{otelmetrics_provider}})::otelmetrics_status

otelmetrics_provider_new_from_env(out) =
    @ccall libotelmetrics.otelmetrics_provider_new_from_env(out::Ptr{Ptr{otelmetrics_provider}})::otelmetrics_status

otelmetrics_last_error_message(len) =
    @ccall libotelmetrics.otelmetrics_last_error_message(len::Ptr{Csize_t})::Ptr{UInt8}

otelmetrics_status_name(code) =
    @ccall libotelmetrics.otelmetrics_status_name(code::otelmetrics_status)::Ptr{UInt8}

otelmetrics_version() =
    @ccall libotelmetrics.otelmetrics_version()::Ptr{UInt8}

otelmetrics_set_diagnostic_hook(hook, user_data) =
    @ccall libotelmetrics.otelmetrics_set_diagnostic_hook(hook::Ptr{Cvoid}, user_data::Ptr{Cvoid})::otelmetrics_status

otelmetrics_meter_create_counter_u64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_counter_u64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_counter_u64}})::otelmetrics_status

otelmetrics_counter_u64_add(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_counter_u64_add(instrument::Ptr{otelmetrics_counter_u64}, value::UInt64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_counter_u64_add_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_counter_u64_add_with_set(instrument::Ptr{otelmetrics_counter_u64}, value::UInt64, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_counter_u64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_counter_u64_enabled(instrument::Ptr{otelmetrics_counter_u64})::Bool

otelmetrics_counter_u64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_counter_u64_bind(instrument::Ptr{otelmetrics_counter_u64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_counter_u64}})::otelmetrics_status

otelmetrics_counter_u64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_counter_u64_free(instrument::Ptr{otelmetrics_counter_u64})::Cvoid

otelmetrics_bound_counter_u64_add(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_counter_u64_add(bound::Ptr{otelmetrics_bound_counter_u64}, value::UInt64)::otelmetrics_status

otelmetrics_bound_counter_u64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_counter_u64_free(bound::Ptr{otelmetrics_bound_counter_u64})::Cvoid

otelmetrics_meter_create_counter_f64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_counter_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_counter_f64}})::otelmetrics_status

otelmetrics_counter_f64_add(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_counter_f64_add(instrument::Ptr{otelmetrics_counter_f64}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_counter_f64_add_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_counter_f64_add_with_set(instrument::Ptr{otelmetrics_counter_f64}, value::Cdouble, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_counter_f64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_counter_f64_enabled(instrument::Ptr{otelmetrics_counter_f64})::Bool

otelmetrics_counter_f64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_counter_f64_bind(instrument::Ptr{otelmetrics_counter_f64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_counter_f64}})::otelmetrics_status

otelmetrics_counter_f64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_counter_f64_free(instrument::Ptr{otelmetrics_counter_f64})::Cvoid

otelmetrics_bound_counter_f64_add(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_counter_f64_add(bound::Ptr{otelmetrics_bound_counter_f64}, value::Cdouble)::otelmetrics_status

otelmetrics_bound_counter_f64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_counter_f64_free(bound::Ptr{otelmetrics_bound_counter_f64})::Cvoid

otelmetrics_meter_create_up_down_counter_i64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_up_down_counter_i64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_up_down_counter_i64}})::otelmetrics_status

otelmetrics_up_down_counter_i64_add(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_i64_add(instrument::Ptr{otelmetrics_up_down_counter_i64}, value::Int64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_up_down_counter_i64_add_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_i64_add_with_set(instrument::Ptr{otelmetrics_up_down_counter_i64}, value::Int64, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_up_down_counter_i64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_i64_enabled(instrument::Ptr{otelmetrics_up_down_counter_i64})::Bool

otelmetrics_up_down_counter_i64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_i64_bind(instrument::Ptr{otelmetrics_up_down_counter_i64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_up_down_counter_i64}})::otelmetrics_status

otelmetrics_up_down_counter_i64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_i64_free(instrument::Ptr{otelmetrics_up_down_counter_i64})::Cvoid

otelmetrics_bound_up_down_counter_i64_add(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_up_down_counter_i64_add(bound::Ptr{otelmetrics_bound_up_down_counter_i64}, value::Int64)::otelmetrics_status

otelmetrics_bound_up_down_counter_i64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_up_down_counter_i64_free(bound::Ptr{otelmetrics_bound_up_down_counter_i64})::Cvoid

otelmetrics_meter_create_up_down_counter_f64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_up_down_counter_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_up_down_counter_f64}})::otelmetrics_status

otelmetrics_up_down_counter_f64_add(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_f64_add(instrument::Ptr{otelmetrics_up_down_counter_f64}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_up_down_counter_f64_add_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_f64_add_with_set(instrument::Ptr{otelmetrics_up_down_counter_f64}, value::Cdouble, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_up_down_counter_f64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_f64_enabled(instrument::Ptr{otelmetrics_up_down_counter_f64})::Bool

otelmetrics_up_down_counter_f64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_f64_bind(instrument::Ptr{otelmetrics_up_down_counter_f64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_up_down_counter_f64}})::otelmetrics_status

otelmetrics_up_down_counter_f64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_up_down_counter_f64_free(instrument::Ptr{otelmetrics_up_down_counter_f64})::Cvoid

otelmetrics_bound_up_down_counter_f64_add(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_up_down_counter_f64_add(bound::Ptr{otelmetrics_bound_up_down_counter_f64}, value::Cdouble)::otelmetrics_status

otelmetrics_bound_up_down_counter_f64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_up_down_counter_f64_free(bound::Ptr{otelmetrics_bound_up_down_counter_f64})::Cvoid

otelmetrics_meter_create_histogram_u64(meter, name, description, unit, boundaries, boundary_count, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_histogram_u64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, boundaries::Ptr{Cdouble}, boundary_count::Csize_t, out::Ptr{Ptr{otelmetrics_histogram_u64}})::otelmetrics_status

otelmetrics_histogram_u64_record(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_histogram_u64_record(instrument::Ptr{otelmetrics_histogram_u64}, value::UInt64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_histogram_u64_record_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_histogram_u64_record_with_set(instrument::Ptr{otelmetrics_histogram_u64}, value::UInt64, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_histogram_u64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_histogram_u64_enabled(instrument::Ptr{otelmetrics_histogram_u64})::Bool

otelmetrics_histogram_u64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_histogram_u64_bind(instrument::Ptr{otelmetrics_histogram_u64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_histogram_u64}})::otelmetrics_status

otelmetrics_histogram_u64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_histogram_u64_free(instrument::Ptr{otelmetrics_histogram_u64})::Cvoid

otelmetrics_bound_histogram_u64_record(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_histogram_u64_record(bound::Ptr{otelmetrics_bound_histogram_u64}, value::UInt64)::otelmetrics_status

otelmetrics_bound_histogram_u64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_histogram_u64_free(bound::Ptr{otelmetrics_bound_histogram_u64})::Cvoid

otelmetrics_meter_create_histogram_f64(meter, name, description, unit, boundaries, boundary_count, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_histogram_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, boundaries::Ptr{Cdouble}, boundary_count::Csize_t, out::Ptr{Ptr{otelmetrics_histogram_f64}})::otelmetrics_status

otelmetrics_histogram_f64_record(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_histogram_f64_record(instrument::Ptr{otelmetrics_histogram_f64}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_histogram_f64_record_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_histogram_f64_record_with_set(instrument::Ptr{otelmetrics_histogram_f64}, value::Cdouble, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_histogram_f64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_histogram_f64_enabled(instrument::Ptr{otelmetrics_histogram_f64})::Bool

otelmetrics_histogram_f64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_histogram_f64_bind(instrument::Ptr{otelmetrics_histogram_f64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_histogram_f64}})::otelmetrics_status

otelmetrics_histogram_f64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_histogram_f64_free(instrument::Ptr{otelmetrics_histogram_f64})::Cvoid

otelmetrics_bound_histogram_f64_record(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_histogram_f64_record(bound::Ptr{otelmetrics_bound_histogram_f64}, value::Cdouble)::otelmetrics_status

otelmetrics_bound_histogram_f64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_histogram_f64_free(bound::Ptr{otelmetrics_bound_histogram_f64})::Cvoid

otelmetrics_meter_create_gauge_u64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_gauge_u64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_gauge_u64}})::otelmetrics_status

otelmetrics_gauge_u64_record(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_gauge_u64_record(instrument::Ptr{otelmetrics_gauge_u64}, value::UInt64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_gauge_u64_record_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_gauge_u64_record_with_set(instrument::Ptr{otelmetrics_gauge_u64}, value::UInt64, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_gauge_u64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_u64_enabled(instrument::Ptr{otelmetrics_gauge_u64})::Bool

otelmetrics_gauge_u64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_gauge_u64_bind(instrument::Ptr{otelmetrics_gauge_u64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_gauge_u64}})::otelmetrics_status

otelmetrics_gauge_u64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_u64_free(instrument::Ptr{otelmetrics_gauge_u64})::Cvoid

otelmetrics_bound_gauge_u64_record(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_u64_record(bound::Ptr{otelmetrics_bound_gauge_u64}, value::UInt64)::otelmetrics_status

otelmetrics_bound_gauge_u64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_u64_free(bound::Ptr{otelmetrics_bound_gauge_u64})::Cvoid

otelmetrics_meter_create_gauge_i64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_gauge_i64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_gauge_i64}})::otelmetrics_status

otelmetrics_gauge_i64_record(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_gauge_i64_record(instrument::Ptr{otelmetrics_gauge_i64}, value::Int64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_gauge_i64_record_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_gauge_i64_record_with_set(instrument::Ptr{otelmetrics_gauge_i64}, value::Int64, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_gauge_i64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_i64_enabled(instrument::Ptr{otelmetrics_gauge_i64})::Bool

otelmetrics_gauge_i64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_gauge_i64_bind(instrument::Ptr{otelmetrics_gauge_i64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_gauge_i64}})::otelmetrics_status

otelmetrics_gauge_i64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_i64_free(instrument::Ptr{otelmetrics_gauge_i64})::Cvoid

otelmetrics_bound_gauge_i64_record(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_i64_record(bound::Ptr{otelmetrics_bound_gauge_i64}, value::Int64)::otelmetrics_status

otelmetrics_bound_gauge_i64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_i64_free(bound::Ptr{otelmetrics_bound_gauge_i64})::Cvoid

otelmetrics_meter_create_gauge_f64(meter, name, description, unit, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_gauge_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, out::Ptr{Ptr{otelmetrics_gauge_f64}})::otelmetrics_status

otelmetrics_gauge_f64_record(instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_gauge_f64_record(instrument::Ptr{otelmetrics_gauge_f64}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_gauge_f64_record_with_set(instrument, value, set) =
    @ccall libotelmetrics.otelmetrics_gauge_f64_record_with_set(instrument::Ptr{otelmetrics_gauge_f64}, value::Cdouble, set::Ptr{otelmetrics_attributes})::otelmetrics_status

otelmetrics_gauge_f64_enabled(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_f64_enabled(instrument::Ptr{otelmetrics_gauge_f64})::Bool

otelmetrics_gauge_f64_bind(instrument, set, out) =
    @ccall libotelmetrics.otelmetrics_gauge_f64_bind(instrument::Ptr{otelmetrics_gauge_f64}, set::Ptr{otelmetrics_attributes}, out::Ptr{Ptr{otelmetrics_bound_gauge_f64}})::otelmetrics_status

otelmetrics_gauge_f64_free(instrument) =
    @ccall libotelmetrics.otelmetrics_gauge_f64_free(instrument::Ptr{otelmetrics_gauge_f64})::Cvoid

otelmetrics_bound_gauge_f64_record(bound, value) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_f64_record(bound::Ptr{otelmetrics_bound_gauge_f64}, value::Cdouble)::otelmetrics_status

otelmetrics_bound_gauge_f64_free(bound) =
    @ccall libotelmetrics.otelmetrics_bound_gauge_f64_free(bound::Ptr{otelmetrics_bound_gauge_f64})::Cvoid

otelmetrics_meter_free(meter) =
    @ccall libotelmetrics.otelmetrics_meter_free(meter::Ptr{otelmetrics_meter})::Cvoid

otelmetrics_observer_observe_u64(observer, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_u64(observer::Ptr{otelmetrics_observer}, value::UInt64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_observer_observe_i64(observer, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_i64(observer::Ptr{otelmetrics_observer}, value::Int64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_observer_observe_f64(observer, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_f64(observer::Ptr{otelmetrics_observer}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_observer_observe_u64_for(observer, instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_u64_for(observer::Ptr{otelmetrics_observer}, instrument::Ptr{Cvoid}, value::UInt64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_observer_observe_i64_for(observer, instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_i64_for(observer::Ptr{otelmetrics_observer}, instrument::Ptr{Cvoid}, value::Int64, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_observer_observe_f64_for(observer, instrument, value, attributes, count) =
    @ccall libotelmetrics.otelmetrics_observer_observe_f64_for(observer::Ptr{otelmetrics_observer}, instrument::Ptr{Cvoid}, value::Cdouble, attributes::Ptr{otelmetrics_attribute}, count::Csize_t)::otelmetrics_status

otelmetrics_meter_register_callback(meter, instruments, instrument_count, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_register_callback(meter::Ptr{otelmetrics_meter}, instruments::Ptr{Ptr{Cvoid}}, instrument_count::Csize_t, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_callback_registration}})::otelmetrics_status

otelmetrics_callback_registration_unregister(registration) =
    @gc_safe @ccall libotelmetrics.otelmetrics_callback_registration_unregister(registration::Ptr{otelmetrics_callback_registration})::otelmetrics_status

otelmetrics_callback_registration_free(registration) =
    @gc_safe @ccall libotelmetrics.otelmetrics_callback_registration_free(registration::Ptr{otelmetrics_callback_registration})::Cvoid

otelmetrics_meter_create_observable_counter_u64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_counter_u64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_counter_u64}})::otelmetrics_status

otelmetrics_observable_counter_u64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_counter_u64_free(instrument::Ptr{otelmetrics_observable_counter_u64})::Cvoid

otelmetrics_meter_create_observable_counter_f64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_counter_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_counter_f64}})::otelmetrics_status

otelmetrics_observable_counter_f64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_counter_f64_free(instrument::Ptr{otelmetrics_observable_counter_f64})::Cvoid

otelmetrics_meter_create_observable_up_down_counter_i64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_up_down_counter_i64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_up_down_counter_i64}})::otelmetrics_status

otelmetrics_observable_up_down_counter_i64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_up_down_counter_i64_free(instrument::Ptr{otelmetrics_observable_up_down_counter_i64})::Cvoid

otelmetrics_meter_create_observable_up_down_counter_f64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_up_down_counter_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_up_down_counter_f64}})::otelmetrics_status

otelmetrics_observable_up_down_counter_f64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_up_down_counter_f64_free(instrument::Ptr{otelmetrics_observable_up_down_counter_f64})::Cvoid

otelmetrics_meter_create_observable_gauge_u64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_gauge_u64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_gauge_u64}})::otelmetrics_status

otelmetrics_observable_gauge_u64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_gauge_u64_free(instrument::Ptr{otelmetrics_observable_gauge_u64})::Cvoid

otelmetrics_meter_create_observable_gauge_i64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_gauge_i64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_gauge_i64}})::otelmetrics_status

otelmetrics_observable_gauge_i64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_gauge_i64_free(instrument::Ptr{otelmetrics_observable_gauge_i64})::Cvoid

otelmetrics_meter_create_observable_gauge_f64(meter, name, description, unit, callback, user_data, free_user_data, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_meter_create_observable_gauge_f64(meter::Ptr{otelmetrics_meter}, name::otelmetrics_str, description::otelmetrics_str, unit::otelmetrics_str, callback::Ptr{Cvoid}, user_data::Ptr{Cvoid}, free_user_data::Ptr{Cvoid}, out::Ptr{Ptr{otelmetrics_observable_gauge_f64}})::otelmetrics_status

otelmetrics_observable_gauge_f64_free(instrument) =
    @gc_safe @ccall libotelmetrics.otelmetrics_observable_gauge_f64_free(instrument::Ptr{otelmetrics_observable_gauge_f64})::Cvoid

otelmetrics_provider_get_meter(provider, name, version, schema_url, attributes, count, out) =
    @gc_safe @ccall libotelmetrics.otelmetrics_provider_get_meter(provider::Ptr{otelmetrics_provider}, name::otelmetrics_str, version::otelmetrics_str, schema_url::otelmetrics_str, attributes::Ptr{otelmetrics_attribute}, count::Csize_t, out::Ptr{Ptr{otelmetrics_meter}})::otelmetrics_status

otelmetrics_provider_read_json(provider, out_json, out_len) =
    @ccall libotelmetrics.otelmetrics_provider_read_json(provider::Ptr{otelmetrics_provider}, out_json::Ptr{Ptr{UInt8}}, out_len::Ptr{Csize_t})::otelmetrics_status

otelmetrics_provider_prometheus_port(provider, out_port) =
    @ccall libotelmetrics.otelmetrics_provider_prometheus_port(provider::Ptr{otelmetrics_provider}, out_port::Ptr{UInt16})::otelmetrics_status

otelmetrics_string_free(s) =
    @ccall libotelmetrics.otelmetrics_string_free(s::Ptr{UInt8})::Cvoid

otelmetrics_provider_free(provider) =
    @ccall libotelmetrics.otelmetrics_provider_free(provider::Ptr{otelmetrics_provider})::Cvoid

otelmetrics_view_new(out) =
    @ccall libotelmetrics.otelmetrics_view_new(out::Ptr{Ptr{otelmetrics_view}})::otelmetrics_status

otelmetrics_view_free(view) =
    @ccall libotelmetrics.otelmetrics_view_free(view::Ptr{otelmetrics_view})::Cvoid

otelmetrics_view_select_instrument_name(view, pattern) =
    @ccall libotelmetrics.otelmetrics_view_select_instrument_name(view::Ptr{otelmetrics_view}, pattern::otelmetrics_str)::otelmetrics_status

otelmetrics_view_select_instrument_kind(view, kind) =
    @ccall libotelmetrics.otelmetrics_view_select_instrument_kind(view::Ptr{otelmetrics_view}, kind::otelmetrics_instrument_kind)::otelmetrics_status

otelmetrics_view_select_unit(view, unit) =
    @ccall libotelmetrics.otelmetrics_view_select_unit(view::Ptr{otelmetrics_view}, unit::otelmetrics_str)::otelmetrics_status

otelmetrics_view_select_meter(view, name, version) =
    @ccall libotelmetrics.otelmetrics_view_select_meter(view::Ptr{otelmetrics_view}, name::otelmetrics_str, version::otelmetrics_str)::otelmetrics_status

otelmetrics_view_set_name(view, name) =
    @ccall libotelmetrics.otelmetrics_view_set_name(view::Ptr{otelmetrics_view}, name::otelmetrics_str)::otelmetrics_status

otelmetrics_view_set_description(view, description) =
    @ccall libotelmetrics.otelmetrics_view_set_description(view::Ptr{otelmetrics_view}, description::otelmetrics_str)::otelmetrics_status

otelmetrics_view_allow_attribute_keys(view, keys_list, count) =
    @ccall libotelmetrics.otelmetrics_view_allow_attribute_keys(view::Ptr{otelmetrics_view}, keys_list::Ptr{otelmetrics_str}, count::Csize_t)::otelmetrics_status

otelmetrics_view_deny_attribute_keys(view, keys_list, count) =
    @ccall libotelmetrics.otelmetrics_view_deny_attribute_keys(view::Ptr{otelmetrics_view}, keys_list::Ptr{otelmetrics_str}, count::Csize_t)::otelmetrics_status

otelmetrics_view_set_aggregation_drop(view) =
    @ccall libotelmetrics.otelmetrics_view_set_aggregation_drop(view::Ptr{otelmetrics_view})::otelmetrics_status

otelmetrics_view_set_aggregation_sum(view) =
    @ccall libotelmetrics.otelmetrics_view_set_aggregation_sum(view::Ptr{otelmetrics_view})::otelmetrics_status

otelmetrics_view_set_aggregation_last_value(view) =
    @ccall libotelmetrics.otelmetrics_view_set_aggregation_last_value(view::Ptr{otelmetrics_view})::otelmetrics_status

otelmetrics_view_set_aggregation_explicit_buckets(view, boundaries, count, record_min_max) =
    @ccall libotelmetrics.otelmetrics_view_set_aggregation_explicit_buckets(view::Ptr{otelmetrics_view}, boundaries::Ptr{Cdouble}, count::Csize_t, record_min_max::Bool)::otelmetrics_status

otelmetrics_view_set_aggregation_exponential(view, max_size, max_scale, record_min_max) =
    @ccall libotelmetrics.otelmetrics_view_set_aggregation_exponential(view::Ptr{otelmetrics_view}, max_size::UInt32, max_scale::Int32, record_min_max::Bool)::otelmetrics_status

otelmetrics_view_set_cardinality_limit(view, limit) =
    @ccall libotelmetrics.otelmetrics_view_set_cardinality_limit(view::Ptr{otelmetrics_view}, limit::Csize_t)::otelmetrics_status

otelmetrics_provider_builder_add_view(builder, view) =
    @ccall libotelmetrics.otelmetrics_provider_builder_add_view(builder::Ptr{otelmetrics_provider_builder}, view::Ptr{otelmetrics_view})::otelmetrics_status

otelmetrics_provider_force_flush(provider, timeout_ms) =
    @gc_safe @ccall libotelmetrics.otelmetrics_provider_force_flush(provider::Ptr{otelmetrics_provider}, timeout_ms::UInt64)::otelmetrics_status

otelmetrics_provider_shutdown(provider, timeout_ms) =
    @gc_safe @ccall libotelmetrics.otelmetrics_provider_shutdown(provider::Ptr{otelmetrics_provider}, timeout_ms::UInt64)::otelmetrics_status

end # module LibOtelMetrics

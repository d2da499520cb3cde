# The meter provider: built from keyword settings (anything not set comes
# from the OTEL_* environment variables, then the library's defaults), or
# from the environment alone.

const EXPORTERS = Dict(
    :otlp => L.OTELMETRICS_EXPORTER_OTLP,
    :console => L.OTELMETRICS_EXPORTER_CONSOLE,
    :prometheus => L.OTELMETRICS_EXPORTER_PROMETHEUS,
    :none => L.OTELMETRICS_EXPORTER_NONE,
)
const PROTOCOLS = Dict(
    :grpc => L.OTELMETRICS_PROTOCOL_GRPC,
    :http_protobuf => L.OTELMETRICS_PROTOCOL_HTTP_PROTOBUF,
    :http_json => L.OTELMETRICS_PROTOCOL_HTTP_JSON,
)
const COMPRESSIONS = Dict(:none => L.OTELMETRICS_COMPRESSION_NONE, :gzip => L.OTELMETRICS_COMPRESSION_GZIP,
                          :zstd => L.OTELMETRICS_COMPRESSION_ZSTD)
const CONSOLE_FORMATS = Dict(:text => L.OTELMETRICS_CONSOLE_FORMAT_TEXT, :json => L.OTELMETRICS_CONSOLE_FORMAT_JSON)
const PROMETHEUS_TRANSLATIONS = Dict(
    :underscore_escaping_with_suffixes => L.OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITH_SUFFIXES,
    :underscore_escaping_without_suffixes => L.OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES,
    :no_utf8_escaping_with_suffixes => L.OTELMETRICS_PROMETHEUS_TRANSLATION_NO_UTF8_ESCAPING_WITH_SUFFIXES,
    :no_translation => L.OTELMETRICS_PROMETHEUS_TRANSLATION_NO_TRANSLATION,
)
const EXEMPLAR_FILTERS = Dict(
    :always_on => L.OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_ON,
    :always_off => L.OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_OFF,
    :trace_based => L.OTELMETRICS_EXEMPLAR_FILTER_TRACE_BASED,
)

const TEMPORALITIES = Dict(
    :cumulative => L.OTELMETRICS_TEMPORALITY_CUMULATIVE,
    :delta => L.OTELMETRICS_TEMPORALITY_DELTA,
    :low_memory => L.OTELMETRICS_TEMPORALITY_LOW_MEMORY,
)

function lookup(table::Dict{Symbol}, what::String, key::Symbol)
    get(table, key) do
        throw(ArgumentError("unknown $what :$key; one of $(join(sort(collect(keys(table))), ", "))"))
    end
end

"""Milliseconds for the C API from a timeout in seconds."""
milliseconds(seconds::Real) = seconds < 0 ? throw(ArgumentError("a timeout cannot be negative")) : round(UInt64, seconds * 1000)

"""
    MeterProvider(; kwargs...)

Owns aggregation, readers and the export thread. Every setting is optional;
anything not given comes from the `OTEL_*` environment variables, then the
defaults:

- `service_name`, `resource` (attributes as a `Dict`/`NamedTuple`);
- `exporters`: any of `:otlp`, `:console`, `:prometheus`, `:none`;
- `otlp_endpoint` (HTTP endpoints include the path, e.g. `http://127.0.0.1:4318/v1/metrics`),
  `otlp_protocol` (`:grpc`, `:http_protobuf`, `:http_json`), `otlp_headers`,
  `otlp_timeout` (s), `otlp_compression` (`:none`, `:gzip`, `:zstd`), `otlp_certificate`,
  `otlp_client_certificate`, `otlp_client_key` (PEM paths), `otlp_insecure`,
  `otlp_max_request_bytes` (larger exports are split; default 4 MiB),
  `max_export_batch_size` (most data points per OTLP request; no limit by default);
- `console_format` (`:text`, `:json`), `console_path`;
- `config_file` / `config_yaml`: a declarative configuration file (or its text) that replaces every other setting;
- `prometheus_host`, `prometheus_port` (0 picks a free port, see `prometheus_port`),
  `prometheus_translation_strategy` (`:underscore_escaping_with_suffixes` (default),
  `:underscore_escaping_without_suffixes`, `:no_utf8_escaping_with_suffixes`, `:no_translation`;
  UTF-8 names reach only scrapers that ask for them), `prometheus_without_units`,
  `prometheus_without_type_suffix`, `prometheus_scope_info` and `prometheus_target_info`
  (`false` drops the `otel_scope_*` labels / `target_info`), `prometheus_resource_constant_labels`
  (`(included=["service.*"], excluded=[...])`: resource attributes copied onto every series);
- `export_interval`, `export_timeout` (s), `temporality` (`:cumulative`, `:delta`, `:low_memory`),
  `exemplar_filter` (`:trace_based`, the default, `:always_on`, `:always_off`),
  `cardinality_limit`, `cardinality_limits` (pairs `:counter => 500` per instrument kind, over
  `cardinality_limit`), `views` (a vector of `View`), `in_memory_reader` (for `read_json`);
- `self_metrics` (`true` records and exports the semantic conventions' SDK metrics,
  `otel.sdk.exporter.*` and `otel.sdk.metric_reader.collection.duration`);
- `meter_configurator` (pairs `"pattern" => enabled`, `*`/`?` wildcards; the first matching
  pattern decides, unmatched meters are enabled; a disabled meter's instruments record nothing
  and `isenabled` is `false`).

`shutdown(provider)` exports what is left; `close(provider)` shuts down and frees (idempotent).
"""
mutable struct MeterProvider
    handle::Ptr{L.otelmetrics_provider}
    @atomic is_shut_down::Bool
    function MeterProvider(handle::Ptr{L.otelmetrics_provider})
        provider = finalizer(free!, new(handle, false))   # the finalizer only frees
        track!(provider)
        return provider
    end
end

function MeterProvider(; service_name=nothing, resource=nothing, exporters=nothing,
                       otlp_endpoint=nothing, otlp_protocol=nothing, otlp_headers=nothing,
                       otlp_timeout=nothing, otlp_compression=nothing, otlp_certificate=nothing,
                       otlp_client_certificate=nothing, otlp_client_key=nothing, otlp_insecure=nothing,
                       otlp_max_request_bytes=nothing, max_export_batch_size=nothing, self_metrics=nothing,
                       console_format=nothing, console_path=nothing,
                       config_file=nothing, config_yaml=nothing,
                       prometheus_host=nothing, prometheus_port=nothing,
                       prometheus_translation_strategy=nothing, prometheus_without_units=nothing,
                       prometheus_without_type_suffix=nothing, prometheus_scope_info=nothing,
                       prometheus_target_info=nothing, prometheus_resource_constant_labels=nothing,
                       export_interval=nothing, export_timeout=nothing, temporality=nothing,
                       exemplar_filter=nothing, cardinality_limit=nothing, cardinality_limits=nothing, views=View[], in_memory_reader::Bool=false,
                       meter_configurator=nothing)
    drain_deferred_frees()
    out = Ref{Ptr{L.otelmetrics_provider_builder}}(C_NULL)
    check(L.otelmetrics_provider_builder_new(out))
    b = out[]
    try
        service_name === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_service_name(h, s)), b, service_name)
        resource === nothing || with_c_attributes(resource) do ptr, n
            check(L.otelmetrics_provider_builder_add_resource_attributes(b, ptr, n))
        end
        if exporters !== nothing
            for e in exporters
                check(L.otelmetrics_provider_builder_add_exporter(b, lookup(EXPORTERS, "exporter", e)))
            end
        end
        otlp_endpoint === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_otlp_endpoint(h, s)), b, otlp_endpoint)
        otlp_protocol === nothing || check(L.otelmetrics_provider_builder_set_otlp_protocol(b, lookup(PROTOCOLS, "protocol", otlp_protocol)))
        if otlp_headers !== nothing
            for (k, v) in attribute_pairs(otlp_headers)
                name, value = String(string(k)), String(v)
                GC.@preserve name value check(L.otelmetrics_provider_builder_add_otlp_header(b, c_str(name), c_str(value)))
            end
        end
        otlp_timeout === nothing || check(L.otelmetrics_provider_builder_set_otlp_timeout_ms(b, milliseconds(otlp_timeout)))
        otlp_compression === nothing || check(L.otelmetrics_provider_builder_set_otlp_compression(b, lookup(COMPRESSIONS, "compression", otlp_compression)))
        otlp_certificate === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_otlp_certificate_file(h, s)), b, otlp_certificate)
        otlp_client_certificate === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_otlp_client_certificate_file(h, s)), b, otlp_client_certificate)
        otlp_client_key === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_otlp_client_key_file(h, s)), b, otlp_client_key)
        otlp_insecure === nothing || check(L.otelmetrics_provider_builder_set_otlp_insecure(b, Bool(otlp_insecure)))
        otlp_max_request_bytes === nothing || check(L.otelmetrics_provider_builder_set_otlp_max_request_bytes(b, otlp_max_request_bytes))
        max_export_batch_size === nothing || check(L.otelmetrics_provider_builder_set_max_export_batch_size(b, max_export_batch_size))
        self_metrics === nothing || check(L.otelmetrics_provider_builder_set_self_metrics(b, Bool(self_metrics)))
        console_format === nothing || check(L.otelmetrics_provider_builder_set_console_format(b, lookup(CONSOLE_FORMATS, "console format", console_format)))
        console_path === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_console_path(h, s)), b, console_path)
        config_file === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_config_file(h, s)), b, string(config_file))
        config_yaml === nothing || with_str((h, s) -> check(L.otelmetrics_provider_builder_set_config_yaml(h, s)), b, config_yaml)
        if prometheus_host !== nothing || prometheus_port !== nothing
            host = prometheus_host === nothing ? "" : String(prometheus_host)
            port = prometheus_port === nothing ? UInt16(9464) : UInt16(prometheus_port)
            GC.@preserve host check(L.otelmetrics_provider_builder_set_prometheus_endpoint(b, c_str(host), port))
        end
        prometheus_translation_strategy === nothing || check(L.otelmetrics_provider_builder_set_prometheus_translation_strategy(
            b, lookup(PROMETHEUS_TRANSLATIONS, "Prometheus translation strategy", prometheus_translation_strategy)))
        prometheus_without_units === nothing || check(L.otelmetrics_provider_builder_set_prometheus_without_units(b, Bool(prometheus_without_units)))
        prometheus_without_type_suffix === nothing || check(L.otelmetrics_provider_builder_set_prometheus_without_type_suffix(b, Bool(prometheus_without_type_suffix)))
        prometheus_scope_info === nothing || check(L.otelmetrics_provider_builder_set_prometheus_scope_info(b, Bool(prometheus_scope_info)))
        prometheus_target_info === nothing || check(L.otelmetrics_provider_builder_set_prometheus_target_info(b, Bool(prometheus_target_info)))
        if prometheus_resource_constant_labels !== nothing
            for (list, include) in ((:included, true), (:excluded, false))
                for pattern in get(prometheus_resource_constant_labels, list, String[])
                    p = String(pattern)
                    GC.@preserve p check(L.otelmetrics_provider_builder_add_prometheus_resource_constant_label(b, c_str(p), include))
                end
            end
        end
        export_interval === nothing || check(L.otelmetrics_provider_builder_set_export_interval_ms(b, milliseconds(export_interval)))
        export_timeout === nothing || check(L.otelmetrics_provider_builder_set_export_timeout_ms(b, milliseconds(export_timeout)))
        temporality === nothing || check(L.otelmetrics_provider_builder_set_temporality(b, lookup(TEMPORALITIES, "temporality", temporality)))
        exemplar_filter === nothing || check(L.otelmetrics_provider_builder_set_exemplar_filter(b, lookup(EXEMPLAR_FILTERS, "exemplar filter", exemplar_filter)))
        cardinality_limit === nothing || check(L.otelmetrics_provider_builder_set_cardinality_limit(b, cardinality_limit))
        if cardinality_limits !== nothing
            for (kind, limit) in cardinality_limits
                check(L.otelmetrics_provider_builder_set_cardinality_limit_for_kind(
                    b, lookup(INSTRUMENT_KINDS, "cardinality_limits", kind), limit))
            end
        end
        in_memory_reader && check(L.otelmetrics_provider_builder_enable_in_memory_reader(b))
        for v in views
            add_view!(b, v)
        end
        if meter_configurator !== nothing
            for (pattern, enabled) in meter_configurator
                p = String(pattern)
                GC.@preserve p check(L.otelmetrics_provider_builder_set_meter_enabled(b, c_str(p), Bool(enabled)))
            end
        end
        built = Ref{Ptr{L.otelmetrics_provider}}(C_NULL)
        check(L.otelmetrics_provider_builder_build(b, built))
        return MeterProvider(built[])
    finally
        L.otelmetrics_provider_builder_free(b)
    end
end

"""
    meter_provider_from_env()

A provider configured by the `OTEL_*` environment variables alone
(`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_METRICS_EXPORTER`, `OTEL_SERVICE_NAME`, ...).
"""
function meter_provider_from_env()
    drain_deferred_frees()
    out = Ref{Ptr{L.otelmetrics_provider}}(C_NULL)
    check(L.otelmetrics_provider_new_from_env(out))
    return MeterProvider(out[])
end

provider_handle(p::MeterProvider) = live_handle(p, "the meter provider")

"""
    force_flush(provider; timeout=10)

Collects and exports everything recorded so far, returning within `timeout`
seconds whatever the collector does. Throws `OtelMetricsError` (status
`TIMEOUT`, `EXPORT_FAILED`, `SHUTDOWN`, ...) when the export did not succeed.
"""
function force_flush(p::MeterProvider; timeout::Real=10)
    drain_deferred_frees()
    GC.@preserve p check(L.otelmetrics_provider_force_flush(provider_handle(p), milliseconds(timeout)))
    return true
end

"""
    shutdown(provider; timeout=10)

Exports what is left and stops the export thread within `timeout` seconds.
Returns `true` when this call shut the provider down, `false` when it was
shut down already; throws `OtelMetricsError` on `TIMEOUT` or `EXPORT_FAILED`
(the provider is shut down all the same). Everything made from it then
reports `SHUTDOWN`.
"""
function shutdown(p::MeterProvider; timeout::Real=10)
    drain_deferred_frees()
    (@atomicswap p.is_shut_down = true) && return false
    status = GC.@preserve p L.otelmetrics_provider_shutdown(provider_handle(p), milliseconds(timeout))
    status == STATUS_SHUTDOWN && return false
    check(status)
    return true
end

"""
    close(provider; timeout=10)

Shuts the provider down (if not yet) and frees it. Idempotent. Errors of the
last export are rethrown after the handle is freed.
"""
function Base.close(p::MeterProvider; timeout::Real=10)
    p.handle == C_NULL && return nothing
    try
        shutdown(p; timeout)
    finally
        untrack!(p)
        free!(p)
    end
    return nothing
end

Base.isopen(p::MeterProvider) = p.handle != C_NULL && !(@atomic p.is_shut_down)

"""
Frees the handle, nothing else: a finalizer must not flush or do I/O. (The
library shuts a provider freed while live down in the background, bounded
by its export timeout; this call does not wait for that.)
"""
free!(p::MeterProvider) = release_handle!(p, L.otelmetrics_provider_free)

"""
    read_json(provider) -> String

What the provider holds now, as one OTLP-JSON `ExportMetricsServiceRequest`
(needs `in_memory_reader=true`). Observable callbacks run on this thread.
"""
function read_json(p::MeterProvider)
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    GC.@preserve p check(L.otelmetrics_provider_read_json(provider_handle(p), out, len))
    try
        return unsafe_string(out[], len[])
    finally
        L.otelmetrics_string_free(out[])
    end
end

"""The port of the provider's Prometheus `/metrics` endpoint (useful after asking for port 0);
with several pull readers, the first one's (see `prometheus_ports`)."""
function prometheus_port(p::MeterProvider)
    port = Ref{UInt16}(0)
    GC.@preserve p check(L.otelmetrics_provider_prometheus_port(provider_handle(p), port))
    return Int(port[])
end

"""
    prometheus_ports(provider) -> Vector{Int}

The ports of every Prometheus `/metrics` endpoint, one per pull reader in the order of the
readers (a configuration file's `meter_provider.readers`), port 0 resolved; empty when there
is none. Throws `OtelMetricsError` (`:SHUTDOWN`) once the provider is shut down.
"""
function prometheus_ports(p::MeterProvider)
    count = Ref{Csize_t}(0)
    GC.@preserve p check(L.otelmetrics_provider_prometheus_ports(provider_handle(p), Ptr{UInt16}(C_NULL), 0, count))
    ports = Vector{UInt16}(undef, count[])
    GC.@preserve p ports check(L.otelmetrics_provider_prometheus_ports(provider_handle(p), ports, length(ports), count))
    return Int.(ports[1:count[]])
end

# ---- Providers still open at exit ----
# The library would export a never-shut-down provider at process exit, but by
# then Julia is gone and an observable callback could not run. An atexit hook
# (registered in __init__) shuts every open provider down while Julia still
# runs. Weak keys: tracking never keeps a provider alive.
const OPEN_PROVIDERS = WeakKeyDict{MeterProvider, Nothing}()
const OPEN_PROVIDERS_LOCK = ReentrantLock()

# Only `close` untracks; a collected provider leaves the WeakKeyDict by itself
# (a finalizer must not take locks that could wait).
track!(p::MeterProvider) = lock(() -> (OPEN_PROVIDERS[p] = nothing), OPEN_PROVIDERS_LOCK)
untrack!(p::MeterProvider) = lock(() -> delete!(OPEN_PROVIDERS, p), OPEN_PROVIDERS_LOCK)

function shutdown_open_providers()
    providers = lock(() -> collect(keys(OPEN_PROVIDERS)), OPEN_PROVIDERS_LOCK)
    for p in providers
        try
            close(p)
        catch err
            @warn "otelmetrics: shutting a meter provider down at exit failed" exception = err
        end
    end
end

# ---- The global provider, as in OpenTelemetry.jl ----
const GLOBAL_PROVIDER = Ref{Union{Nothing, MeterProvider}}(nothing)

"""The provider `Meter` uses when none is given (made from the environment on first use)."""
function global_meter_provider()
    p = GLOBAL_PROVIDER[]
    if p === nothing || p.handle == C_NULL
        p = meter_provider_from_env()
        GLOBAL_PROVIDER[] = p
    end
    return p
end

"""Makes `p` the provider `Meter` uses when none is given."""
global_meter_provider!(p::MeterProvider) = (GLOBAL_PROVIDER[] = p)

//! `otelmetrics_provider_builder_*`: collects settings in code; `_build`
//! resolves them against the environment and makes the provider.
//! A builder is not thread-safe: use it from one thread at a time.

use super::attributes::{convert, str_arg};
use super::handle::{handle, Handle};
use super::provider::otelmetrics_provider;
use super::views::{kind_arg, otelmetrics_instrument_kind};
use super::*;
use crate::config::{
    Compression, ConfigSource, ConsoleFormat, ExporterKind, ProcessEnv, Protocol, Settings,
    TemporalityPreference,
};
use crate::error::{Error, Result};
use crate::process::fork_safe::Lock;
use crate::provider::Provider;
use std::path::PathBuf;
use std::time::Duration;

/// Settings for a meter provider, set in code. Anything not set comes from
/// the `OTEL_*` environment variables, then the defaults (see README).
pub struct otelmetrics_provider_builder {
    _private: [u8; 0],
}
handle!(otelmetrics_provider_builder, Lock<Settings>, 0x01);

unsafe fn with_settings(
    builder: *mut otelmetrics_provider_builder,
    f: impl FnOnce(&mut Settings) -> Result<()>,
) -> otelmetrics_status {
    guard(|| {
        let settings = otelmetrics_provider_builder::borrow(builder)?;
        let mut s = settings.lock();
        f(&mut s)
    })
}

/// For the Prometheus exporter's setters that cannot fail on their value.
unsafe fn with_prometheus_options(
    builder: *mut otelmetrics_provider_builder,
    f: impl FnOnce(&mut crate::config::PrometheusOptions),
) -> otelmetrics_status {
    with_settings(builder, |s| {
        f(&mut s.prometheus_options);
        Ok(())
    })
}

fn unknown(what: &str, value: u32) -> Error {
    Error::argument(format!("unknown {what} value {value}"))
}

/// Creates an empty builder. Free it with `otelmetrics_provider_builder_free`
/// (building does not consume it). Returns OK or NULL_POINTER.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_new(
    out: *mut *mut otelmetrics_provider_builder,
) -> otelmetrics_status {
    guard(|| {
        check_out(out, "out")?;
        write_out(out, otelmetrics_provider_builder::into_raw(Lock::new(Settings::default())));
        Ok(())
    })
}

/// Frees a builder. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_free(
    builder: *mut otelmetrics_provider_builder,
) {
    guard_value((), || otelmetrics_provider_builder::free(builder))
}

/// Sets `service.name` (wins over `OTEL_SERVICE_NAME` and resource
/// attributes). Returns OK, NULL_POINTER, WRONG_HANDLE or INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_service_name(
    builder: *mut otelmetrics_provider_builder,
    name: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.service_name = Some(str_arg(name, "service name")?.to_owned());
        Ok(())
    })
}

/// Adds resource attributes (copied); they win over `OTEL_RESOURCE_ATTRIBUTES`
/// for the same key. `telemetry.sdk.*` attributes are always added.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_add_resource_attributes(
    builder: *mut otelmetrics_provider_builder,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.resource_attributes.extend(convert(attributes, count)?);
        Ok(())
    })
}

/// Adds an exporter (`OTELMETRICS_EXPORTER_*`); call several times for
/// several. `OTELMETRICS_EXPORTER_NONE` removes all. When never called,
/// `OTEL_METRICS_EXPORTER` decides (default `otlp`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_add_exporter(
    builder: *mut otelmetrics_provider_builder,
    exporter: otelmetrics_exporter,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        let list = s.exporters.get_or_insert_with(Vec::new);
        let kind = match exporter {
            OTELMETRICS_EXPORTER_OTLP => ExporterKind::Otlp,
            OTELMETRICS_EXPORTER_CONSOLE => ExporterKind::Console,
            OTELMETRICS_EXPORTER_PROMETHEUS => ExporterKind::Prometheus,
            OTELMETRICS_EXPORTER_NONE => {
                list.clear();
                return Ok(());
            }
            other => return Err(unknown("exporter", other)),
        };
        if !list.contains(&kind) {
            list.push(kind);
        }
        Ok(())
    })
}

/// Sets the OTLP endpoint URL, used exactly as given (for HTTP include the
/// path, e.g. `http://localhost:4318/v1/metrics`). Validated at build time.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_endpoint(
    builder: *mut otelmetrics_provider_builder,
    endpoint: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_endpoint = Some(str_arg(endpoint, "OTLP endpoint")?.to_owned());
        Ok(())
    })
}

/// Sets the OTLP protocol (`OTELMETRICS_PROTOCOL_*`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_protocol(
    builder: *mut otelmetrics_provider_builder,
    protocol: otelmetrics_protocol,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_protocol = Some(match protocol {
            OTELMETRICS_PROTOCOL_GRPC => Protocol::Grpc,
            OTELMETRICS_PROTOCOL_HTTP_PROTOBUF => Protocol::HttpProtobuf,
            OTELMETRICS_PROTOCOL_HTTP_JSON => Protocol::HttpJson,
            other => return Err(unknown("protocol", other)),
        });
        Ok(())
    })
}

/// Adds an OTLP header (gRPC metadata); it replaces a header of the same
/// name from `OTEL_EXPORTER_OTLP_HEADERS`. Header values never appear in
/// diagnostics.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_add_otlp_header(
    builder: *mut otelmetrics_provider_builder,
    name: otelmetrics_str,
    value: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_headers.push((
            str_arg(name, "header name")?.to_owned(),
            str_arg(value, "header value")?.to_owned(),
        ));
        Ok(())
    })
}

/// Sets the timeout of one OTLP request, in milliseconds (> 0).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_timeout_ms(
    builder: *mut otelmetrics_provider_builder,
    timeout_ms: u64,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_timeout = Some(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Sets the largest encoded size, in bytes before compression, of one OTLP
/// request (1024 to 2^31-1; default 4 MiB, or
/// `OTELMETRICS_OTLP_MAX_REQUEST_BYTES`). A larger export is split into
/// several requests, each repeating its resource and scopes; a data point
/// too large on its own is dropped and reported. Validated at build time.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_max_request_bytes(
    builder: *mut otelmetrics_provider_builder,
    max_bytes: usize,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_max_request_bytes = Some(max_bytes);
        Ok(())
    })
}

/// Sets the most data points one OTLP request may carry (the periodic
/// reader's `max_export_batch_size` of the specification; at least 1; no
/// limit by default, or `OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE`). An
/// export with more is split into several requests, each within both this
/// and the byte limit (`set_otlp_max_request_bytes`). Validated at build
/// time.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_max_export_batch_size(
    builder: *mut otelmetrics_provider_builder,
    max_data_points: usize,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_max_export_batch_size = Some(max_data_points);
        Ok(())
    })
}

/// Sets OTLP compression (`OTELMETRICS_COMPRESSION_NONE`, `_GZIP`, `_ZSTD`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_compression(
    builder: *mut otelmetrics_provider_builder,
    compression: otelmetrics_compression,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_compression = Some(match compression {
            OTELMETRICS_COMPRESSION_NONE => Compression::None,
            OTELMETRICS_COMPRESSION_GZIP => Compression::Gzip,
            OTELMETRICS_COMPRESSION_ZSTD => Compression::Zstd,
            other => return Err(unknown("compression", other)),
        });
        Ok(())
    })
}

unsafe fn path(s: otelmetrics_str, what: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(str_arg(s, what)?))
}

/// Sets the PEM file of CA certificates that verify the collector (instead
/// of the system's). Read and checked at build time.
/// An empty path unsets a path set before.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_certificate_file(
    builder: *mut otelmetrics_provider_builder,
    path_pem: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_ca_file = Some(path(path_pem, "CA certificate path")?);
        Ok(())
    })
}

/// Sets the client certificate (PEM) for mutual TLS; needs the key too.
/// An empty path unsets a path set before.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_client_certificate_file(
    builder: *mut otelmetrics_provider_builder,
    path_pem: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_client_cert_file = Some(path(path_pem, "client certificate path")?);
        Ok(())
    })
}

/// Sets the client private key (PEM) for mutual TLS.
/// An empty path unsets a path set before.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_client_key_file(
    builder: *mut otelmetrics_provider_builder,
    path_pem: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_client_key_file = Some(path(path_pem, "client key path")?);
        Ok(())
    })
}

/// For gRPC endpoints given without a scheme: true means plaintext, false
/// (the default) TLS. An explicit `http://` or `https://` always decides.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_otlp_insecure(
    builder: *mut otelmetrics_provider_builder,
    insecure: bool,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.otlp_insecure = Some(insecure);
        Ok(())
    })
}

/// Sets the console exporter's format (`OTELMETRICS_CONSOLE_FORMAT_*`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_console_format(
    builder: *mut otelmetrics_provider_builder,
    format: otelmetrics_console_format,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.console_format = Some(match format {
            OTELMETRICS_CONSOLE_FORMAT_TEXT => ConsoleFormat::Human,
            OTELMETRICS_CONSOLE_FORMAT_JSON => ConsoleFormat::Json,
            other => return Err(unknown("console format", other)),
        });
        Ok(())
    })
}

/// Makes the console exporter append to this file instead of stdout.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_console_path(
    builder: *mut otelmetrics_provider_builder,
    file: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.console_path = Some(path(file, "console path")?);
        Ok(())
    })
}

/// Sets where the Prometheus endpoint listens: an IP address (`host`, empty
/// for the default 127.0.0.1; "localhost" means 127.0.0.1) and a port (0
/// picks a free one). Overrides `OTEL_EXPORTER_PROMETHEUS_HOST`/`_PORT`.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_endpoint(
    builder: *mut otelmetrics_provider_builder,
    host: otelmetrics_str,
    port: u16,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        let host = str_arg(host, "Prometheus host")?;
        s.prometheus_host = (!host.is_empty()).then(|| host.to_owned());
        s.prometheus_port = Some(port);
        Ok(())
    })
}

/// Sets how the Prometheus endpoint names metrics and labels
/// (`OTELMETRICS_PROMETHEUS_TRANSLATION_*`; default
/// UNDERSCORE_ESCAPING_WITH_SUFFIXES). Whatever the strategy, a scraper
/// that does not ask for UTF-8 names (`escaping=allow-utf-8` in its Accept
/// header) gets names in the legacy character set. Returns OK,
/// NULL_POINTER, WRONG_HANDLE or INVALID_ARGUMENT (unknown value).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_translation_strategy(
    builder: *mut otelmetrics_provider_builder,
    strategy: otelmetrics_prometheus_translation,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        use crate::config::PrometheusTranslation as T;
        s.prometheus_options.translation = match strategy {
            OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITH_SUFFIXES => {
                T::UnderscoreEscapingWithSuffixes
            }
            OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES => {
                T::UnderscoreEscapingWithoutSuffixes
            }
            OTELMETRICS_PROMETHEUS_TRANSLATION_NO_UTF8_ESCAPING_WITH_SUFFIXES => {
                T::NoUtf8EscapingWithSuffixes
            }
            OTELMETRICS_PROMETHEUS_TRANSLATION_NO_TRANSLATION => T::NoTranslation,
            other => return Err(unknown("Prometheus translation strategy", other)),
        };
        Ok(())
    })
}

/// Leaves unit suffixes (`_seconds`) out of Prometheus metric names,
/// whatever the translation strategy (the spec's `WithoutUnits`); false
/// gives the strategy's names back. Returns OK, NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_without_units(
    builder: *mut otelmetrics_provider_builder,
    without_units: bool,
) -> otelmetrics_status {
    with_prometheus_options(builder, |o| o.without_units = without_units)
}

/// Leaves the `_total` suffix off Prometheus counter names, whatever the
/// translation strategy (the spec's `WithoutTypeSuffix`); OpenMetrics
/// counter samples keep it, as that format requires. False gives the
/// strategy's names back. Returns OK, NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_without_type_suffix(
    builder: *mut otelmetrics_provider_builder,
    without_type_suffix: bool,
) -> otelmetrics_status {
    with_prometheus_options(builder, |o| o.without_type_suffix = without_type_suffix)
}

/// Whether every Prometheus series carries its instrumentation scope as
/// `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and
/// `otel_scope_<attribute>` labels (default true; the schema's
/// `scope_info_enabled`). Returns OK, NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_scope_info(
    builder: *mut otelmetrics_provider_builder,
    enabled: bool,
) -> otelmetrics_status {
    with_prometheus_options(builder, |o| o.scope_info = enabled)
}

/// Whether the Prometheus endpoint exposes the resource as `target_info`
/// (default true; the schema's `target_info_enabled`). Returns OK,
/// NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_prometheus_target_info(
    builder: *mut otelmetrics_provider_builder,
    enabled: bool,
) -> otelmetrics_status {
    with_prometheus_options(builder, |o| o.target_info = enabled)
}

/// Copies resource attributes onto every Prometheus series as labels (the
/// schema's `resource_constant_labels`): adds `key_pattern` (`*` any run of
/// characters, `?` one) to the included patterns (`include` true) or the
/// excluded ones. A key is copied when it matches an included pattern (any
/// key, when only exclusions are given) and no excluded one. None is copied
/// until a pattern is added. Returns OK, NULL_POINTER, WRONG_HANDLE,
/// INVALID_UTF8 or INVALID_ARGUMENT (empty pattern).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_add_prometheus_resource_constant_label(
    builder: *mut otelmetrics_provider_builder,
    key_pattern: otelmetrics_str,
    include: bool,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        let pattern = str_arg(key_pattern, "resource label key pattern")?.to_owned();
        if pattern.is_empty() {
            return Err(Error::argument("the resource label key pattern is empty"));
        }
        let chosen =
            s.prometheus_options.resource_constant_labels.get_or_insert_with(Default::default);
        match include {
            true => chosen.included.push(pattern),
            false => chosen.excluded.push(pattern),
        }
        Ok(())
    })
}

/// Sets the interval between exports, in milliseconds (> 0; default 60000).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_export_interval_ms(
    builder: *mut otelmetrics_provider_builder,
    interval_ms: u64,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.export_interval = Some(Duration::from_millis(interval_ms));
        Ok(())
    })
}

/// Sets the deadline of one whole export, retries included, in milliseconds
/// (> 0; default 30000). Also bounds the final export at process exit.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_export_timeout_ms(
    builder: *mut otelmetrics_provider_builder,
    timeout_ms: u64,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.export_timeout = Some(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Sets the temporality preference (`OTELMETRICS_TEMPORALITY_*`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_temporality(
    builder: *mut otelmetrics_provider_builder,
    temporality: otelmetrics_temporality,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.temporality = Some(match temporality {
            OTELMETRICS_TEMPORALITY_CUMULATIVE => TemporalityPreference::Cumulative,
            OTELMETRICS_TEMPORALITY_DELTA => TemporalityPreference::Delta,
            OTELMETRICS_TEMPORALITY_LOW_MEMORY => TemporalityPreference::LowMemory,
            other => return Err(unknown("temporality", other)),
        });
        Ok(())
    })
}

/// Sets the exemplar filter (`OTELMETRICS_EXEMPLAR_FILTER_*`), over
/// `OTEL_METRICS_EXEMPLAR_FILTER`; a configuration file's `exemplar_filter`
/// replaces it. Returns OK, NULL_POINTER, WRONG_HANDLE or INVALID_ARGUMENT
/// (an unknown value).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_exemplar_filter(
    builder: *mut otelmetrics_provider_builder,
    filter: otelmetrics_exemplar_filter,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.exemplar_filter = Some(
            match filter {
                OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_ON => "always_on",
                OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_OFF => "always_off",
                OTELMETRICS_EXEMPLAR_FILTER_TRACE_BASED => "trace_based",
                other => return Err(unknown("exemplar filter", other)),
            }
            .to_owned(),
        );
        Ok(())
    })
}

/// Sets the default cardinality limit per metric stream (1 to 1,000,000; the SDK's
/// default is 2000). Series past it go to the `otel.metric.overflow` point.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_cardinality_limit(
    builder: *mut otelmetrics_provider_builder,
    limit: usize,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.cardinality_limit = Some(limit);
        Ok(())
    })
}

/// Sets the default cardinality limit of one instrument kind
/// (`OTELMETRICS_INSTRUMENT_KIND_*`), over the one of
/// `otelmetrics_provider_builder_set_cardinality_limit`; a view's own limit
/// still wins. The configuration schema's `cardinality_limits.<kind>`.
/// Returns OK, NULL_POINTER, WRONG_HANDLE or INVALID_ARGUMENT (unknown
/// kind); an out-of-range limit fails the build with INVALID_CONFIG.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_cardinality_limit_for_kind(
    builder: *mut otelmetrics_provider_builder,
    kind: otelmetrics_instrument_kind,
    limit: usize,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.kind_cardinality_limits[kind_arg(kind)? as usize] = Some(limit);
        Ok(())
    })
}

/// The meter configurator: enables or disables the meters whose name
/// matches `name_pattern` (`*` any run of characters, `?` one). Rules are
/// tried in the order added and the first match decides; a meter no rule
/// matches is enabled. A disabled meter's instruments record nothing and
/// report `enabled` false. Returns OK, NULL_POINTER, WRONG_HANDLE,
/// INVALID_UTF8 or INVALID_ARGUMENT (empty pattern).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_meter_enabled(
    builder: *mut otelmetrics_provider_builder,
    name_pattern: otelmetrics_str,
    enabled: bool,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        let pattern = str_arg(name_pattern, "meter name pattern")?.to_owned();
        if pattern.is_empty() {
            return Err(Error::argument("the meter name pattern is empty"));
        }
        s.meter_rules.push(crate::views::MeterRule { pattern, enabled });
        Ok(())
    })
}

/// Turns the SDK self-metrics on or off (off by default, or
/// `OTELMETRICS_SELF_METRICS=true`): the semantic conventions'
/// `otel.sdk.exporter.metric_data_point.exported` and `.inflight`,
/// `otel.sdk.exporter.operation.duration` and
/// `otel.sdk.metric_reader.collection.duration`, recorded by the provider's
/// own exporters and readers and exported with its other metrics (meter
/// `otelmetrics`). What one export did shows in the next one.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_self_metrics(
    builder: *mut otelmetrics_provider_builder,
    enabled: bool,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.self_metrics = Some(enabled);
        Ok(())
    })
}

/// Adds an in-memory reader, read with `otelmetrics_provider_read_json`.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_enable_in_memory_reader(
    builder: *mut otelmetrics_provider_builder,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.in_memory_reader = true;
        Ok(())
    })
}

/// Builds a provider from the builder's settings and the environment. The
/// builder stays usable and must still be freed.
///
/// Returns OK, NULL_POINTER, WRONG_HANDLE, or INVALID_CONFIG with a message
/// naming the setting (unparsable endpoint, unknown protocol, unreadable
/// certificate, zero interval, ...). `*out` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_build(
    builder: *const otelmetrics_provider_builder,
    out: *mut *mut otelmetrics_provider,
) -> otelmetrics_status {
    guard(|| {
        check_out(out, "out")?;
        let settings = otelmetrics_provider_builder::borrow(builder)?.lock().clone();
        let provider = Provider::build(&settings, &ProcessEnv)?;
        write_out(out, otelmetrics_provider::into_raw(provider));
        Ok(())
    })
}

/// Builds a provider from the `OTEL_*` environment variables alone.
/// Returns as `otelmetrics_provider_builder_build`.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_new_from_env(
    out: *mut *mut otelmetrics_provider,
) -> otelmetrics_status {
    guard(|| {
        check_out(out, "out")?;
        let provider = Provider::build(&Settings::default(), &ProcessEnv)?;
        write_out(out, otelmetrics_provider::into_raw(provider));
        Ok(())
    })
}

/// Configures the provider from a declarative configuration file (schema
/// opentelemetry-configuration 1.x), which then replaces every other setting
/// and `OTEL_*` variable (they apply only through `${VAR}` in the file). The
/// file is read by `_build`, whose INVALID_CONFIG message names the file,
/// line and key. Returns OK, NULL_POINTER, WRONG_HANDLE or INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_config_file(
    builder: *mut otelmetrics_provider_builder,
    file: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.config_file = Some(ConfigSource::Path(path(file, "config file")?));
        Ok(())
    })
}

/// As `otelmetrics_provider_builder_set_config_file`, with the YAML text
/// itself (messages name it `<yaml>`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_set_config_yaml(
    builder: *mut otelmetrics_provider_builder,
    yaml: otelmetrics_str,
) -> otelmetrics_status {
    with_settings(builder, |s| {
        s.config_file = Some(ConfigSource::Yaml(str_arg(yaml, "config yaml")?.to_owned()));
        Ok(())
    })
}

//! Precedence, per the OpenTelemetry spec: a value set in code wins over
//! the signal-specific variable (`OTEL_EXPORTER_OTLP_METRICS_*`), which wins
//! over the generic one (`OTEL_EXPORTER_OTLP_*`), which wins over the
//! default. Every invalid value is reported with the name of the setting it
//! came from.

use super::{
    Compression, ConsoleFormat, Env, ExemplarFilter, ExporterKind, FileReader, Protocol, Settings,
    TemporalityPreference,
};
use crate::error::{Error, Result};
use opentelemetry::{KeyValue, Value};
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_INTERVAL: Duration = Duration::from_millis(60_000);
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_millis(30_000);
const DEFAULT_OTLP_TIMEOUT: Duration = Duration::from_millis(10_000);
const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318/v1/metrics";
/// gRPC servers (the Collector's among them) refuse messages over 4 MiB
/// unless configured otherwise; HTTP receivers allow at least as much.
pub(crate) const DEFAULT_MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// Room for a resource, a scope and a metric description with a point.
pub(crate) const MIN_MAX_REQUEST_BYTES: usize = 1024;
/// Protobuf's own limit on a message.
pub(crate) const MAX_MAX_REQUEST_BYTES: usize = (1 << 31) - 1;
/// Not an OpenTelemetry variable (the specification has none for this).
pub(crate) const MAX_REQUEST_BYTES_VAR: &str = "OTELMETRICS_OTLP_MAX_REQUEST_BYTES";
/// The spec names the periodic reader's `max_export_batch_size` but gives
/// it no environment variable: this is ours.
pub(crate) const MAX_EXPORT_BATCH_SIZE_VAR: &str = "OTELMETRICS_METRIC_MAX_EXPORT_BATCH_SIZE";
/// No OpenTelemetry variable turns an SDK's own metrics on: this is ours.
pub(crate) const SELF_METRICS_VAR: &str = "OTELMETRICS_SELF_METRICS";

/// A fully resolved, validated configuration.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub disabled: bool,
    /// Resource attributes from code and environment (without the
    /// `telemetry.sdk.*` ones, which the pipeline adds).
    pub resource: Vec<KeyValue>,
    /// Every reader, each with its exporter: from code and the environment
    /// one per kind of `OTEL_METRICS_EXPORTER`, sharing the interval,
    /// timeout and temporality; from a configuration file one per entry of
    /// `meter_provider.readers`, each with its own.
    pub readers: Vec<ResolvedReader>,
    /// Over every reader (the SDK limits streams, not readers): from a
    /// file, the strictest the readers ask for.
    pub cardinality_limit: Option<usize>,
    /// Per-kind limits (the file's `cardinality_limits.<kind>`).
    pub kind_cardinality_limits: crate::views::KindLimits,
    /// Histograms no view gives an aggregation get base-2 exponential
    /// buckets (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`).
    pub exponential_histograms: bool,
    pub in_memory_reader: bool,
    /// Whether the SDK self-metrics are recorded (off by default).
    pub self_metrics: bool,
    pub views: Vec<crate::views::ViewSpec>,
    /// Which meters are enabled (first matching rule; default enabled).
    pub meter_rules: Vec<crate::views::MeterRule>,
    pub attribute_limits: crate::limits::AttributeLimits,
    /// Which measurements may become exemplars.
    pub exemplar_filter: ExemplarFilter,
    /// The configuration file's `log_level`, applied when the pipeline is
    /// built (else `OTEL_LOG_LEVEL`, read by the diagnostics themselves).
    pub log_level: Option<Option<crate::diagnostics::Level>>,
}

/// One reader and its exporter.
#[derive(Debug, Clone)]
pub struct ResolvedReader {
    pub exporter: ReaderExporter,
    /// How often a periodic reader exports (unused by a pull reader).
    pub interval: Duration,
    /// How long one export may take.
    pub timeout: Duration,
    /// The temporality the exporter asks for (a pull reader: cumulative).
    pub temporality: TemporalityPreference,
}

#[derive(Debug, Clone)]
pub enum ReaderExporter {
    Otlp(ResolvedOtlp),
    Console(ResolvedConsole),
    /// A pull reader: the `/metrics` endpoint, where it listens and how it
    /// names and labels what it exposes.
    Prometheus {
        address: std::net::SocketAddr,
        options: super::PrometheusOptions,
    },
}

impl ReaderExporter {
    pub fn kind(&self) -> ExporterKind {
        match self {
            ReaderExporter::Otlp(_) => ExporterKind::Otlp,
            ReaderExporter::Console(_) => ExporterKind::Console,
            ReaderExporter::Prometheus { .. } => ExporterKind::Prometheus,
        }
    }
}

impl Resolved {
    /// The kind of each reader's exporter, in order.
    pub fn exporters(&self) -> Vec<ExporterKind> {
        self.readers.iter().map(|r| r.exporter.kind()).collect()
    }

    /// The first OTLP exporter's settings.
    pub fn otlp(&self) -> Option<&ResolvedOtlp> {
        self.readers.iter().find_map(|r| match &r.exporter {
            ReaderExporter::Otlp(o) => Some(o),
            _ => None,
        })
    }

    /// The longest export timeout of any reader (what shutdown at exit
    /// waits for), the default without readers.
    pub fn export_timeout(&self) -> Duration {
        self.readers.iter().map(|r| r.timeout).max().unwrap_or(DEFAULT_EXPORT_TIMEOUT)
    }

    /// The temporality instruments must assume: an instrument kind is
    /// delta when any reader makes it delta; cumulative without readers.
    pub fn temporality(&self) -> TemporalityPreference {
        if self.disabled {
            return TemporalityPreference::Cumulative;
        }
        self.readers
            .iter()
            .map(|r| r.temporality)
            .fold(TemporalityPreference::Cumulative, TemporalityPreference::strictest)
    }

    /// What views leave unset: the cardinality limit and histogram aggregation.
    pub fn stream_defaults(&self) -> crate::views::StreamDefaults {
        crate::views::StreamDefaults {
            cardinality_limit: self.cardinality_limit,
            kind_limits: self.kind_cardinality_limits,
            exponential_histograms: self.exponential_histograms,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub url: String,
    /// Which setting it came from, for messages.
    pub source: String,
}

/// The contents of a PEM file and the setting it came from (for messages).
#[derive(Debug, Clone)]
pub struct Pem {
    pub source: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct ResolvedOtlp {
    pub endpoint: Endpoint,
    pub protocol: Protocol,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub compression: Compression,
    pub ca_pem: Option<Pem>,
    /// Client certificate and key, for mutual TLS.
    pub client_identity_pem: Option<(Pem, Pem)>,
    pub insecure: bool,
    /// Largest encoded size (before compression) of one request.
    pub max_request_bytes: usize,
    /// Most data points in one request; `None`: no limit.
    pub max_export_batch_size: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct ResolvedConsole {
    pub format: ConsoleFormat,
    pub path: Option<PathBuf>,
}

/// How messages name a setting: as set in code (`None`), or by its key
/// in the configuration file's reader it belongs to.
#[derive(Clone, Copy)]
struct Names<'a>(Option<&'a FileReader>);

impl Names<'_> {
    /// An exporter option: `code` as code names it, else the exporter's `key`.
    fn exporter(&self, code: &str, key: &str) -> String {
        match self.0 {
            None => code.to_owned(),
            Some(r) => format!("{}.{key}", r.exporter),
        }
    }

    /// A reader option: `code` as code names it, else the reader's `key`.
    fn reader(&self, code: &str, key: &str) -> String {
        match self.0 {
            None => code.to_owned(),
            Some(r) => format!("{}.{key}", r.reader),
        }
    }
}

/// A value with the name of the setting that supplied it.
struct Sourced<T> {
    value: T,
    source: String,
}

/// Looks a metrics/OTLP setting up in precedence order: code, then the
/// signal-specific variable, then the generic one.
fn pick<T>(code: Option<T>, code_name: &str, env: &dyn Env, suffix: &str) -> Option<Sourced<String>>
where
    T: ToString,
{
    if let Some(v) = code {
        return Some(Sourced { value: v.to_string(), source: code_name.to_owned() });
    }
    for var in
        [format!("OTEL_EXPORTER_OTLP_METRICS_{suffix}"), format!("OTEL_EXPORTER_OTLP_{suffix}")]
    {
        if let Some(v) = env.get(&var) {
            return Some(Sourced { value: v, source: var });
        }
    }
    None
}

fn parse_bool(setting: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::config(setting, format!("expected `true` or `false`, got `{value}`"))),
    }
}

fn parse_millis(setting: &str, value: &str) -> Result<Duration> {
    let ms: u64 = value.trim().parse().map_err(|_| {
        Error::config(setting, format!("expected a whole number of milliseconds, got `{value}`"))
    })?;
    positive(setting, Duration::from_millis(ms))
}

fn positive(setting: &str, d: Duration) -> Result<Duration> {
    if d.is_zero() {
        return Err(Error::config(setting, "must be greater than zero"));
    }
    Ok(d)
}

pub fn parse_protocol(setting: &str, value: &str) -> Result<Protocol> {
    match value.trim().to_ascii_lowercase().as_str() {
        "grpc" => Ok(Protocol::Grpc),
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "http/json" => Ok(Protocol::HttpJson),
        _ => Err(Error::config(
            setting,
            format!("unknown protocol `{value}` (expected `grpc`, `http/protobuf` or `http/json`)"),
        )),
    }
}

fn parse_compression(setting: &str, value: &str) -> Result<Compression> {
    match value.trim().to_ascii_lowercase().as_str() {
        "gzip" => Ok(Compression::Gzip),
        "zstd" => Ok(Compression::Zstd),
        "none" => Ok(Compression::None),
        _ => Err(Error::config(
            setting,
            format!("unknown compression `{value}` (expected `gzip`, `zstd` or `none`)"),
        )),
    }
}

pub(crate) const EXEMPLAR_FILTER_VAR: &str = "OTEL_METRICS_EXEMPLAR_FILTER";

/// An exemplar filter by its name (the spec's, any case).
pub fn parse_exemplar_filter(setting: &str, value: &str) -> Result<ExemplarFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "always_on" => Ok(ExemplarFilter::AlwaysOn),
        "always_off" => Ok(ExemplarFilter::AlwaysOff),
        "trace_based" => Ok(ExemplarFilter::TraceBased),
        _ => Err(Error::config(
            setting,
            format!("unknown exemplar filter `{value}` (expected `always_on`, `always_off` or `trace_based`)"),
        )),
    }
}

fn parse_temporality(setting: &str, value: &str) -> Result<TemporalityPreference> {
    match value.trim().to_ascii_lowercase().as_str() {
        "cumulative" => Ok(TemporalityPreference::Cumulative),
        "delta" => Ok(TemporalityPreference::Delta),
        "lowmemory" => Ok(TemporalityPreference::LowMemory),
        _ => Err(Error::config(
            setting,
            format!(
                "unknown temporality `{value}` (expected `cumulative`, `delta` or `lowmemory`)"
            ),
        )),
    }
}

fn parse_exporters(setting: &str, value: &str) -> Result<Vec<ExporterKind>> {
    let mut kinds = Vec::new();
    for name in value.split(',').map(|s| s.trim().to_ascii_lowercase()) {
        let kind = match name.as_str() {
            "otlp" => ExporterKind::Otlp,
            "console" => ExporterKind::Console,
            "prometheus" => ExporterKind::Prometheus,
            "none" => continue,
            _ => {
                return Err(Error::config(
                    setting,
                    format!("unknown exporter `{name}` (expected `otlp`, `console`, `prometheus` or `none`)"),
                ))
            }
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// Percent-decodes a W3C-baggage-style value (`%20` and friends).
fn percent_decode(setting: &str, s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| Error::config(setting, "percent-decoded value is not valid UTF-8"))
}

/// Parses `key1=value1,key2=value2` (used by `OTEL_RESOURCE_ATTRIBUTES` and
/// `OTEL_EXPORTER_OTLP_HEADERS`). Errors name the entry by position, never
/// by content: a malformed header entry (`Authorization: Bearer ...`) is
/// still a secret.
pub fn parse_key_values(setting: &str, value: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (n, item) in value.split(',').map(str::trim).filter(|s| !s.is_empty()).enumerate() {
        let entry = n + 1;
        let (k, v) = item.split_once('=').ok_or_else(|| {
            Error::config(setting, format!("entry {entry} is not of the form key=value (its text is not shown: it may hold a secret)"))
        })?;
        let key = percent_decode(setting, k.trim())?;
        if key.is_empty() {
            return Err(Error::config(setting, format!("entry {entry} has an empty key")));
        }
        pairs.push((key, percent_decode(setting, v.trim())?));
    }
    Ok(pairs)
}

/// The largest file configuration reads (a certificate or key, a
/// configuration file; a CA bundle is a few hundred KiB): a path to a device
/// or a huge file fails instead of exhausting memory.
const MAX_FILE_BYTES: u64 = 4 << 20;

fn read_file(setting: &str, path: &str) -> Result<Vec<u8>> {
    read_bounded(path).map_err(|e| Error::config(setting, format!("cannot read `{path}`: {e}")))
}

/// Reads a file of at most [`MAX_FILE_BYTES`]; a longer one is an error.
pub(crate) fn read_bounded(path: impl AsRef<std::path::Path>) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut data = Vec::new();
    std::fs::File::open(path)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut data)?;
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!("larger than {} MiB", MAX_FILE_BYTES >> 20)));
    }
    Ok(data)
}

/// Resolves the endpoint URL: the spec appends `/v1/metrics` to the generic
/// variable for HTTP; code and the signal-specific variable are used as given.
fn resolve_endpoint(
    settings: &Settings,
    env: &dyn Env,
    names: Names,
    protocol: Protocol,
    insecure: bool,
) -> Result<Endpoint> {
    let code_name = names.exporter("otlp endpoint (set in code)", "endpoint");
    let picked = pick(settings.otlp_endpoint.clone(), &code_name, env, "ENDPOINT");
    let (mut url, source) = match picked {
        Some(Sourced { value, source }) => {
            let is_generic = source == "OTEL_EXPORTER_OTLP_ENDPOINT";
            let url = if is_generic && protocol != Protocol::Grpc {
                format!("{}/v1/metrics", value.trim_end_matches('/'))
            } else {
                value
            };
            (url, source)
        }
        None => {
            let url = if protocol == Protocol::Grpc {
                DEFAULT_GRPC_ENDPOINT
            } else {
                DEFAULT_HTTP_ENDPOINT
            };
            (url.to_owned(), "default endpoint".to_owned())
        }
    };
    url = url.trim().to_owned();
    // gRPC endpoints may omit the scheme; `insecure` then picks plaintext.
    if protocol == Protocol::Grpc && !url.contains("://") {
        url = format!("{}://{}", if insecure { "http" } else { "https" }, url);
    }
    // Messages show the endpoint only through `redact::endpoint`.
    let shown = || super::redact::endpoint(&url);
    let uri: http::Uri = url
        .parse()
        .map_err(|e| Error::config(&source, format!("cannot parse endpoint `{}`: {e}", shown())))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => {
            return Err(Error::config(
                &source,
                format!("endpoint `{}` must start with http:// or https://", shown()),
            ))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::config(&source, format!("endpoint `{}` has no host", shown())));
    }
    if super::redact::has_bad_port(&uri) {
        return Err(Error::config(
            &source,
            format!("endpoint `{}` has a port that is not a number from 0 to 65535", shown()),
        ));
    }
    Ok(Endpoint { url, source })
}

/// Headers the transport writes itself, from the request it sends. One set
/// by configuration would reframe or misroute every request
/// (`content-length: 0` sends no body, and the receiver answers 200).
const TRANSPORT_HEADERS: [&str; 8] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "te",
    "upgrade",
    "content-encoding",
    "content-type",
];

/// Refuses headers the transport owns: the ones above, and on gRPC the
/// protocol's own (`grpc-*`) and HTTP/2 pseudo-headers (`:path`).
fn refuse_transport_headers(
    setting: &str,
    headers: &[(String, String)],
    protocol: Protocol,
) -> Result<()> {
    for (k, _) in headers {
        let name = k.trim().to_ascii_lowercase();
        let owned = TRANSPORT_HEADERS.contains(&name.as_str())
            || (protocol == Protocol::Grpc && (name.starts_with("grpc-") || name.starts_with(':')));
        if owned {
            return Err(Error::config(
                setting,
                format!("header `{name}` is written by the OTLP transport itself and cannot be configured"),
            ));
        }
    }
    Ok(())
}

fn resolve_otlp(settings: &Settings, env: &dyn Env, names: Names) -> Result<ResolvedOtlp> {
    let protocol = match pick(
        settings.otlp_protocol.map(protocol_name),
        &names.exporter("otlp protocol (set in code)", "encoding"),
        env,
        "PROTOCOL",
    ) {
        Some(p) => parse_protocol(&p.source, &p.value)?,
        None => Protocol::HttpProtobuf,
    };
    let insecure = match pick(
        settings.otlp_insecure,
        &names.exporter("otlp insecure (set in code)", "tls.insecure"),
        env,
        "INSECURE",
    ) {
        Some(v) => parse_bool(&v.source, &v.value)?,
        None => false,
    };
    let endpoint = resolve_endpoint(settings, env, names, protocol, insecure)?;

    // Headers: environment first, code overrides keys it names.
    let mut headers = Vec::new();
    if let Some(h) = pick(None::<String>, "", env, "HEADERS") {
        headers = parse_key_values(&h.source, &h.value)?;
        refuse_transport_headers(&h.source, &headers, protocol)?;
    }
    let code_headers = names.exporter("otlp headers (set in code)", "headers");
    refuse_transport_headers(&code_headers, &settings.otlp_headers, protocol)?;
    for (k, v) in &settings.otlp_headers {
        headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    for (k, v) in &headers {
        if http::HeaderName::from_bytes(k.as_bytes()).is_err() {
            // Not echoed: a mangled entry can carry the secret in its key.
            return Err(Error::config(
                &names.exporter("otlp headers", "headers"),
                "a header name is not a valid HTTP header name (not shown: it may hold a secret)",
            ));
        }
        if http::HeaderValue::from_str(v).is_err() {
            return Err(Error::config(
                &names.exporter("otlp headers", "headers"),
                format!("the value of header `{k}` is not a valid HTTP header value"),
            ));
        }
    }

    let timeout = match settings.otlp_timeout {
        Some(d) => positive(&names.exporter("otlp timeout (set in code)", "timeout"), d)?,
        None => match pick(None::<String>, "", env, "TIMEOUT") {
            Some(t) => parse_millis(&t.source, &t.value)?,
            None => DEFAULT_OTLP_TIMEOUT,
        },
    };
    let compression = match settings.otlp_compression {
        Some(c) => c,
        None => match pick(None::<String>, "", env, "COMPRESSION") {
            Some(c) => parse_compression(&c.source, &c.value)?,
            None => Compression::None,
        },
    };
    // An empty path set in code means "not set" (the environment or the
    // default then applies).
    let path_setting = |code: &Option<PathBuf>, name: &str, key: &str, suffix: &str| {
        let code =
            code.as_ref().filter(|p| !p.as_os_str().is_empty()).map(|p| p.display().to_string());
        pick(code, &names.exporter(name, key), env, suffix)
    };
    let read_pem = |p: Sourced<String>| -> Result<Pem> {
        Ok(Pem { bytes: read_file(&p.source, &p.value)?, source: p.source })
    };
    let ca_pem = match path_setting(
        &settings.otlp_ca_file,
        "otlp CA file (set in code)",
        "tls.ca_file",
        "CERTIFICATE",
    ) {
        Some(p) => Some(read_pem(p)?),
        None => None,
    };
    let cert = path_setting(
        &settings.otlp_client_cert_file,
        "otlp client certificate (set in code)",
        "tls.cert_file",
        "CLIENT_CERTIFICATE",
    );
    let key = path_setting(
        &settings.otlp_client_key_file,
        "otlp client key (set in code)",
        "tls.key_file",
        "CLIENT_KEY",
    );
    let client_identity_pem = match (cert, key) {
        (Some(c), Some(k)) => Some((read_pem(c)?, read_pem(k)?)),
        (Some(c), None) => {
            return Err(Error::config(&c.source, "a client certificate needs a client key too"))
        }
        (None, Some(k)) => {
            return Err(Error::config(&k.source, "a client key needs a client certificate too"))
        }
        (None, None) => None,
    };
    let max_request_bytes = bounded_count(
        (
            settings.otlp_max_request_bytes,
            &names.exporter("otlp max request bytes (set in code)", "max_request_bytes"),
        ),
        env,
        MAX_REQUEST_BYTES_VAR,
        MIN_MAX_REQUEST_BYTES..=MAX_MAX_REQUEST_BYTES,
        "bytes",
    )?
    .unwrap_or(DEFAULT_MAX_REQUEST_BYTES);
    let max_export_batch_size = bounded_count(
        (
            settings.otlp_max_export_batch_size,
            &names
                .reader("max export batch size (set in code)", "max_export_batch_size/development"),
        ),
        env,
        MAX_EXPORT_BATCH_SIZE_VAR,
        1..=MAX_MAX_REQUEST_BYTES,
        "data points",
    )?;
    Ok(ResolvedOtlp {
        endpoint,
        protocol,
        headers,
        timeout,
        compression,
        ca_pem,
        client_identity_pem,
        insecure,
        max_request_bytes,
        max_export_batch_size,
    })
}

/// A whole number set in code or in our own variable `var`, within
/// `range`; `None` when neither sets it.
fn bounded_count(
    (code, code_name): (Option<usize>, &str),
    env: &dyn Env,
    var: &str,
    range: std::ops::RangeInclusive<usize>,
    what: &str,
) -> Result<Option<usize>> {
    let (value, source) = match (code, env.get(var)) {
        (Some(n), _) => (n, code_name),
        (None, Some(text)) => {
            let n = text.trim().parse().map_err(|_| {
                Error::config(var, format!("expected a whole number of {what}, got `{text}`"))
            })?;
            (n, var)
        }
        (None, None) => return Ok(None),
    };
    if !range.contains(&value) {
        return Err(Error::config(
            source,
            format!("must be between {} and {} {what}, got {value}", range.start(), range.end()),
        ));
    }
    Ok(Some(value))
}

/// `OTEL_EXPORTER_PROMETHEUS_HOST`/`_PORT`, default 127.0.0.1:9464: the
/// endpoint binds to loopback unless told otherwise.
/// The Prometheus exporter's options come only from code and the
/// configuration file (the specification names no variable for them); a
/// resource label pattern must not be empty.
fn resolve_prometheus_options(
    settings: &Settings,
    names: Names,
) -> Result<super::PrometheusOptions> {
    let options = &settings.prometheus_options;
    if let Some(labels) = &options.resource_constant_labels {
        if labels.included.iter().chain(&labels.excluded).any(String::is_empty) {
            return Err(Error::config(
                &names.exporter(
                    "prometheus resource constant labels (set in code)",
                    "resource_constant_labels",
                ),
                "a key pattern is empty",
            ));
        }
    }
    Ok(options.clone())
}

fn resolve_prometheus(
    settings: &Settings,
    env: &dyn Env,
    names: Names,
) -> Result<std::net::SocketAddr> {
    let (host, host_source) =
        match (&settings.prometheus_host, env.get("OTEL_EXPORTER_PROMETHEUS_HOST")) {
            (Some(h), _) => (h.clone(), names.exporter("prometheus host (set in code)", "host")),
            (None, Some(h)) => (h, "OTEL_EXPORTER_PROMETHEUS_HOST".to_owned()),
            (None, None) => ("127.0.0.1".to_owned(), "default prometheus host".to_owned()),
        };
    let port = match (settings.prometheus_port, env.get("OTEL_EXPORTER_PROMETHEUS_PORT")) {
        (Some(p), _) => p,
        (None, Some(p)) => p.trim().parse().map_err(|_| {
            Error::config(
                "OTEL_EXPORTER_PROMETHEUS_PORT",
                format!("expected a port number, got `{p}`"),
            )
        })?,
        (None, None) => 9464,
    };
    let host = if host == "localhost" { "127.0.0.1".to_owned() } else { host };
    let ip: std::net::IpAddr =
        host.trim_matches(|c| c == '[' || c == ']').parse().map_err(|_| {
            Error::config(
                &host_source,
                format!("`{}` is not an IP address", super::redact::endpoint(&host)),
            )
        })?;
    Ok(std::net::SocketAddr::new(ip, port))
}

pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Grpc => "grpc",
        Protocol::HttpProtobuf => "http/protobuf",
        Protocol::HttpJson => "http/json",
    }
}

fn resolve_resource(settings: &Settings, env: &dyn Env) -> Result<Vec<KeyValue>> {
    let mut attrs: Vec<KeyValue> = Vec::new();
    let put = |attrs: &mut Vec<KeyValue>, kv: KeyValue| {
        attrs.retain(|a| a.key != kv.key);
        attrs.push(kv);
    };
    put(&mut attrs, KeyValue::new("service.name", "unknown_service"));
    if let Some(v) = env.get("OTEL_RESOURCE_ATTRIBUTES") {
        for (k, v) in parse_key_values("OTEL_RESOURCE_ATTRIBUTES", &v)? {
            put(&mut attrs, KeyValue::new(k, v));
        }
    }
    if let Some(name) = env.get("OTEL_SERVICE_NAME") {
        put(&mut attrs, KeyValue::new("service.name", name));
    }
    for kv in &settings.resource_attributes {
        put(&mut attrs, kv.clone());
    }
    if let Some(name) = &settings.service_name {
        put(&mut attrs, KeyValue::new("service.name", Value::from(name.clone())));
    }
    Ok(attrs)
}

pub(crate) const HISTOGRAM_AGGREGATION_VAR: &str =
    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION";

/// The spec's default histogram aggregation: `explicit_bucket_histogram`
/// (the default) or `base2_exponential_bucket_histogram`; anything else is
/// a warning and the default. It applies beside the Prometheus endpoint too,
/// which serves exponential histograms as native histograms (protobuf).
fn resolve_exponential_histograms(env: &dyn Env) -> bool {
    let Some(value) = env.get(HISTOGRAM_AGGREGATION_VAR) else {
        return false;
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "explicit_bucket_histogram" => false,
        "base2_exponential_bucket_histogram" => true,
        _ => {
            crate::diagnostics::warn(&format!(
                "{HISTOGRAM_AGGREGATION_VAR}: unknown value `{value}` (expected `explicit_bucket_histogram` or `base2_exponential_bucket_histogram`); using explicit_bucket_histogram"
            ));
            false
        }
    }
}

fn optional_count(env: &dyn Env, var: &str) -> Result<Option<usize>> {
    match env.get(var) {
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::config(var, format!("expected a whole number, got `{v}`"))),
        None => Ok(None),
    }
}

/// Resolves code settings against the environment.
/// A configuration file, when one is set, replaces code and environment:
/// its settings are resolved against no variables at all.
pub fn resolve(settings: &Settings, env: &dyn Env) -> Result<Resolved> {
    match super::file::source(settings, env) {
        Some(source) => {
            let from_file = super::file::load(&source, env, settings)?;
            resolve_settings(&from_file, &super::MapEnv::default())
        }
        None => resolve_settings(settings, env),
    }
}

fn resolve_settings(settings: &Settings, env: &dyn Env) -> Result<Resolved> {
    let disabled = match (settings.disabled, env.get("OTEL_SDK_DISABLED")) {
        (Some(d), _) => d,
        (None, Some(v)) => v.trim().eq_ignore_ascii_case("true"),
        (None, None) => false,
    };
    let mut readers = resolve_readers(settings, env, Names(None))?;
    for file_reader in &settings.file_readers {
        readers.extend(resolve_readers(&file_reader.settings, env, Names(Some(file_reader)))?);
    }
    for view in &settings.views {
        view.validate()?;
    }
    let exponential_histograms = match settings.exponential_histograms {
        Some(on) => on,
        None => match merged_histogram_aggregation(&settings.file_readers) {
            Some(on) => on,
            None => resolve_exponential_histograms(env),
        },
    };
    for limit in
        settings.cardinality_limit.iter().chain(settings.kind_cardinality_limits.iter().flatten())
    {
        crate::views::check_cardinality_limit("cardinality limit (set in code)", *limit)?;
    }
    let (cardinality_limit, kind_cardinality_limits) = if settings.file_readers.is_empty() {
        (settings.cardinality_limit, settings.kind_cardinality_limits)
    } else {
        merged_reader_limits(&settings.file_readers)?
    };
    let resource = resolve_resource(settings, env)?;
    // Validated whichever exporters there are (they are set in code).
    resolve_prometheus_options(settings, Names(None))?;
    Ok(Resolved {
        disabled,
        resource,
        readers,
        cardinality_limit,
        kind_cardinality_limits,
        exponential_histograms,
        in_memory_reader: settings.in_memory_reader,
        self_metrics: match (settings.self_metrics, env.get(SELF_METRICS_VAR)) {
            (Some(on), _) => on,
            (None, Some(v)) => parse_bool(SELF_METRICS_VAR, &v)?,
            (None, None) => false,
        },
        views: settings.views.clone(),
        meter_rules: settings.meter_rules.clone(),
        log_level: settings.log_level,
        exemplar_filter: match &settings.exemplar_filter {
            Some(name) => parse_exemplar_filter("exemplar filter", name)?,
            None => match env.get(EXEMPLAR_FILTER_VAR) {
                Some(v) => parse_exemplar_filter(EXEMPLAR_FILTER_VAR, &v)?,
                None => ExemplarFilter::TraceBased,
            },
        },
        attribute_limits: crate::limits::AttributeLimits {
            count: settings.attribute_count_limit.map_or_else(
                || optional_count(env, "OTEL_ATTRIBUTE_COUNT_LIMIT"),
                |n| Ok(Some(n)),
            )?,
            value_length: settings.attribute_value_length_limit.map_or_else(
                || optional_count(env, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"),
                |n| Ok(Some(n)),
            )?,
        },
    })
}

/// The readers of one set of settings: one per kind `exporters` names
/// (else `OTEL_METRICS_EXPORTER`), in its order, sharing the interval,
/// timeout and temporality. A file's reader is such a set with one kind.
fn resolve_readers(
    settings: &Settings,
    env: &dyn Env,
    names: Names,
) -> Result<Vec<ResolvedReader>> {
    let exporters = match &settings.exporters {
        Some(kinds) => kinds.clone(),
        None => match env.get("OTEL_METRICS_EXPORTER") {
            Some(v) => parse_exporters("OTEL_METRICS_EXPORTER", &v)?,
            None => vec![ExporterKind::Otlp],
        },
    };
    let interval = match settings.export_interval {
        Some(d) => positive(&names.reader("export interval (set in code)", "interval"), d)?,
        None => match env.get("OTEL_METRIC_EXPORT_INTERVAL") {
            Some(v) => parse_millis("OTEL_METRIC_EXPORT_INTERVAL", &v)?,
            None => DEFAULT_INTERVAL,
        },
    };
    let timeout = match settings.export_timeout {
        Some(d) => positive(&names.reader("export timeout (set in code)", "timeout"), d)?,
        None => match env.get("OTEL_METRIC_EXPORT_TIMEOUT") {
            Some(v) => parse_millis("OTEL_METRIC_EXPORT_TIMEOUT", &v)?,
            None => DEFAULT_EXPORT_TIMEOUT,
        },
    };
    let temporality = match settings.temporality {
        Some(t) => t,
        None => match env.get("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") {
            Some(v) => parse_temporality("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", &v)?,
            None => TemporalityPreference::Cumulative,
        },
    };
    let otlp = if exporters.contains(&ExporterKind::Otlp) {
        Some(resolve_otlp(settings, env, names)?)
    } else {
        None
    };
    let prometheus = if exporters.contains(&ExporterKind::Prometheus) {
        Some((
            resolve_prometheus(settings, env, names)?,
            resolve_prometheus_options(settings, names)?,
        ))
    } else {
        None
    };
    let reader =
        |exporter, temporality| ResolvedReader { exporter, interval, timeout, temporality };
    Ok(exporters
        .iter()
        .map(|kind| match kind {
            ExporterKind::Otlp => {
                reader(ReaderExporter::Otlp(otlp.clone().expect("resolved above")), temporality)
            }
            ExporterKind::Console => reader(
                ReaderExporter::Console(ResolvedConsole {
                    format: settings.console_format.unwrap_or(ConsoleFormat::Human),
                    path: settings.console_path.clone(),
                }),
                temporality,
            ),
            ExporterKind::Prometheus => {
                let (address, options) = prometheus.clone().expect("resolved above");
                // Pull readers aggregate cumulatively, whatever is preferred.
                reader(
                    ReaderExporter::Prometheus { address, options },
                    TemporalityPreference::Cumulative,
                )
            }
        })
        .collect())
}

/// The file's readers' `default_histogram_aggregation` as one: the SDK
/// aggregates a stream once for every reader. The first reader that sets
/// it decides; a later one asking for the other gets a warning naming its
/// key.
fn merged_histogram_aggregation(readers: &[FileReader]) -> Option<bool> {
    let mut chosen: Option<(bool, &str)> = None;
    for r in readers {
        let Some(on) = r.settings.exponential_histograms else { continue };
        match chosen {
            None => chosen = Some((on, &r.exporter)),
            Some((first, by)) if first != on => crate::diagnostics::warn(&format!(
                "`{}.default_histogram_aggregation` ignored: the SDK gives a histogram one aggregation for every reader; using `{by}.default_histogram_aggregation` (the first reader that sets it)",
                r.exporter
            )),
            Some(_) => {}
        }
    }
    chosen.map(|(on, _)| on)
}

/// The file's readers' `cardinality_limits` as one: the SDK limits a
/// stream once for every reader. Per key, the strictest (smallest) limit a
/// reader sets, a reader's `default` standing for the kinds it does not
/// name; a reader that sets none takes the others'. A warning names each
/// key readers disagree on.
fn merged_reader_limits(
    readers: &[FileReader],
) -> Result<(Option<usize>, crate::views::KindLimits)> {
    let key = |r: &FileReader, name: &str| format!("{}.cardinality_limits.{name}", r.reader);
    for r in readers {
        let s = &r.settings;
        for limit in s.cardinality_limit.iter().chain(s.kind_cardinality_limits.iter().flatten()) {
            crate::views::check_cardinality_limit(
                &format!("{}.cardinality_limits", r.reader),
                *limit,
            )?;
        }
    }
    // The strictest of what each reader asks for under one key, with a
    // warning when they differ.
    let strictest = |name: &str, asked: Vec<(String, usize)>| -> Option<usize> {
        let least = asked.iter().map(|(_, n)| *n).min()?;
        if asked.iter().any(|(_, n)| *n != least) {
            let each: Vec<String> = asked.iter().map(|(k, n)| format!("`{k}`: {n}")).collect();
            crate::diagnostics::warn(&format!(
                "readers disagree on `cardinality_limits.{name}` ({}): the SDK applies one limit to every reader; using {least}, the strictest",
                each.join(", ")
            ));
        }
        Some(least)
    };
    let default = strictest(
        "default",
        readers
            .iter()
            .filter_map(|r| r.settings.cardinality_limit.map(|n| (key(r, "default"), n)))
            .collect(),
    );
    let mut kinds = crate::views::KindLimits::default();
    for (name, kind) in super::file::KIND_NAMES {
        let k = kind as usize;
        if readers.iter().all(|r| r.settings.kind_cardinality_limits[k].is_none()) {
            continue;
        }
        let asked = readers
            .iter()
            .filter_map(|r| {
                let s = &r.settings;
                match (s.kind_cardinality_limits[k], s.cardinality_limit) {
                    (Some(n), _) => Some((key(r, name), n)),
                    (None, Some(n)) => Some((key(r, "default"), n)),
                    (None, None) => None,
                }
            })
            .collect();
        kinds[k] = strictest(name, asked);
    }
    Ok((default, kinds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MapEnv;
    use crate::error::status;

    fn otlp(settings: &Settings, env: &MapEnv) -> ResolvedOtlp {
        resolve(settings, env).unwrap().otlp().cloned().unwrap()
    }

    #[test]
    fn the_exemplar_filter_from_code_file_or_environment() {
        let filter = |s: &Settings, env: &MapEnv| resolve(s, env).map(|r| r.exemplar_filter);
        let none = MapEnv::default();
        assert_eq!(filter(&Settings::default(), &none).unwrap(), ExemplarFilter::TraceBased);
        let env = MapEnv::default().with(EXEMPLAR_FILTER_VAR, "ALWAYS_ON");
        assert_eq!(filter(&Settings::default(), &env).unwrap(), ExemplarFilter::AlwaysOn);
        let code = Settings { exemplar_filter: Some("always_off".into()), ..Default::default() };
        assert_eq!(filter(&code, &env).unwrap(), ExemplarFilter::AlwaysOff, "code wins");
        let bad = MapEnv::default().with(EXEMPLAR_FILTER_VAR, "sometimes");
        let e = filter(&Settings::default(), &bad).unwrap_err();
        assert!(e.message.contains(EXEMPLAR_FILTER_VAR) && e.message.contains("sometimes"));
        let file = Settings {
            config_file: Some(crate::config::ConfigSource::Yaml(
                "file_format: \"1.0\"\nmeter_provider:\n  readers: []\n  exemplar_filter: always_on\n".into(),
            )),
            ..Default::default()
        };
        let off = MapEnv::default().with(EXEMPLAR_FILTER_VAR, "always_off");
        assert_eq!(
            filter(&file, &off).unwrap(),
            ExemplarFilter::AlwaysOn,
            "the file replaces the environment"
        );
    }

    #[test]
    fn defaults_without_any_configuration() {
        let r = resolve(&Settings::default(), &MapEnv::default()).unwrap();
        assert_eq!(r.exporters(), vec![ExporterKind::Otlp]);
        assert_eq!(r.readers[0].interval, Duration::from_secs(60));
        assert_eq!(r.export_timeout(), Duration::from_secs(30));
        let o = r.otlp().cloned().unwrap();
        assert_eq!(o.protocol, Protocol::HttpProtobuf);
        assert_eq!(o.endpoint.url, "http://localhost:4318/v1/metrics");
        assert_eq!(o.timeout, Duration::from_secs(10));
        assert!(!r.disabled);
        assert!(r.resource.contains(&KeyValue::new("service.name", "unknown_service")));
    }

    #[test]
    fn generic_endpoint_gets_the_signal_path_for_http_only() {
        let env = MapEnv::default().with("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/");
        assert_eq!(
            otlp(&Settings::default(), &env).endpoint.url,
            "http://collector:4318/v1/metrics"
        );
        let env = env.with("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
        assert_eq!(otlp(&Settings::default(), &env).endpoint.url, "http://collector:4318/");
    }

    #[test]
    fn a_port_past_65535_is_refused_at_build() {
        let env = MapEnv::default().with("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999");
        let e = resolve(&Settings::default(), &env).unwrap_err();
        assert!(
            e.message.contains("OTEL_EXPORTER_OTLP_ENDPOINT") && e.message.contains("port"),
            "{}",
            e.message
        );
    }

    #[test]
    fn signal_specific_endpoint_is_used_as_given_and_wins_over_generic() {
        let env = MapEnv::default()
            .with("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318")
            .with("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://specific:9999/custom");
        let o = otlp(&Settings::default(), &env);
        assert_eq!(o.endpoint.url, "http://specific:9999/custom");
        assert_eq!(o.endpoint.source, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    }

    #[test]
    fn code_wins_over_signal_specific_which_wins_over_generic() {
        let env = MapEnv::default()
            .with("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
            .with("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc")
            .with("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            .with("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2000");
        let o = otlp(&Settings::default(), &env);
        assert_eq!(o.protocol, Protocol::Grpc);
        assert_eq!(o.timeout, Duration::from_millis(2000));
        let code = Settings {
            otlp_protocol: Some(Protocol::HttpProtobuf),
            otlp_timeout: Some(Duration::from_millis(300)),
            ..Default::default()
        };
        let o = otlp(&code, &env);
        assert_eq!(o.protocol, Protocol::HttpProtobuf);
        assert_eq!(o.timeout, Duration::from_millis(300));
    }

    #[test]
    fn headers_the_transport_owns_are_refused_naming_the_setting() {
        let protocols = [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson];
        for name in TRANSPORT_HEADERS.iter().copied().chain(["Content-Length", " Host "]) {
            for protocol in protocols {
                for var in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"] {
                    let env = MapEnv::default().with(var, &format!("api-key=x,{name}=0"));
                    let settings = Settings { otlp_protocol: Some(protocol), ..Default::default() };
                    let err = resolve_otlp(&settings, &env, Names(None)).unwrap_err();
                    assert_eq!(err.status, status::INVALID_CONFIG);
                    assert!(err.message.contains(var), "{}", err.message);
                    assert!(err.message.contains(&name.trim().to_ascii_lowercase()));
                }
                let code = Settings {
                    otlp_protocol: Some(protocol),
                    otlp_headers: vec![(name.into(), "0".into())],
                    ..Default::default()
                };
                let err = resolve_otlp(&code, &MapEnv::default(), Names(None)).unwrap_err();
                assert!(err.message.contains("otlp headers (set in code)"), "{}", err.message);
            }
        }
        for name in ["grpc-timeout", "grpc-encoding", "GRPC-Status", ":authority", ":path"] {
            let grpc = Settings {
                otlp_protocol: Some(Protocol::Grpc),
                otlp_headers: vec![(name.into(), "1".into())],
                ..Default::default()
            };
            let err = resolve_otlp(&grpc, &MapEnv::default(), Names(None)).unwrap_err();
            assert!(err.message.contains("written by the OTLP transport"), "{}", err.message);
        }
        // On HTTP a grpc-* header is only a header.
        let http = Settings {
            otlp_protocol: Some(Protocol::HttpProtobuf),
            otlp_headers: vec![("grpc-tag".into(), "1".into())],
            ..Default::default()
        };
        assert!(resolve_otlp(&http, &MapEnv::default(), Names(None)).is_ok());
    }

    #[test]
    fn headers_are_parsed_percent_decoded_and_overridden_by_code() {
        let env =
            MapEnv::default().with("OTEL_EXPORTER_OTLP_HEADERS", "api-key=se%20cret, tenant=a");
        let code =
            Settings { otlp_headers: vec![("Tenant".into(), "b".into())], ..Default::default() };
        let o = otlp(&code, &env);
        assert_eq!(
            o.headers,
            vec![
                ("api-key".to_owned(), "se cret".to_owned()),
                ("Tenant".to_owned(), "b".to_owned())
            ]
        );
    }

    #[test]
    fn resource_precedence_code_over_service_name_over_resource_attributes() {
        let env = MapEnv::default()
            .with(
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-attrs,deployment.environment=prod,team=a%2Cb",
            )
            .with("OTEL_SERVICE_NAME", "from-env");
        let r = resolve(&Settings::default(), &env).unwrap();
        assert!(r.resource.contains(&KeyValue::new("service.name", "from-env")));
        assert!(r.resource.contains(&KeyValue::new("deployment.environment", "prod")));
        assert!(r.resource.contains(&KeyValue::new("team", "a,b")));
        let code = Settings { service_name: Some("from-code".into()), ..Default::default() };
        let r = resolve(&code, &env).unwrap();
        assert!(r.resource.contains(&KeyValue::new("service.name", "from-code")));
        assert_eq!(r.resource.iter().filter(|kv| kv.key.as_str() == "service.name").count(), 1);
    }

    #[test]
    fn exporter_list_and_none() {
        let env = MapEnv::default().with("OTEL_METRICS_EXPORTER", "console, otlp");
        let r = resolve(&Settings::default(), &env).unwrap();
        assert_eq!(r.exporters(), vec![ExporterKind::Console, ExporterKind::Otlp]);
        let env = MapEnv::default().with("OTEL_METRICS_EXPORTER", "none");
        let r = resolve(&Settings::default(), &env).unwrap();
        assert!(r.readers.is_empty());
        assert!(r.otlp().is_none());
    }

    #[test]
    fn sdk_disabled_and_temporality_from_env() {
        let env = MapEnv::default()
            .with("OTEL_SDK_DISABLED", "TRUE")
            .with("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "LowMemory");
        let r = resolve(&Settings::default(), &env).unwrap();
        assert!(r.disabled);
        assert_eq!(r.readers[0].temporality, TemporalityPreference::LowMemory);
    }

    #[test]
    fn invalid_configuration_names_the_setting() {
        let cases: Vec<(MapEnv, &str)> = vec![
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"),
                "OTEL_EXPORTER_OTLP_ENDPOINT",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "ftp://x"),
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"),
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"),
                "OTEL_EXPORTER_OTLP_CERTIFICATE",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_CLIENT_KEY", "/nonexistent/key.pem"),
                "OTEL_EXPORTER_OTLP_CLIENT_KEY",
            ),
            (
                MapEnv::default().with("OTEL_METRIC_EXPORT_INTERVAL", "0"),
                "OTEL_METRIC_EXPORT_INTERVAL",
            ),
            (
                MapEnv::default().with("OTEL_METRIC_EXPORT_TIMEOUT", "soon"),
                "OTEL_METRIC_EXPORT_TIMEOUT",
            ),
            (MapEnv::default().with("OTEL_METRICS_EXPORTER", "zipkin"), "OTEL_METRICS_EXPORTER"),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
                "OTEL_EXPORTER_OTLP_COMPRESSION",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_INSECURE", "maybe"),
                "OTEL_EXPORTER_OTLP_INSECURE",
            ),
            (
                MapEnv::default().with("OTEL_EXPORTER_OTLP_HEADERS", "novalue"),
                "OTEL_EXPORTER_OTLP_HEADERS",
            ),
            (MapEnv::default().with("OTEL_RESOURCE_ATTRIBUTES", "=x"), "OTEL_RESOURCE_ATTRIBUTES"),
            (
                MapEnv::default()
                    .with("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes"),
                "TEMPORALITY_PREFERENCE",
            ),
        ];
        for (env, setting) in cases {
            let e = resolve(&Settings::default(), &env).unwrap_err();
            assert_eq!(e.status, status::INVALID_CONFIG, "{setting}");
            assert!(e.message.contains(setting), "message `{}` should name {setting}", e.message);
        }
        let zero = Settings { export_interval: Some(Duration::ZERO), ..Default::default() };
        let e = resolve(&zero, &MapEnv::default()).unwrap_err();
        assert!(e.message.contains("export interval"), "{}", e.message);
    }

    #[test]
    fn grpc_endpoint_without_scheme_follows_insecure() {
        let env = MapEnv::default()
            .with("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
            .with("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317");
        assert_eq!(otlp(&Settings::default(), &env).endpoint.url, "https://collector:4317");
        let env = env.with("OTEL_EXPORTER_OTLP_INSECURE", "true");
        assert_eq!(otlp(&Settings::default(), &env).endpoint.url, "http://collector:4317");
    }

    #[test]
    fn max_request_bytes_from_code_then_environment_then_default() {
        assert_eq!(
            otlp(&Settings::default(), &MapEnv::default()).max_request_bytes,
            4 * 1024 * 1024
        );
        let env = MapEnv::default().with(MAX_REQUEST_BYTES_VAR, " 65536 ");
        assert_eq!(otlp(&Settings::default(), &env).max_request_bytes, 65536);
        let code = Settings { otlp_max_request_bytes: Some(1024), ..Default::default() };
        assert_eq!(otlp(&code, &env).max_request_bytes, 1024);
        assert_eq!(
            otlp(
                &Settings { otlp_max_request_bytes: Some((1 << 31) - 1), ..Default::default() },
                &env
            )
            .max_request_bytes,
            (1 << 31) - 1
        );
    }

    #[test]
    fn max_request_bytes_out_of_range_or_unparsable_is_refused_naming_its_source() {
        for bad in [0usize, 1023, 1 << 31] {
            let code = Settings { otlp_max_request_bytes: Some(bad), ..Default::default() };
            let e = resolve(&code, &MapEnv::default()).unwrap_err();
            assert!(
                e.message.contains("otlp max request bytes (set in code)")
                    && e.message.contains(&bad.to_string()),
                "{}",
                e.message
            );
        }
        for bad in ["4MiB", "-1", "1e6", "100"] {
            let e =
                resolve(&Settings::default(), &MapEnv::default().with(MAX_REQUEST_BYTES_VAR, bad))
                    .unwrap_err();
            assert!(e.message.contains(MAX_REQUEST_BYTES_VAR), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn max_export_batch_size_unlimited_unless_set_in_code_or_environment() {
        assert_eq!(otlp(&Settings::default(), &MapEnv::default()).max_export_batch_size, None);
        let env = MapEnv::default().with(MAX_EXPORT_BATCH_SIZE_VAR, "500");
        assert_eq!(otlp(&Settings::default(), &env).max_export_batch_size, Some(500));
        let code = Settings { otlp_max_export_batch_size: Some(1), ..Default::default() };
        assert_eq!(otlp(&code, &env).max_export_batch_size, Some(1));
        let e = resolve(
            &Settings { otlp_max_export_batch_size: Some(0), ..Default::default() },
            &MapEnv::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("max export batch size (set in code)"), "{}", e.message);
        for bad in ["0", "lots", "-3"] {
            let e = resolve(
                &Settings::default(),
                &MapEnv::default().with(MAX_EXPORT_BATCH_SIZE_VAR, bad),
            )
            .unwrap_err();
            assert!(e.message.contains(MAX_EXPORT_BATCH_SIZE_VAR), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn zstd_compression_from_the_environment() {
        let env = MapEnv::default().with("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd");
        assert_eq!(otlp(&Settings::default(), &env).compression, Compression::Zstd);
        let e = resolve(
            &Settings::default(),
            &MapEnv::default().with("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
        )
        .unwrap_err();
        assert!(e.message.contains("`gzip`, `zstd` or `none`"), "{}", e.message);
    }

    #[test]
    fn default_histogram_aggregation_from_the_environment_and_invalid_falls_back() {
        let with = |v: &str| MapEnv::default().with(HISTOGRAM_AGGREGATION_VAR, v);
        let exp = |env: &MapEnv, s: &Settings| resolve(s, env).unwrap().exponential_histograms;
        let none = Settings::default();
        assert!(!exp(&MapEnv::default(), &none));
        assert!(!exp(&with("explicit_bucket_histogram"), &none));
        assert!(exp(&with(" Base2_Exponential_Bucket_Histogram "), &none));
        assert!(!exp(&with("exponential"), &none), "an invalid value is the default");
        let beside_prometheus = Settings {
            exporters: Some(vec![ExporterKind::Otlp, ExporterKind::Prometheus]),
            ..Default::default()
        };
        // Prometheus serves them as native histograms (protobuf).
        assert!(exp(&with("base2_exponential_bucket_histogram"), &beside_prometheus));
        assert_eq!(
            resolve(&none, &with("base2_exponential_bucket_histogram")).unwrap().stream_defaults(),
            crate::views::StreamDefaults { exponential_histograms: true, ..Default::default() }
        );
    }

    #[test]
    fn self_metrics_are_off_unless_turned_on() {
        assert!(!resolve(&Settings::default(), &MapEnv::default()).unwrap().self_metrics);
        let on = MapEnv::default().with(SELF_METRICS_VAR, "true");
        assert!(resolve(&Settings::default(), &on).unwrap().self_metrics);
        assert!(
            !resolve(&Settings { self_metrics: Some(false), ..Default::default() }, &on)
                .unwrap()
                .self_metrics
        );
        let e = resolve(&Settings::default(), &MapEnv::default().with(SELF_METRICS_VAR, "yes"))
            .unwrap_err();
        assert!(e.message.contains(SELF_METRICS_VAR), "{}", e.message);
    }
}

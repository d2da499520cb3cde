//! Precedence, per the OpenTelemetry spec: a value set in code wins over
//! the signal-specific variable (`OTEL_EXPORTER_OTLP_METRICS_*`), which wins
//! over the generic one (`OTEL_EXPORTER_OTLP_*`), which wins over the
//! default. Every invalid value is reported with the name of the setting it
//! came from.

use super::{Compression, ConsoleFormat, Env, ExporterKind, Protocol, Settings, TemporalityPreference};
use crate::error::{Error, Result};
use opentelemetry::{KeyValue, Value};
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_INTERVAL: Duration = Duration::from_millis(60_000);
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_millis(30_000);
const DEFAULT_OTLP_TIMEOUT: Duration = Duration::from_millis(10_000);
const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318/v1/metrics";

/// A fully resolved, validated configuration.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub disabled: bool,
    /// Resource attributes from code and environment (without the
    /// `telemetry.sdk.*` ones, which the pipeline adds).
    pub resource: Vec<KeyValue>,
    pub exporters: Vec<ExporterKind>,
    pub otlp: Option<ResolvedOtlp>,
    pub console: Option<ResolvedConsole>,
    pub export_interval: Duration,
    pub export_timeout: Duration,
    pub temporality: TemporalityPreference,
    pub cardinality_limit: Option<usize>,
    pub in_memory_reader: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub url: String,
    /// Which setting it came from, for messages.
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedOtlp {
    pub endpoint: Endpoint,
    pub protocol: Protocol,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub compression: Compression,
    pub ca_pem: Option<Vec<u8>>,
    pub client_identity_pem: Option<(Vec<u8>, Vec<u8>)>,
    pub insecure: bool,
}

#[derive(Debug, Clone)]
pub struct ResolvedConsole {
    pub format: ConsoleFormat,
    pub path: Option<PathBuf>,
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
    for var in [format!("OTEL_EXPORTER_OTLP_METRICS_{suffix}"), format!("OTEL_EXPORTER_OTLP_{suffix}")] {
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
    let ms: u64 = value
        .trim()
        .parse()
        .map_err(|_| Error::config(setting, format!("expected a whole number of milliseconds, got `{value}`")))?;
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
        "none" => Ok(Compression::None),
        _ => Err(Error::config(setting, format!("unknown compression `{value}` (expected `gzip` or `none`)"))),
    }
}

fn parse_temporality(setting: &str, value: &str) -> Result<TemporalityPreference> {
    match value.trim().to_ascii_lowercase().as_str() {
        "cumulative" => Ok(TemporalityPreference::Cumulative),
        "delta" => Ok(TemporalityPreference::Delta),
        "lowmemory" => Ok(TemporalityPreference::LowMemory),
        _ => Err(Error::config(
            setting,
            format!("unknown temporality `{value}` (expected `cumulative`, `delta` or `lowmemory`)"),
        )),
    }
}

fn parse_exporters(setting: &str, value: &str) -> Result<Vec<ExporterKind>> {
    let mut kinds = Vec::new();
    for name in value.split(',').map(|s| s.trim().to_ascii_lowercase()) {
        let kind = match name.as_str() {
            "otlp" => ExporterKind::Otlp,
            "console" => ExporterKind::Console,
            "none" => continue,
            _ => {
                return Err(Error::config(
                    setting,
                    format!("unknown exporter `{name}` (expected `otlp`, `console` or `none`)"),
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
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Error::config(setting, "percent-decoded value is not valid UTF-8"))
}

/// Parses `key1=value1,key2=value2` (used by `OTEL_RESOURCE_ATTRIBUTES` and
/// `OTEL_EXPORTER_OTLP_HEADERS`).
pub fn parse_key_values(setting: &str, value: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| Error::config(setting, format!("`{item}` is not of the form key=value")))?;
        let key = percent_decode(setting, k.trim())?;
        if key.is_empty() {
            return Err(Error::config(setting, format!("`{item}` has an empty key")));
        }
        pairs.push((key, percent_decode(setting, v.trim())?));
    }
    Ok(pairs)
}

fn read_file(setting: &str, path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::config(setting, format!("cannot read `{path}`: {e}")))
}

/// Resolves the endpoint URL: the spec appends `/v1/metrics` to the generic
/// variable for HTTP; code and the signal-specific variable are used as given.
fn resolve_endpoint(settings: &Settings, env: &dyn Env, protocol: Protocol, insecure: bool) -> Result<Endpoint> {
    let picked = pick(settings.otlp_endpoint.clone(), "otlp endpoint (set in code)", env, "ENDPOINT");
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
            let url = if protocol == Protocol::Grpc { DEFAULT_GRPC_ENDPOINT } else { DEFAULT_HTTP_ENDPOINT };
            (url.to_owned(), "default endpoint".to_owned())
        }
    };
    url = url.trim().to_owned();
    // gRPC endpoints may omit the scheme; `insecure` then picks plaintext.
    if protocol == Protocol::Grpc && !url.contains("://") {
        url = format!("{}://{}", if insecure { "http" } else { "https" }, url);
    }
    let uri: http::Uri = url.parse().map_err(|e| Error::config(&source, format!("cannot parse endpoint `{url}`: {e}")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(Error::config(&source, format!("endpoint `{url}` must start with http:// or https://"))),
    }
    if uri.host().map_or(true, str::is_empty) {
        return Err(Error::config(&source, format!("endpoint `{url}` has no host")));
    }
    Ok(Endpoint { url, source })
}

fn resolve_otlp(settings: &Settings, env: &dyn Env) -> Result<ResolvedOtlp> {
    let protocol = match pick(settings.otlp_protocol.map(protocol_name), "otlp protocol (set in code)", env, "PROTOCOL") {
        Some(p) => parse_protocol(&p.source, &p.value)?,
        None => Protocol::HttpProtobuf,
    };
    let insecure = match pick(settings.otlp_insecure, "otlp insecure (set in code)", env, "INSECURE") {
        Some(v) => parse_bool(&v.source, &v.value)?,
        None => false,
    };
    let endpoint = resolve_endpoint(settings, env, protocol, insecure)?;

    // Headers: environment first, code overrides keys it names.
    let mut headers = Vec::new();
    if let Some(h) = pick(None::<String>, "", env, "HEADERS") {
        headers = parse_key_values(&h.source, &h.value)?;
    }
    for (k, v) in &settings.otlp_headers {
        headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    for (k, v) in &headers {
        if http::HeaderName::from_bytes(k.as_bytes()).is_err() || http::HeaderValue::from_str(v).is_err() {
            return Err(Error::config("otlp headers", format!("`{k}` is not a valid HTTP header name/value pair")));
        }
    }

    let timeout = match settings.otlp_timeout {
        Some(d) => positive("otlp timeout (set in code)", d)?,
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
    let path_setting = |code: &Option<PathBuf>, name: &str, suffix: &str| {
        pick(code.as_ref().map(|p| p.display().to_string()), name, env, suffix)
    };
    let ca_pem = match path_setting(&settings.otlp_ca_file, "otlp CA file (set in code)", "CERTIFICATE") {
        Some(p) => Some(read_file(&p.source, &p.value)?),
        None => None,
    };
    let cert = path_setting(&settings.otlp_client_cert_file, "otlp client certificate (set in code)", "CLIENT_CERTIFICATE");
    let key = path_setting(&settings.otlp_client_key_file, "otlp client key (set in code)", "CLIENT_KEY");
    let client_identity_pem = match (cert, key) {
        (Some(c), Some(k)) => Some((read_file(&c.source, &c.value)?, read_file(&k.source, &k.value)?)),
        (Some(c), None) => return Err(Error::config(&c.source, "a client certificate needs a client key too")),
        (None, Some(k)) => return Err(Error::config(&k.source, "a client key needs a client certificate too")),
        (None, None) => None,
    };
    Ok(ResolvedOtlp { endpoint, protocol, headers, timeout, compression, ca_pem, client_identity_pem, insecure })
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

/// Resolves code settings against the environment.
pub fn resolve(settings: &Settings, env: &dyn Env) -> Result<Resolved> {
    let disabled = match env.get("OTEL_SDK_DISABLED") {
        Some(v) => v.trim().eq_ignore_ascii_case("true"),
        None => false,
    };
    let exporters = match &settings.exporters {
        Some(kinds) => kinds.clone(),
        None => match env.get("OTEL_METRICS_EXPORTER") {
            Some(v) => parse_exporters("OTEL_METRICS_EXPORTER", &v)?,
            None => vec![ExporterKind::Otlp],
        },
    };
    let export_interval = match settings.export_interval {
        Some(d) => positive("export interval (set in code)", d)?,
        None => match env.get("OTEL_METRIC_EXPORT_INTERVAL") {
            Some(v) => parse_millis("OTEL_METRIC_EXPORT_INTERVAL", &v)?,
            None => DEFAULT_INTERVAL,
        },
    };
    let export_timeout = match settings.export_timeout {
        Some(d) => positive("export timeout (set in code)", d)?,
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
    let otlp = if exporters.contains(&ExporterKind::Otlp) { Some(resolve_otlp(settings, env)?) } else { None };
    let console = exporters.contains(&ExporterKind::Console).then(|| ResolvedConsole {
        format: settings.console_format.unwrap_or(ConsoleFormat::Human),
        path: settings.console_path.clone(),
    });
    if settings.cardinality_limit == Some(0) {
        return Err(Error::config("cardinality limit (set in code)", "must be greater than zero"));
    }
    Ok(Resolved {
        disabled,
        resource: resolve_resource(settings, env)?,
        exporters,
        otlp,
        console,
        export_interval,
        export_timeout,
        temporality,
        cardinality_limit: settings.cardinality_limit,
        in_memory_reader: settings.in_memory_reader,
    })
}

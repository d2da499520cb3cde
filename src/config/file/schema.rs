//! The schema's metrics half, node by node, into [`Settings`]. Errors name
//! the file, line and key path; header values are never quoted (secrets).
//! Parts this library does not implement (traces, logs, propagators) get
//! one info diagnostic; unknown keys in the metrics part a warning each.

use super::tree::{Node, Value};
use crate::config::{
    Compression, ConsoleFormat, ExporterKind, FileReader, Protocol, Settings, TemporalityPreference,
};
use crate::diagnostics::{emit, warn, Level};
use crate::error::{Error, Result};
use crate::views::{AggregationSpec, Kind, MeterRule, ViewSpec};
use opentelemetry::KeyValue;
use std::time::Duration;

/// The `file_format` major versions this reader understands (1.0, 1.1).
const SUPPORTED_MAJOR: &str = "1";

/// What a timeout of 0 means in the schema ("no limit"): a year, so that
/// deadline arithmetic cannot overflow. Flush and shutdown still end by the
/// deadlines their callers pass.
const UNLIMITED: Duration = Duration::from_secs(365 * 24 * 3600);

/// The specification's default explicit bucket boundaries.
const DEFAULT_BOUNDARIES: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0,
    10000.0,
];

struct Walk<'a> {
    file: &'a str,
}

type Entries = [(String, Node)];

impl Walk<'_> {
    fn err(&self, node: &Node, path: &str, msg: impl std::fmt::Display) -> Error {
        Error::config(&format!("{}:{} {path}", self.file, node.line), msg)
    }
    fn unknown(&self, node: &Node, path: &str) {
        warn(&format!("{}:{}: unknown key `{path}` ignored", self.file, node.line));
    }
    fn map<'n>(&self, node: &'n Node, path: &str) -> Result<&'n Entries> {
        match &node.value {
            Value::Map(m) => Ok(m),
            Value::Null => Ok(&[]),
            _ => Err(self.err(node, path, "expected a mapping")),
        }
    }
    fn seq<'n>(&self, node: &'n Node, path: &str) -> Result<&'n [Node]> {
        match &node.value {
            Value::Seq(s) => Ok(s),
            Value::Null => Ok(&[]),
            _ => Err(self.err(node, path, "expected a list")),
        }
    }
    fn string(&self, node: &Node, path: &str) -> Result<String> {
        match &node.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(self.err(node, path, "expected a string")),
        }
    }
    fn boolean(&self, node: &Node, path: &str) -> Result<bool> {
        match node.value {
            Value::Bool(b) => Ok(b),
            _ => Err(self.err(node, path, "expected true or false")),
        }
    }
    fn count(&self, node: &Node, path: &str) -> Result<usize> {
        match node.value {
            Value::Int(i) if i >= 0 => Ok(i as usize),
            _ => Err(self.err(node, path, "expected a whole number >= 0")),
        }
    }
    fn millis(&self, node: &Node, path: &str) -> Result<Duration> {
        Ok(Duration::from_millis(self.count(node, path)? as u64))
    }
    /// A timeout in milliseconds, where 0 means no limit (the schema's rule).
    fn timeout(&self, node: &Node, path: &str) -> Result<Duration> {
        let d = self.millis(node, path)?;
        Ok(if d.is_zero() { UNLIMITED } else { d })
    }
    fn strings(&self, node: &Node, path: &str) -> Result<Vec<String>> {
        self.seq(node, path)?.iter().map(|n| self.string(n, path)).collect()
    }
    fn float(&self, node: &Node, path: &str) -> Result<f64> {
        match node.value {
            Value::Int(i) => Ok(i as f64),
            Value::Float(f) => Ok(f),
            _ => Err(self.err(node, path, "expected a number")),
        }
    }
    /// A mapping with exactly one key naming a choice (`exporter`, `aggregation`).
    fn choice<'n>(&self, node: &'n Node, path: &str) -> Result<(&'n str, &'n Node)> {
        match self.map(node, path)? {
            [(k, v)] => Ok((k.as_str(), v)),
            _ => Err(self.err(node, path, "expected exactly one key")),
        }
    }
}

/// Turns the file's root mapping into settings.
pub(crate) fn settings(file: &str, root: &Node) -> Result<Settings> {
    let w = Walk { file };
    let mut s = Settings { exporters: Some(Vec::new()), ..Settings::default() };
    let mut unsupported = Vec::new();
    let mut format_seen = false;
    for (key, node) in w.map(root, "(root)")? {
        match key.as_str() {
            "file_format" => {
                format_seen = true;
                file_format(&w, node)?;
            }
            "disabled" => s.disabled = Some(w.boolean(node, key)?),
            "log_level" => s.log_level = Some(log_level(&w, node)?),
            "attribute_limits" => attribute_limits(&w, node, &mut s)?,
            "resource" => resource(&w, node, &mut s)?,
            "meter_provider" => meter_provider(&w, node, &mut s)?,
            "tracer_provider"
            | "logger_provider"
            | "propagator"
            | "instrumentation/development"
            | "distribution" => unsupported.push(key.as_str()),
            _ => w.unknown(node, key),
        }
    }
    if !format_seen {
        return Err(w.err(root, "file_format", "is required (for example \"1.0\")"));
    }
    if !unsupported.is_empty() {
        emit(Level::Info, &format!("{file}: ignored (metrics only): {}", unsupported.join(", ")));
    }
    Ok(s)
}

fn file_format(w: &Walk, node: &Node) -> Result<()> {
    let text = match &node.value {
        Value::Str(s) => s.clone(),
        Value::Float(f) => f.to_string(),
        Value::Int(i) => i.to_string(),
        _ => return Err(w.err(node, "file_format", "expected a version string")),
    };
    let major = text.split(['.', '-']).next().unwrap_or("");
    if major != SUPPORTED_MAJOR {
        return Err(w.err(
            node,
            "file_format",
            format!("version `{text}` is not supported (expected 1.x)"),
        ));
    }
    Ok(())
}

fn log_level(w: &Walk, node: &Node) -> Result<Option<crate::diagnostics::Level>> {
    let level = w.string(node, "log_level")?;
    crate::diagnostics::Level::parse_threshold(&level)
        .ok_or_else(|| w.err(node, "log_level", format!("unknown level `{level}`")))
}

fn attribute_limits(w: &Walk, node: &Node, s: &mut Settings) -> Result<()> {
    for (key, v) in w.map(node, "attribute_limits")? {
        let path = format!("attribute_limits.{key}");
        match key.as_str() {
            "attribute_count_limit" => s.attribute_count_limit = Some(w.count(v, &path)?),
            "attribute_value_length_limit" => {
                s.attribute_value_length_limit = Some(w.count(v, &path)?)
            }
            _ => w.unknown(v, &path),
        }
    }
    Ok(())
}

fn resource(w: &Walk, node: &Node, s: &mut Settings) -> Result<()> {
    let mut list = Vec::new();
    let mut attrs = Vec::new();
    for (key, v) in w.map(node, "resource")? {
        let path = format!("resource.{key}");
        match key.as_str() {
            "attributes" => {
                for (i, a) in w.seq(v, &path)?.iter().enumerate() {
                    attrs.extend(attribute(w, a, &format!("{path}[{i}]"))?);
                }
            }
            "attributes_list" => {
                let text = w.string(v, &path)?;
                for (k, val) in crate::config::resolve::parse_key_values(&path, &text)? {
                    list.push(KeyValue::new(k, val));
                }
            }
            "schema_url" | "detection/development" => {}
            _ => w.unknown(v, &path),
        }
    }
    // `attributes` win over `attributes_list` (the schema's rule).
    list.retain(|kv| !attrs.iter().any(|a: &KeyValue| a.key == kv.key));
    s.resource_attributes = list.into_iter().chain(attrs).collect();
    Ok(())
}

/// One `{name, value, type}` entry; `None` when the value is null (the
/// schema ignores such an entry).
fn attribute(w: &Walk, node: &Node, path: &str) -> Result<Option<KeyValue>> {
    let mut name = None;
    let mut value = None;
    let mut ty = None;
    for (key, v) in w.map(node, path)? {
        match key.as_str() {
            "name" => name = Some(w.string(v, &format!("{path}.name"))?),
            "value" => value = Some(v),
            "type" => ty = Some(w.string(v, &format!("{path}.type"))?),
            _ => w.unknown(v, &format!("{path}.{key}")),
        }
    }
    let name = name.ok_or_else(|| w.err(node, path, "needs a `name`"))?;
    let v = value.ok_or_else(|| w.err(node, path, "needs a `value`"))?;
    if matches!(v.value, Value::Null) {
        return Ok(None);
    }
    let vpath = format!("{path}.value");
    let int = |n: &Node| match n.value {
        Value::Int(i) => Ok(i),
        _ => Err(w.err(n, &vpath, "expected an integer")),
    };
    let items = || w.seq(v, &vpath);
    use opentelemetry::{Array, StringValue, Value as V};
    let value: V = match ty.as_deref().unwrap_or("string") {
        "string" => w.string(v, &vpath)?.into(),
        "bool" => w.boolean(v, &vpath)?.into(),
        "int" => int(v)?.into(),
        "double" => w.float(v, &vpath)?.into(),
        "string_array" => V::Array(Array::String(
            w.strings(v, &vpath)?.into_iter().map(StringValue::from).collect(),
        )),
        "bool_array" => V::Array(Array::Bool(
            items()?.iter().map(|n| w.boolean(n, &vpath)).collect::<Result<_>>()?,
        )),
        "int_array" => V::Array(Array::I64(items()?.iter().map(int).collect::<Result<_>>()?)),
        "double_array" => V::Array(Array::F64(
            items()?.iter().map(|n| w.float(n, &vpath)).collect::<Result<_>>()?,
        )),
        other => {
            return Err(w.err(
                v,
                &format!("{path}.type"),
                format!("unknown attribute type `{other}`"),
            ))
        }
    };
    Ok(Some(KeyValue::new(name, value)))
}

fn meter_provider(w: &Walk, node: &Node, s: &mut Settings) -> Result<()> {
    for (key, v) in w.map(node, "meter_provider")? {
        let path = format!("meter_provider.{key}");
        match key.as_str() {
            "readers" => {
                for (i, r) in w.seq(v, &path)?.iter().enumerate() {
                    s.file_readers.extend(reader(w, r, &format!("{path}[{i}]"))?);
                }
            }
            "views" => {
                for (i, view_node) in w.seq(v, &path)?.iter().enumerate() {
                    s.views.push(view(w, view_node, &format!("{path}[{i}]"))?);
                }
            }
            "exemplar_filter" => {
                let f = w.string(v, &path)?;
                if !["always_on", "always_off", "trace_based"].contains(&f.as_str()) {
                    return Err(w.err(v, &path, format!("unknown filter `{f}`")));
                }
                s.exemplar_filter = Some(f);
            }
            "meter_configurator/development" => meter_configurator(w, v, &path, s)?,
            _ => w.unknown(v, &path),
        }
    }
    Ok(())
}

/// One reader, its own settings with one exporter (none when it names
/// none: a warning).
fn reader(w: &Walk, node: &Node, path: &str) -> Result<Option<FileReader>> {
    let (kind, body) = w.choice(node, path)?;
    let path = format!("{path}.{kind}");
    let pull = match kind {
        "periodic" => false,
        "pull" => true,
        _ => return Err(w.err(node, &path, "expected `periodic` or `pull`")),
    };
    let mut s = Settings { exporters: Some(Vec::new()), ..Settings::default() };
    let mut exporter_at = None;
    for (key, v) in w.map(body, &path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "interval" if !pull => s.export_interval = Some(w.millis(v, &kpath)?),
            "timeout" if !pull => s.export_timeout = Some(w.timeout(v, &kpath)?),
            "max_export_batch_size/development" if !pull => {
                s.otlp_max_export_batch_size = Some(w.count(v, &kpath)?)
            }
            "exporter" => exporter_at = Some(exporter(w, v, &kpath, pull, &mut s)?),
            "cardinality_limits" => cardinality_limits(w, v, &kpath, &mut s)?,
            "producers" => {}
            _ => w.unknown(v, &kpath),
        }
    }
    let Some(exporter) = exporter_at else {
        warn(&format!("{}:{}: `{path}` has no `exporter`: ignored", w.file, node.line));
        return Ok(None);
    };
    Ok(Some(FileReader {
        reader: format!("{}:{} {path}", w.file, node.line),
        exporter,
        settings: s,
    }))
}

fn cardinality_limits(w: &Walk, node: &Node, path: &str, s: &mut Settings) -> Result<()> {
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "default" => s.cardinality_limit = Some(w.count(v, &kpath)?),
            _ => match kind_named(key) {
                Some(kind) => s.kind_cardinality_limits[kind as usize] = Some(w.count(v, &kpath)?),
                None => w.unknown(v, &kpath),
            },
        }
    }
    Ok(())
}

/// The reader's exporter into its settings; returns where it is in the
/// file (`file:line path.kind`), for messages.
fn exporter(w: &Walk, node: &Node, path: &str, pull: bool, s: &mut Settings) -> Result<String> {
    let (kind, body) = w.choice(node, path)?;
    let path = format!("{path}.{kind}");
    match (kind, pull) {
        ("otlp_http", false) => otlp(w, body, &path, false, s)?,
        ("otlp_grpc", false) => otlp(w, body, &path, true, s)?,
        ("console", false) => {
            s.exporters = Some(vec![ExporterKind::Console]);
            s.console_format.get_or_insert(ConsoleFormat::Human);
        }
        ("prometheus/development" | "prometheus", true) => prometheus(w, body, &path, s)?,
        _ => return Err(w.err(node, &path, "exporter not supported by this reader")),
    }
    Ok(format!("{}:{} {path}", w.file, node.line))
}

fn otlp(w: &Walk, node: &Node, path: &str, grpc: bool, s: &mut Settings) -> Result<()> {
    s.exporters = Some(vec![ExporterKind::Otlp]);
    s.otlp_protocol = Some(if grpc { Protocol::Grpc } else { Protocol::HttpProtobuf });
    let mut list = Vec::new();
    let mut headers = Vec::new();
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "endpoint" => s.otlp_endpoint = Some(w.string(v, &kpath)?),
            "timeout" => s.otlp_timeout = Some(w.timeout(v, &kpath)?),
            "compression" => {
                s.otlp_compression = Some(match w.string(v, &kpath)?.as_str() {
                    "gzip" => Compression::Gzip,
                    "zstd" => Compression::Zstd,
                    "none" => Compression::None,
                    other => {
                        return Err(w.err(v, &kpath, format!("unknown compression `{other}`")))
                    }
                })
            }
            "encoding" if !grpc => match w.string(v, &kpath)?.as_str() {
                "protobuf" => s.otlp_protocol = Some(Protocol::HttpProtobuf),
                "json" => s.otlp_protocol = Some(Protocol::HttpJson),
                other => return Err(w.err(v, &kpath, format!("unknown encoding `{other}`"))),
            },
            "headers" => {
                for (i, h) in w.seq(v, &kpath)?.iter().enumerate() {
                    headers.extend(header(w, h, &format!("{kpath}[{i}]"))?);
                }
            }
            "headers_list" => {
                list = crate::config::resolve::parse_key_values(&kpath, &w.string(v, &kpath)?)?
            }
            "temporality_preference" => {
                s.temporality = Some(match w.string(v, &kpath)?.as_str() {
                    "cumulative" => TemporalityPreference::Cumulative,
                    "delta" => TemporalityPreference::Delta,
                    "low_memory" => TemporalityPreference::LowMemory,
                    other => {
                        return Err(w.err(v, &kpath, format!("unknown temporality `{other}`")))
                    }
                })
            }
            "default_histogram_aggregation" => {
                s.exponential_histograms = Some(match w.string(v, &kpath)?.as_str() {
                    "explicit_bucket_histogram" => false,
                    "base2_exponential_bucket_histogram" => true,
                    other => {
                        return Err(w.err(v, &kpath, format!("unknown aggregation `{other}`")))
                    }
                })
            }
            "tls" => tls(w, v, &kpath, s)?,
            // The schema before v1.0 named these beside the endpoint.
            "certificate_file" | "certificate" => {
                s.otlp_ca_file = Some(w.string(v, &kpath)?.into())
            }
            "client_certificate_file" | "client_certificate" => {
                s.otlp_client_cert_file = Some(w.string(v, &kpath)?.into())
            }
            "client_key_file" | "client_key" => {
                s.otlp_client_key_file = Some(w.string(v, &kpath)?.into())
            }
            "insecure" if grpc => s.otlp_insecure = Some(w.boolean(v, &kpath)?),
            _ => w.unknown(v, &kpath),
        }
    }
    // `headers` win over `headers_list` (the schema's rule).
    list.retain(|(k, _)| {
        !headers.iter().any(|(h, _): &(String, String)| h.eq_ignore_ascii_case(k))
    });
    s.otlp_headers = list.into_iter().chain(headers).collect();
    Ok(())
}

fn tls(w: &Walk, node: &Node, path: &str, s: &mut Settings) -> Result<()> {
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "ca_file" => s.otlp_ca_file = Some(w.string(v, &kpath)?.into()),
            "cert_file" => s.otlp_client_cert_file = Some(w.string(v, &kpath)?.into()),
            "key_file" => s.otlp_client_key_file = Some(w.string(v, &kpath)?.into()),
            "insecure" => s.otlp_insecure = Some(w.boolean(v, &kpath)?),
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(())
}

/// A header's value is never quoted in a message: it is often a secret.
/// `None` when the value is null (the schema ignores such an entry).
fn header(w: &Walk, node: &Node, path: &str) -> Result<Option<(String, String)>> {
    let mut name = None;
    let mut value = None;
    let mut null = false;
    for (key, v) in w.map(node, path)? {
        match key.as_str() {
            "name" => name = Some(w.string(v, &format!("{path}.name"))?),
            "value" if matches!(v.value, Value::Null) => null = true,
            "value" => value = Some(w.string(v, &format!("{path}.value"))?),
            _ => w.unknown(v, &format!("{path}.{key}")),
        }
    }
    match (name, value) {
        (Some(_), None) if null => Ok(None),
        (Some(n), Some(v)) => Ok(Some((n, v))),
        _ => Err(w.err(node, path, "a header needs `name` and `value`")),
    }
}

fn prometheus(w: &Walk, node: &Node, path: &str, s: &mut Settings) -> Result<()> {
    s.exporters = Some(vec![ExporterKind::Prometheus]);
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "host" => s.prometheus_host = Some(w.string(v, &kpath)?),
            "port" => {
                let port = w.count(v, &kpath)?;
                s.prometheus_port =
                    Some(u16::try_from(port).map_err(|_| w.err(v, &kpath, "not a port number"))?);
            }
            "translation_strategy" => {
                let name = w.string(v, &kpath)?;
                s.prometheus_options.translation = translation_named(&name)
                    .ok_or_else(|| w.err(v, &kpath, format!("unknown strategy `{name}`")))?;
            }
            // v1.1.0 names, then v1.0.0's (the negations), then the
            // drafts' suffix switches (which the strategies replaced).
            "scope_info_enabled" => s.prometheus_options.scope_info = w.boolean(v, &kpath)?,
            "target_info_enabled/development" | "target_info_enabled" => {
                s.prometheus_options.target_info = w.boolean(v, &kpath)?
            }
            "without_scope_info" => s.prometheus_options.scope_info = !w.boolean(v, &kpath)?,
            "without_target_info/development" | "without_target_info" => {
                s.prometheus_options.target_info = !w.boolean(v, &kpath)?
            }
            "without_units" => s.prometheus_options.without_units = w.boolean(v, &kpath)?,
            "without_type_suffix" => {
                s.prometheus_options.without_type_suffix = w.boolean(v, &kpath)?
            }
            "resource_constant_labels" | "with_resource_constant_labels" => {
                let mut chosen = crate::config::IncludeExclude::default();
                for (list, patterns) in w.map(v, &kpath)? {
                    let lpath = format!("{kpath}.{list}");
                    match list.as_str() {
                        "included" => chosen.included = w.strings(patterns, &lpath)?,
                        "excluded" => chosen.excluded = w.strings(patterns, &lpath)?,
                        _ => w.unknown(patterns, &lpath),
                    }
                }
                s.prometheus_options.resource_constant_labels = Some(chosen);
            }
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(())
}

/// The schema's `translation_strategy` values (with or without the
/// `/development` mark the experimental ones carry).
fn translation_named(name: &str) -> Option<crate::config::PrometheusTranslation> {
    use crate::config::PrometheusTranslation as T;
    Some(match name.strip_suffix("/development").unwrap_or(name) {
        "underscore_escaping_with_suffixes" => T::UnderscoreEscapingWithSuffixes,
        "underscore_escaping_without_suffixes" => T::UnderscoreEscapingWithoutSuffixes,
        "no_utf8_escaping_with_suffixes" => T::NoUtf8EscapingWithSuffixes,
        "no_translation" => T::NoTranslation,
        _ => return None,
    })
}

/// The schema's instrument type names (`instrument_type`, the keys of
/// `cardinality_limits`).
pub(crate) const KIND_NAMES: [(&str, Kind); 7] = [
    ("counter", Kind::Counter),
    ("up_down_counter", Kind::UpDownCounter),
    ("histogram", Kind::Histogram),
    ("gauge", Kind::Gauge),
    ("observable_counter", Kind::ObservableCounter),
    ("observable_up_down_counter", Kind::ObservableUpDownCounter),
    ("observable_gauge", Kind::ObservableGauge),
];

fn kind_named(name: &str) -> Option<Kind> {
    KIND_NAMES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

fn instrument_kind(w: &Walk, node: &Node, path: &str) -> Result<Kind> {
    let name = w.string(node, path)?;
    kind_named(&name).ok_or_else(|| w.err(node, path, format!("unknown instrument type `{name}`")))
}

fn view(w: &Walk, node: &Node, path: &str) -> Result<ViewSpec> {
    let mut spec = ViewSpec::default();
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "selector" => selector(w, v, &kpath, &mut spec)?,
            "stream" => stream(w, v, &kpath, &mut spec)?,
            _ => w.unknown(v, &kpath),
        }
    }
    spec.validate().map_err(|e| w.err(node, path, e.message))?;
    Ok(spec)
}

fn selector(w: &Walk, node: &Node, path: &str, spec: &mut ViewSpec) -> Result<()> {
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "instrument_name" => spec.instrument_name = Some(w.string(v, &kpath)?),
            "instrument_type" => spec.kind = Some(instrument_kind(w, v, &kpath)?),
            "unit" => spec.unit = Some(w.string(v, &kpath)?),
            "meter_name" => spec.meter_name = Some(w.string(v, &kpath)?),
            "meter_version" => spec.meter_version = Some(w.string(v, &kpath)?),
            "meter_schema_url" => spec.meter_schema_url = Some(w.string(v, &kpath)?),
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(())
}

fn stream(w: &Walk, node: &Node, path: &str, spec: &mut ViewSpec) -> Result<()> {
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "name" => spec.name = Some(w.string(v, &kpath)?),
            "description" => spec.description = Some(w.string(v, &kpath)?),
            "aggregation_cardinality_limit" => spec.cardinality_limit = Some(w.count(v, &kpath)?),
            "aggregation" => spec.aggregation = aggregation(w, v, &kpath)?,
            "attribute_keys" => {
                for (k, list) in w.map(v, &kpath)? {
                    let lpath = format!("{kpath}.{k}");
                    let keys = w.strings(list, &lpath)?;
                    if keys.iter().any(|k| k.contains(['*', '?'])) {
                        warn(&format!(
                            "{}:{}: `{lpath}`: attribute key patterns are matched exactly (no wildcards)",
                            w.file, list.line
                        ));
                    }
                    match k.as_str() {
                        "included" => spec.allowed_keys = Some(keys),
                        "excluded" => spec.denied_keys = Some(keys),
                        _ => w.unknown(list, &lpath),
                    }
                }
                // Both: the keys included and not excluded (excluded wins,
                // the schema's rule), as one allow-list.
                if let (Some(allowed), Some(denied)) = (&mut spec.allowed_keys, &spec.denied_keys) {
                    allowed.retain(|k| !denied.contains(k));
                    spec.denied_keys = None;
                }
            }
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(())
}

fn aggregation(w: &Walk, node: &Node, path: &str) -> Result<Option<AggregationSpec>> {
    let (kind, body) = w.choice(node, path)?;
    let path = format!("{path}.{kind}");
    let mut record_min_max = true;
    let mut boundaries = None;
    let mut max_size = 160u32;
    let mut max_scale = 20i8;
    for (key, v) in w.map(body, &path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "record_min_max" => record_min_max = w.boolean(v, &kpath)?,
            "boundaries" => {
                let items = w.seq(v, &kpath)?;
                boundaries = Some(items.iter().map(|n| w.float(n, &kpath)).collect::<Result<_>>()?)
            }
            "max_size" => {
                max_size =
                    u32::try_from(w.count(v, &kpath)?).map_err(|_| w.err(v, &kpath, "too large"))?
            }
            "max_scale" => {
                max_scale = match v.value {
                    Value::Int(i) => {
                        i8::try_from(i).map_err(|_| w.err(v, &kpath, "out of range"))?
                    }
                    _ => return Err(w.err(v, &kpath, "expected an integer")),
                }
            }
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(Some(match kind {
        "default" => return Ok(None),
        "drop" => AggregationSpec::Drop,
        "sum" => AggregationSpec::Sum,
        "last_value" => AggregationSpec::LastValue,
        "explicit_bucket_histogram" => AggregationSpec::ExplicitBuckets {
            boundaries: boundaries.unwrap_or_else(|| DEFAULT_BOUNDARIES.to_vec()),
            record_min_max,
        },
        "base2_exponential_bucket_histogram" => {
            AggregationSpec::Exponential { max_size, max_scale, record_min_max }
        }
        other => return Err(w.err(node, &path, format!("unknown aggregation `{other}`"))),
    }))
}

/// The experimental meter configurator: a default and per-name rules
/// (names may use `*`/`?`), mapped to our first-match meter rules.
fn meter_configurator(w: &Walk, node: &Node, path: &str, s: &mut Settings) -> Result<()> {
    let mut default = None;
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "default_config" => default = Some(meter_disabled(w, v, &kpath)?),
            "meters" => {
                for (i, m) in w.seq(v, &kpath)?.iter().enumerate() {
                    let mpath = format!("{kpath}[{i}]");
                    let mut name = None;
                    let mut disabled = false;
                    for (k, x) in w.map(m, &mpath)? {
                        match k.as_str() {
                            "name" => name = Some(w.string(x, &format!("{mpath}.name"))?),
                            "config" => {
                                disabled = meter_disabled(w, x, &format!("{mpath}.config"))?
                            }
                            _ => w.unknown(x, &format!("{mpath}.{k}")),
                        }
                    }
                    let pattern = name.ok_or_else(|| w.err(m, &mpath, "needs a `name`"))?;
                    s.meter_rules.push(MeterRule { pattern, enabled: !disabled });
                }
            }
            _ => w.unknown(v, &kpath),
        }
    }
    if let Some(disabled) = default {
        s.meter_rules.push(MeterRule { pattern: "*".into(), enabled: !disabled });
    }
    Ok(())
}

/// A meter's config: `enabled` (v1.0 on) or `disabled` (the drafts
/// before); returns whether the meter is disabled.
fn meter_disabled(w: &Walk, node: &Node, path: &str) -> Result<bool> {
    let mut disabled = false;
    for (key, v) in w.map(node, path)? {
        let kpath = format!("{path}.{key}");
        match key.as_str() {
            "enabled" => disabled = !w.boolean(v, &kpath)?,
            "disabled" => disabled = w.boolean(v, &kpath)?,
            _ => w.unknown(v, &kpath),
        }
    }
    Ok(disabled)
}

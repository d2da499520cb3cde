//! Renders collected metrics in the Prometheus text format (0.0.4) or in
//! OpenMetrics 1.0, following the OpenTelemetry-to-Prometheus compatibility
//! specification: monotonic sums are counters, other sums and gauges are
//! gauges, explicit-bucket histograms are histograms (cumulative `_bucket`
//! series ending in `le="+Inf"`, `_sum`, `_count`); the resource becomes
//! `target_info`; the instrumentation scope becomes `otel_scope_*` labels.
//! Exponential histograms have no text representation and are left out (with
//! a diagnostic).

use super::escaping::{write_name, Escaping, NameKind};
use super::naming::{escape_help, escape_label_value, Naming, Shape};
use super::{client_model, exemplars, protobuf};
use crate::config::PrometheusOptions;
use crate::diagnostics;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    metric, number_data_point, Exemplar, HistogramDataPoint, Metric, NumberDataPoint, ScopeMetrics,
};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The exposition formats a scraper can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    OpenMetrics,
    /// Prometheus' delimited protobuf `MetricFamily` messages: the only
    /// format with native histograms (`super::protobuf`).
    Protobuf,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Protobuf => protobuf::CONTENT_TYPE,
        }
    }
}

/// What one scrape asked for, with the exporter's options.
pub struct Scrape<'a> {
    pub format: Format,
    /// The scheme the scraper asked names to be escaped with.
    pub escaping: Escaping,
    pub options: &'a PrometheusOptions,
}

impl Scrape<'_> {
    fn naming(&self) -> Naming {
        Naming {
            escape: self.options.translation.escapes(),
            unit_suffix: self.options.unit_suffix(),
            type_suffix: self.options.type_suffix(),
            escaping: self.escaping,
            openmetrics: self.format == Format::OpenMetrics,
        }
    }
}

/// One metric family: its metadata and its rendered samples.
struct Family {
    /// The exposed name (counters end in `_total`).
    name: String,
    shape: Shape,
    help: String,
    unit: Option<String>,
    samples: String,
    /// The same samples as protobuf messages (only for `Format::Protobuf`).
    metrics: Vec<client_model::Metric>,
    /// The label sets already written (without `le`), so that two metrics
    /// whose names map to this family never expose one series twice.
    series: HashSet<String>,
}

impl Family {
    /// The family name OpenMetrics wants in metadata lines: a counter's
    /// name without `_total`.
    fn metadata_name(&self, format: Format) -> &str {
        match (format, self.shape) {
            (Format::OpenMetrics, Shape::Counter) => family_key(&self.name, self.shape),
            _ => &self.name,
        }
    }

    fn write(&self, format: Format, out: &mut String) {
        let meta = self.metadata_name(format);
        let kind = match self.shape {
            Shape::Counter => "counter",
            Shape::Gauge => "gauge",
            Shape::Histogram => "histogram",
        };
        let mut quoted = String::new();
        write_name(meta, NameKind::Metric, &mut quoted);
        if !self.help.is_empty() {
            let _ = write!(out, "# HELP {quoted} ");
            escape_help(&self.help, format == Format::OpenMetrics, out);
            out.push('\n');
        }
        let _ = writeln!(out, "# TYPE {quoted} {kind}");
        if format == Format::OpenMetrics {
            if let Some(unit) = self.unit.as_ref().filter(|u| meta.ends_with(&format!("_{u}"))) {
                let _ = writeln!(out, "# UNIT {quoted} {unit}");
            }
        }
        out.push_str(&self.samples);
    }

    /// OpenMetrics' created timestamp of one of this counter's or
    /// histogram's series: the point's start time (the compatibility spec's
    /// "StartTimeUnixNano SHOULD be converted"), in seconds. Gauges, the
    /// 0.0.4 text format (which has no such sample) and a point without a
    /// start time get none.
    fn write_created(&mut self, format: Format, labels: &str, start_unix_nano: u64) {
        if format != Format::OpenMetrics || self.shape == Shape::Gauge || start_unix_nano == 0 {
            return;
        }
        write_series(
            family_key(&self.name, self.shape),
            "_created",
            labels,
            None,
            &mut self.samples,
        );
        self.samples.push(' ');
        write_seconds(start_unix_nano, &mut self.samples);
        self.samples.push('\n');
    }
}

/// A Unix time in nanoseconds as the seconds OpenMetrics writes
/// timestamps in (`_created` samples, exemplars): `1700000000.250000000`.
pub(super) fn write_seconds(unix_nano: u64, out: &mut String) {
    let (seconds, nanos) = (unix_nano / 1_000_000_000, unix_nano % 1_000_000_000);
    let _ = write!(out, "{seconds}.{nanos:09}");
}

/// The `by_name` entry of the names `target_info` takes.
const TARGET_INFO: usize = usize::MAX;

/// Renders everything in `request` as `scrape` asks: the response body.
pub fn render(request: &ExportMetricsServiceRequest, scrape: &Scrape) -> Vec<u8> {
    let (format, options, naming) = (scrape.format, scrape.options, scrape.naming());
    let mut out = String::new();
    let mut families: Vec<Family> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut proto = Vec::new();
    for rm in &request.resource_metrics {
        let resource = rm.resource.as_ref().map_or(&[][..], |r| &r.attributes[..]);
        if options.target_info && !resource.is_empty() {
            // Its names (the sample, and OpenMetrics' family `target`) are
            // taken, whatever the format, so a metric named alike is left
            // out of every format alike.
            for taken in ["target_info", "target"] {
                by_name.insert(taken.to_owned(), TARGET_INFO);
            }
            let labels = series_labels(&naming, resource, &[]);
            match format {
                Format::Protobuf => protobuf::write_target_info(&labels, &mut proto),
                _ => write_target_info(&label_text(&labels), format, &mut out),
            }
        }
        // Resource attributes chosen to be on every series, beside the scope's.
        let constant: Vec<(String, String)> = match &options.resource_constant_labels {
            Some(chosen) => resource
                .iter()
                .filter(|kv| chosen.admits(&kv.key))
                .map(|kv| (kv.key.clone(), value_text(kv.value.as_ref())))
                .collect(),
            None => Vec::new(),
        };
        // Scopes in a fixed order, so that when two metrics clash the same
        // one is kept on every scrape (the SDK's own order is not fixed).
        let mut scopes: Vec<_> = rm.scope_metrics.iter().collect();
        scopes.sort_by(|a, b| scope_id(a).cmp(&scope_id(b)));
        for sm in scopes {
            let mut scope = match options.scope_info {
                true => scope_labels(&naming, sm.scope.as_ref(), &sm.schema_url),
                false => Vec::new(),
            };
            scope.extend(constant.iter().cloned());
            for m in &sm.metrics {
                add_metric(m, &scope, &naming, format, &mut families, &mut by_name);
            }
        }
    }
    if format == Format::Protobuf {
        for f in families.into_iter().filter(|f| !f.metrics.is_empty()) {
            protobuf::write_family(
                &f.name,
                f.shape,
                &f.help,
                f.unit.as_deref(),
                f.metrics,
                &mut proto,
            );
        }
        return proto;
    }
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        family.write(format, &mut out);
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out.into_bytes()
}

/// What orders scopes: name, version, schema URL.
fn scope_id(s: &ScopeMetrics) -> (&str, &str, &str) {
    let scope = s.scope.as_ref();
    (
        scope.map_or("", |s| s.name.as_str()),
        scope.map_or("", |s| s.version.as_str()),
        s.schema_url.as_str(),
    )
}

/// `target_info`: the resource's attributes as labels of a constant 1.
fn write_target_info(labels: &str, format: Format, out: &mut String) {
    match format {
        Format::OpenMetrics => out.push_str("# TYPE target info\n# HELP target Target metadata\n"),
        _ => out.push_str("# HELP target_info Target metadata\n# TYPE target_info gauge\n"),
    }
    write_series("target_info", "", labels, None, out);
    out.push_str(" 1\n");
}

fn shape_of(m: &Metric, format: Format) -> Option<Shape> {
    match &m.data {
        Some(metric::Data::Sum(s)) if s.is_monotonic => Some(Shape::Counter),
        Some(metric::Data::Sum(_)) | Some(metric::Data::Gauge(_)) => Some(Shape::Gauge),
        Some(metric::Data::Histogram(_)) => Some(Shape::Histogram),
        // A native histogram in protobuf; the text formats have no form
        // for it (the spec's native histograms are protobuf-only in 2.x).
        Some(metric::Data::ExponentialHistogram(_)) if format == Format::Protobuf => {
            Some(Shape::Histogram)
        }
        Some(metric::Data::ExponentialHistogram(_)) => {
            diagnostics::warn(&format!(
                "prometheus: `{}` is an exponential histogram, which only the protobuf format carries (as a native histogram); left out of this text scrape",
                m.name
            ));
            None
        }
        _ => None,
    }
}

/// The name a family is known by in OpenMetrics (a counter's without
/// `_total`); two metrics with one key are one family.
fn family_key(name: &str, shape: Shape) -> &str {
    match shape {
        Shape::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    }
}

/// Every name a family occupies: its key and the names of its samples. A
/// metric of another family that needs one of them would give a scraper
/// two TYPE lines for one name, or samples it cannot attribute.
fn occupied_names(name: &str, shape: Shape) -> Vec<String> {
    let key = family_key(name, shape);
    match shape {
        Shape::Counter => vec![key.to_owned(), name.to_owned(), format!("{key}_created")],
        Shape::Gauge => vec![name.to_owned()],
        Shape::Histogram => ["", "_bucket", "_sum", "_count", "_created"]
            .iter()
            .map(|suffix| format!("{name}{suffix}"))
            .collect(),
    }
}

/// Finds or makes the family `m` belongs to; None (with a warning) when its
/// name is taken by a family of another type.
fn family_for(
    m: &Metric,
    shape: Shape,
    naming: &Naming,
    families: &mut Vec<Family>,
    by_name: &mut HashMap<String, usize>,
) -> Option<usize> {
    let (name, unit) = naming.metric(&m.name, &m.unit, shape);
    let key = family_key(&name, shape);
    if let Some(&i) = by_name.get(key).filter(|&&i| i != TARGET_INFO) {
        let family = &mut families[i];
        if family.shape == shape && family_key(&family.name, family.shape) == key {
            merge_metadata(family, m, unit);
            return Some(i);
        }
    }
    let names = occupied_names(&name, shape);
    if let Some(&taken) = names.iter().find_map(|n| by_name.get(n)) {
        let other = match taken {
            TARGET_INFO => "the resource's `target_info`",
            i => &format!("`{}`, already exposed with another type", families[i].name),
        };
        diagnostics::warn(&format!(
            "prometheus: `{}` maps to `{name}`, which clashes with {other}; left out",
            m.name
        ));
        return None;
    }
    families.push(Family {
        name,
        shape,
        help: m.description.clone(),
        unit,
        samples: String::new(),
        metrics: Vec::new(),
        series: HashSet::new(),
    });
    for n in names {
        by_name.insert(n, families.len() - 1);
    }
    Some(families.len() - 1)
}

/// A second metric joining `family`: one HELP and one UNIT line stay (the
/// first non-empty ones), a conflict is reported.
fn merge_metadata(family: &mut Family, m: &Metric, unit: Option<String>) {
    if family.help.is_empty() {
        family.help = m.description.clone();
    } else if !m.description.is_empty() && m.description != family.help {
        diagnostics::warn(&format!(
            "prometheus: `{}` joins family `{}` with another help text; the first is kept",
            m.name, family.name
        ));
    }
    if family.unit.is_none() {
        family.unit = unit;
    } else if unit.is_some() && unit != family.unit {
        diagnostics::warn(&format!(
            "prometheus: `{}` joins family `{}` with another unit; the first is kept",
            m.name, family.name
        ));
    }
}

fn add_metric(
    m: &Metric,
    scope: &[(String, String)],
    naming: &Naming,
    format: Format,
    families: &mut Vec<Family>,
    by_name: &mut HashMap<String, usize>,
) {
    let Some(shape) = shape_of(m, format) else { return };
    let Some(index) = family_for(m, shape, naming, families, by_name) else { return };
    let family = &mut families[index];
    if format == Format::Protobuf {
        return add_protobuf_metric(m, scope, naming, family);
    }
    match &m.data {
        Some(metric::Data::Sum(s)) => s.data_points.iter().for_each(|p| {
            if let Some(labels) = claim_series(
                family,
                m,
                &point_labels(family.shape, m, naming, &p.attributes, scope),
            ) {
                // OpenMetrics has exemplars on counters, not on gauges.
                let exemplar = (format == Format::OpenMetrics && family.shape == Shape::Counter)
                    .then(|| exemplars::latest(&p.exemplars))
                    .flatten()
                    .map(|e| (e, naming));
                write_number(&family.name, &labels, p, exemplar, &mut family.samples);
                family.write_created(format, &labels, p.start_time_unix_nano);
            }
        }),
        Some(metric::Data::Gauge(g)) => g.data_points.iter().for_each(|p| {
            if let Some(labels) = claim_series(
                family,
                m,
                &point_labels(family.shape, m, naming, &p.attributes, scope),
            ) {
                write_number(&family.name, &labels, p, None, &mut family.samples)
            }
        }),
        Some(metric::Data::Histogram(h)) => h.data_points.iter().for_each(|p| {
            if let Some(labels) = claim_series(
                family,
                m,
                &point_labels(family.shape, m, naming, &p.attributes, scope),
            ) {
                let exemplars = (format == Format::OpenMetrics).then_some(naming);
                write_histogram(&family.name, &labels, p, exemplars, &mut family.samples);
                family.write_created(format, &labels, p.start_time_unix_nano);
            }
        }),
        _ => {}
    }
}

/// `m`'s points as protobuf metrics of `family`, each series claimed as
/// in the text formats.
fn add_protobuf_metric(
    m: &Metric,
    scope: &[(String, String)],
    naming: &Naming,
    family: &mut Family,
) {
    let shape = family.shape;
    let mut metrics = Vec::new();
    let mut claim = |attributes: &[KeyValue]| {
        let labels = point_labels(family.shape, m, naming, attributes, scope);
        claim_series(family, m, &labels).map(|_| labels)
    };
    match &m.data {
        Some(metric::Data::Sum(s)) => s.data_points.iter().for_each(|p| {
            if let Some(labels) = claim(&p.attributes) {
                metrics.push(protobuf::number(&labels, p, shape, naming));
            }
        }),
        Some(metric::Data::Gauge(g)) => g.data_points.iter().for_each(|p| {
            if let Some(labels) = claim(&p.attributes) {
                metrics.push(protobuf::number(&labels, p, shape, naming));
            }
        }),
        Some(metric::Data::Histogram(h)) => h.data_points.iter().for_each(|p| {
            if let Some(labels) = claim(&p.attributes) {
                metrics.push(protobuf::classic_histogram(&labels, p, naming));
            }
        }),
        Some(metric::Data::ExponentialHistogram(h)) => h.data_points.iter().for_each(|p| {
            if let Some(labels) = claim(&p.attributes) {
                metrics.extend(protobuf::native_histogram(&m.name, &labels, p));
            }
        }),
        _ => {}
    }
    family.metrics.extend(metrics);
}

/// A point's labels. A histogram's may not include an `le` of its own:
/// Prometheus reads that label as the bucket bound, so an attribute
/// mapping to it is dropped (with a warning) rather than sent twice.
fn point_labels(
    shape: Shape,
    m: &Metric,
    naming: &Naming,
    attributes: &[KeyValue],
    scope: &[(String, String)],
) -> Vec<(String, String)> {
    let mut labels = series_labels(naming, attributes, scope);
    if shape == Shape::Histogram {
        if let Some(i) = labels.iter().position(|(name, _)| name == "le") {
            labels.remove(i);
            diagnostics::warn(&format!(
                "prometheus: histogram `{}` has an attribute that becomes the label `le`, which Prometheus reserves for bucket bounds; the attribute is left out",
                m.name
            ));
        }
    }
    labels
}

/// A point's label text, unless its family already has that series (two
/// metrics whose names map alike, with the same attributes): then None,
/// with a warning, as Prometheus would keep only one of them.
fn claim_series(family: &mut Family, m: &Metric, labels: &[(String, String)]) -> Option<String> {
    let labels = label_text(labels);
    if family.series.insert(labels.clone()) {
        return Some(labels);
    }
    diagnostics::warn(&format!(
        "prometheus: `{}` has the series {}{{{labels}}}, which another metric mapping to the same name already exposes; left out",
        m.name, family.name
    ));
    None
}

/// A number sample, with an exemplar after it when one is given (OpenMetrics
/// counters).
fn write_number(
    name: &str,
    labels: &str,
    p: &NumberDataPoint,
    exemplar: Option<(&Exemplar, &Naming)>,
    out: &mut String,
) {
    write_series(name, "", labels, None, out);
    out.push(' ');
    match p.value {
        Some(number_data_point::Value::AsInt(i)) => {
            let _ = write!(out, "{i}");
        }
        Some(number_data_point::Value::AsDouble(d)) => write_float(d, out),
        None => out.push_str("NaN"),
    }
    if let Some((e, naming)) = exemplar {
        exemplars::write(e, naming, out);
    }
    out.push('\n');
}

/// A classic histogram's samples; with `exemplars` (OpenMetrics) each
/// bucket carries the latest exemplar whose value falls in it.
fn write_histogram(
    name: &str,
    labels: &str,
    p: &HistogramDataPoint,
    exemplars: Option<&Naming>,
    out: &mut String,
) {
    let mut cumulative = 0u64;
    let mut le = String::new();
    let mut lower = f64::NEG_INFINITY;
    let bounds = p.explicit_bounds.iter().copied().chain([f64::INFINITY]);
    for (i, bound) in bounds.enumerate() {
        cumulative += p.bucket_counts.get(i).copied().unwrap_or(0);
        le.clear();
        write_float(bound, &mut le);
        write_series(name, "_bucket", labels, Some(&le), out);
        // The +Inf bucket holds every measurement, whatever the counts say.
        let count = if bound == f64::INFINITY { p.count } else { cumulative };
        let _ = write!(out, " {count}");
        if let Some(naming) = exemplars {
            if let Some(e) = exemplars::in_bucket(&p.exemplars, lower, bound) {
                exemplars::write(e, naming, out);
            }
        }
        out.push('\n');
        lower = bound;
    }
    if let Some(sum) = p.sum {
        write_series(name, "_sum", labels, None, out);
        out.push(' ');
        write_float(sum, out);
        out.push('\n');
    }
    write_series(name, "_count", labels, None, out);
    let _ = writeln!(out, " {}", p.count);
}

/// Floats as Prometheus parses them: `NaN`, `+Inf`, `-Inf`, else the
/// shortest text that reads back to the same value.
pub(super) fn write_float(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        let _ = write!(out, "{v:e}");
    } else {
        let _ = write!(out, "{v}");
    }
}

/// A series' labels, sorted: the point's attributes and the scope's
/// labels (`(original key, value)` pairs from `scope_labels`). Keys that
/// map to one label name share it, their values joined with `;` in the
/// order of the original keys (the spec's Metric Attributes rule, which
/// also covers a point attribute `otel.scope.name` meeting the scope's
/// `otel_scope_name`).
fn series_labels(
    naming: &Naming,
    attributes: &[KeyValue],
    scope: &[(String, String)],
) -> Vec<(String, String)> {
    let mut keyed: Vec<(&str, String)> = attributes
        .iter()
        .map(|kv| (kv.key.as_str(), value_text(kv.value.as_ref())))
        .chain(scope.iter().map(|(k, v)| (k.as_str(), v.clone())))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(b.0));
    let mut labels: Vec<(String, String)> = Vec::with_capacity(keyed.len());
    for (key, value) in keyed {
        let name = naming.label(key);
        match labels.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => {
                existing.push(';');
                existing.push_str(&value);
            }
            None => labels.push((name, value)),
        }
    }
    labels.sort_by(|a, b| a.0.cmp(&b.0));
    labels
}

/// The labels every series of a scope gets, as `(original key, value)`:
/// `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and
/// each scope attribute as `otel_scope_<key>`. Attributes that would land
/// on one of the first three labels are dropped, as the spec requires.
fn scope_labels(
    naming: &Naming,
    scope: Option<&InstrumentationScope>,
    schema_url: &str,
) -> Vec<(String, String)> {
    const OWN: [&str; 3] = ["otel_scope_name", "otel_scope_version", "otel_scope_schema_url"];
    let Some(scope) = scope else { return Vec::new() };
    let mut labels = vec![(OWN[0].to_owned(), scope.name.clone())];
    if !scope.version.is_empty() {
        labels.push((OWN[1].to_owned(), scope.version.clone()));
    }
    if !schema_url.is_empty() {
        labels.push((OWN[2].to_owned(), schema_url.to_owned()));
    }
    for kv in &scope.attributes {
        let key = format!("otel_scope_{}", kv.key);
        if !OWN.iter().any(|own| naming.label(own) == naming.label(&key)) {
            labels.push((key, value_text(kv.value.as_ref())));
        }
    }
    labels
}

/// `a="1",b="2"`, escaped: a series' identity within its family.
fn label_text(labels: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in labels {
        if !out.is_empty() {
            out.push(',');
        }
        write_name(name, NameKind::Label, &mut out);
        out.push_str("=\"");
        escape_label_value(value, &mut out);
        out.push('"');
    }
    out
}

/// Writes a sample's name (`name` with `suffix`) and its labels (from
/// `label_text`, and `le`): `name_suffix{a="1",le="0.5"}`, or
/// `{"name.suffix",a="1"}` for a name outside the legacy set (only sent to
/// scrapers that accept UTF-8 names).
fn write_series(name: &str, suffix: &str, labels: &str, le: Option<&str>, out: &mut String) {
    let quoted = !is_legacy_metric(name);
    if quoted {
        out.push_str("{\"");
        escape_label_value(name, out);
        out.push_str(suffix);
        out.push('"');
    } else {
        out.push_str(name);
        out.push_str(suffix);
    }
    if labels.is_empty() && le.is_none() {
        if quoted {
            out.push('}');
        }
        return;
    }
    out.push(if quoted { ',' } else { '{' });
    out.push_str(labels);
    if let Some(le) = le {
        if !labels.is_empty() {
            out.push(',');
        }
        let _ = write!(out, "le=\"{le}\"");
    }
    out.push('}');
}

fn is_legacy_metric(name: &str) -> bool {
    super::escaping::is_legacy(name, NameKind::Metric)
}

/// An attribute value as label text: strings as they are, other scalars in
/// their usual spelling, arrays as JSON.
pub(super) fn value_text(v: Option<&AnyValue>) -> String {
    match v.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => {
            let mut s = String::new();
            write_float(*d, &mut s);
            s
        }
        Some(any_value::Value::ArrayValue(a)) => {
            let items: Vec<serde_json::Value> = a.values.iter().map(json_value).collect();
            serde_json::Value::Array(items).to_string()
        }
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn json_value(v: &AnyValue) -> serde_json::Value {
    match &v.value {
        Some(any_value::Value::StringValue(s)) => s.clone().into(),
        Some(any_value::Value::BoolValue(b)) => (*b).into(),
        Some(any_value::Value::IntValue(i)) => (*i).into(),
        Some(any_value::Value::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or(serde_json::Value::Null, Into::into)
        }
        _ => serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_back_in_prometheus_syntax() {
        let text = |v: f64| {
            let mut s = String::new();
            write_float(v, &mut s);
            s
        };
        assert_eq!(text(f64::NAN), "NaN");
        assert_eq!(text(f64::INFINITY), "+Inf");
        assert_eq!(text(f64::NEG_INFINITY), "-Inf");
        assert_eq!(text(0.25), "0.25");
        assert_eq!(text(1e300), "1e300");
        assert_eq!(text(0.0), "0");
    }

    #[test]
    fn colliding_label_names_share_one_label() {
        let kv = |k: &str, v: &str| KeyValue {
            key: k.to_owned(),
            value: Some(AnyValue { value: Some(any_value::Value::StringValue(v.to_owned())) }),
            ..Default::default()
        };
        let labels =
            series_labels(&Naming::CLASSIC, &[kv("a.b", "2"), kv("a_b", "1"), kv("z", "x")], &[]);
        assert_eq!(
            labels,
            vec![("a_b".to_owned(), "2;1".to_owned()), ("z".to_owned(), "x".to_owned())]
        );
    }
}

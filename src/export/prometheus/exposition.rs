//! Renders collected metrics in the Prometheus text format (0.0.4) or in
//! OpenMetrics 1.0, following the OpenTelemetry-to-Prometheus compatibility
//! specification: monotonic sums are counters, other sums and gauges are
//! gauges, explicit-bucket histograms are histograms (cumulative `_bucket`
//! series ending in `le="+Inf"`, `_sum`, `_count`); the resource becomes
//! `target_info`; the instrumentation scope becomes `otel_scope_*` labels.
//! Exponential histograms have no text representation and are left out (with
//! a diagnostic).

use super::naming::{escape_help, escape_label_value, label_name, metric_name, Shape};
use crate::diagnostics;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    metric, number_data_point, HistogramDataPoint, Metric, NumberDataPoint,
};
use std::collections::HashMap;
use std::fmt::Write;

/// The two exposition formats a scraper can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    OpenMetrics,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
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
}

impl Family {
    /// The family name OpenMetrics wants in metadata lines: a counter's
    /// name without `_total`.
    fn metadata_name(&self, format: Format) -> &str {
        match (format, self.shape) {
            (Format::OpenMetrics, Shape::Counter) => {
                self.name.strip_suffix("_total").unwrap_or(&self.name)
            }
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
        if !self.help.is_empty() {
            let _ = write!(out, "# HELP {meta} ");
            escape_help(&self.help, format == Format::OpenMetrics, out);
            out.push('\n');
        }
        let _ = writeln!(out, "# TYPE {meta} {kind}");
        if format == Format::OpenMetrics {
            if let Some(unit) = self.unit.as_ref().filter(|u| meta.ends_with(&format!("_{u}"))) {
                let _ = writeln!(out, "# UNIT {meta} {unit}");
            }
        }
        out.push_str(&self.samples);
    }
}

/// Renders everything in `request` in `format`.
pub fn render(request: &ExportMetricsServiceRequest, format: Format) -> String {
    let mut out = String::new();
    let mut families: Vec<Family> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for rm in &request.resource_metrics {
        if let Some(resource) = rm.resource.as_ref().filter(|r| !r.attributes.is_empty()) {
            write_target_info(&resource.attributes, format, &mut out);
        }
        for sm in &rm.scope_metrics {
            let scope = scope_labels(sm.scope.as_ref(), &sm.schema_url);
            for m in &sm.metrics {
                add_metric(m, &scope, &mut families, &mut by_name);
            }
        }
    }
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        family.write(format, &mut out);
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

/// `target_info`: the resource's attributes as labels of a constant 1.
fn write_target_info(attributes: &[KeyValue], format: Format, out: &mut String) {
    match format {
        Format::Text => {
            out.push_str("# HELP target_info Target metadata\n# TYPE target_info gauge\n")
        }
        Format::OpenMetrics => out.push_str("# TYPE target info\n# HELP target Target metadata\n"),
    }
    out.push_str("target_info");
    write_labels(&attribute_labels(attributes), &[], None, out);
    out.push_str(" 1\n");
}

fn shape_of(m: &Metric) -> Option<Shape> {
    match &m.data {
        Some(metric::Data::Sum(s)) if s.is_monotonic => Some(Shape::Counter),
        Some(metric::Data::Sum(_)) | Some(metric::Data::Gauge(_)) => Some(Shape::Gauge),
        Some(metric::Data::Histogram(_)) => Some(Shape::Histogram),
        Some(metric::Data::ExponentialHistogram(_)) => {
            diagnostics::warn(&format!(
                "prometheus: `{}` is an exponential histogram, which the text formats cannot carry; use an explicit-bucket histogram view for it",
                m.name
            ));
            None
        }
        _ => None,
    }
}

fn add_metric(
    m: &Metric,
    scope: &[(String, String)],
    families: &mut Vec<Family>,
    by_name: &mut HashMap<String, usize>,
) {
    let Some(shape) = shape_of(m) else { return };
    let (name, unit) = metric_name(&m.name, &m.unit, shape);
    let index = match by_name.get(&name) {
        Some(&i) if families[i].shape == shape => i,
        Some(_) => {
            diagnostics::warn(&format!(
                "prometheus: `{}` maps to `{name}`, already exposed with another type; left out",
                m.name
            ));
            return;
        }
        None => {
            families.push(Family {
                name: name.clone(),
                shape,
                help: String::new(),
                unit,
                samples: String::new(),
            });
            by_name.insert(name, families.len() - 1);
            families.len() - 1
        }
    };
    let family = &mut families[index];
    if family.help.is_empty() {
        family.help = m.description.clone();
    }
    match &m.data {
        Some(metric::Data::Sum(s)) => s
            .data_points
            .iter()
            .for_each(|p| write_number(&family.name, p, scope, &mut family.samples)),
        Some(metric::Data::Gauge(g)) => g
            .data_points
            .iter()
            .for_each(|p| write_number(&family.name, p, scope, &mut family.samples)),
        Some(metric::Data::Histogram(h)) => h
            .data_points
            .iter()
            .for_each(|p| write_histogram(&family.name, p, scope, &mut family.samples)),
        _ => {}
    }
}

fn write_number(name: &str, p: &NumberDataPoint, scope: &[(String, String)], out: &mut String) {
    out.push_str(name);
    write_labels(&attribute_labels(&p.attributes), scope, None, out);
    out.push(' ');
    match p.value {
        Some(number_data_point::Value::AsInt(i)) => {
            let _ = write!(out, "{i}");
        }
        Some(number_data_point::Value::AsDouble(d)) => write_float(d, out),
        None => out.push_str("NaN"),
    }
    out.push('\n');
}

fn write_histogram(
    name: &str,
    p: &HistogramDataPoint,
    scope: &[(String, String)],
    out: &mut String,
) {
    let labels = attribute_labels(&p.attributes);
    let mut cumulative = 0u64;
    let mut le = String::new();
    for (i, bound) in p.explicit_bounds.iter().enumerate() {
        cumulative += p.bucket_counts.get(i).copied().unwrap_or(0);
        le.clear();
        write_float(*bound, &mut le);
        let _ = write!(out, "{name}_bucket");
        write_labels(&labels, scope, Some(&le), out);
        let _ = writeln!(out, " {cumulative}");
    }
    let _ = write!(out, "{name}_bucket");
    write_labels(&labels, scope, Some("+Inf"), out);
    let _ = writeln!(out, " {}", p.count);
    if let Some(sum) = p.sum {
        let _ = write!(out, "{name}_sum");
        write_labels(&labels, scope, None, out);
        out.push(' ');
        write_float(sum, out);
        out.push('\n');
    }
    let _ = write!(out, "{name}_count");
    write_labels(&labels, scope, None, out);
    let _ = writeln!(out, " {}", p.count);
}

/// Floats as Prometheus parses them: `NaN`, `+Inf`, `-Inf`, else the
/// shortest text that reads back to the same value.
fn write_float(v: f64, out: &mut String) {
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

/// A point's attributes as sorted labels. Keys that sanitise to the same
/// label name share it, their values joined with `;` in key order.
fn attribute_labels(attributes: &[KeyValue]) -> Vec<(String, String)> {
    let mut sorted: Vec<&KeyValue> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let mut labels: Vec<(String, String)> = Vec::with_capacity(sorted.len());
    for kv in sorted {
        let name = label_name(&kv.key);
        let value = value_text(kv.value.as_ref());
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

/// `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and the
/// scope's attributes as `otel_scope_<key>`, for every series of the scope.
fn scope_labels(scope: Option<&InstrumentationScope>, schema_url: &str) -> Vec<(String, String)> {
    let Some(scope) = scope else { return Vec::new() };
    let mut labels = vec![("otel_scope_name".to_owned(), scope.name.clone())];
    if !scope.version.is_empty() {
        labels.push(("otel_scope_version".to_owned(), scope.version.clone()));
    }
    if !schema_url.is_empty() {
        labels.push(("otel_scope_schema_url".to_owned(), schema_url.to_owned()));
    }
    for (name, value) in attribute_labels(&scope.attributes) {
        labels.push((format!("otel_scope_{name}"), value));
    }
    labels
}

/// Writes `{a="1",b="2",le="0.5"}`; a scope label whose name a point
/// attribute already uses is left out rather than duplicated.
fn write_labels(
    labels: &[(String, String)],
    scope: &[(String, String)],
    le: Option<&str>,
    out: &mut String,
) {
    if labels.is_empty() && scope.is_empty() && le.is_none() {
        return;
    }
    out.push('{');
    let mut first = true;
    let mut one = |name: &str, value: &str, out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(name);
        out.push_str("=\"");
        escape_label_value(value, out);
        out.push('"');
    };
    for (name, value) in labels {
        one(name, value, out);
    }
    for (name, value) in scope.iter().filter(|(n, _)| !labels.iter().any(|(l, _)| l == n)) {
        one(name, value, out);
    }
    if let Some(le) = le {
        one("le", le, out);
    }
    out.push('}');
}

/// An attribute value as label text: strings as they are, other scalars in
/// their usual spelling, arrays as JSON.
fn value_text(v: Option<&AnyValue>) -> String {
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
        let labels = attribute_labels(&[kv("a.b", "2"), kv("a_b", "1"), kv("z", "x")]);
        assert_eq!(
            labels,
            vec![("a_b".to_owned(), "2;1".to_owned()), ("z".to_owned(), "x".to_owned())]
        );
    }
}

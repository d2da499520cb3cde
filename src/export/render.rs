//! One conversion of collected metrics to the OTLP request, and two ways to
//! print it: OTLP JSON (the console's JSON lines and the in-memory snapshot)
//! and a readable text block (the console's default).

use super::exemplars::ExemplarStore;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    exemplar, metric, number_data_point, AggregationTemporality, Exemplar,
};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use std::fmt::Write;

/// The OTLP request of one collection, with the provider's exemplars on its
/// points (`exemplars::join`) and each integer/double instrument pair of one
/// name as one stream (`number_twins`).
pub fn to_request(
    metrics: &ResourceMetrics,
    exemplars: &ExemplarStore,
) -> ExportMetricsServiceRequest {
    let mut request = ExportMetricsServiceRequest::from(metrics);
    super::exemplars::join(&mut request, metrics, exemplars);
    super::number_twins::merge(&mut request);
    request
}

pub fn to_json(request: &ExportMetricsServiceRequest) -> String {
    serde_json::to_string(request)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise: {e}\"}}"))
}

fn value_text(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => format!("{s:?}"),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::ArrayValue(a)) => {
            let items: Vec<String> =
                a.values.iter().map(|v| value_text(&Some(v.clone()))).collect();
            format!("[{}]", items.join(", "))
        }
        Some(other) => format!("{other:?}"),
        None => "null".to_owned(),
    }
}

fn attrs_text(attrs: &[KeyValue]) -> String {
    let items: Vec<String> =
        attrs.iter().map(|kv| format!("{}={}", kv.key, value_text(&kv.value))).collect();
    format!("{{{}}}", items.join(", "))
}

fn optional(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn temporality_text(t: i32) -> &'static str {
    match AggregationTemporality::try_from(t) {
        Ok(AggregationTemporality::Delta) => "delta",
        Ok(AggregationTemporality::Cumulative) => "cumulative",
        _ => "unspecified",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line per exemplar of a point, under it.
fn exemplars_text(out: &mut String, exemplars: &[Exemplar]) {
    for e in exemplars {
        let value = match e.value {
            Some(exemplar::Value::AsInt(i)) => i.to_string(),
            Some(exemplar::Value::AsDouble(d)) => d.to_string(),
            None => "none".to_owned(),
        };
        let _ = writeln!(
            out,
            "        exemplar {value} trace_id={} span_id={} time={} filtered={}",
            hex(&e.trace_id),
            hex(&e.span_id),
            e.time_unix_nano,
            attrs_text(&e.filtered_attributes)
        );
    }
}

/// A readable rendering, one line per data point (and per exemplar).
pub fn to_text(request: &ExportMetricsServiceRequest) -> String {
    let mut out = String::new();
    for rm in &request.resource_metrics {
        let resource = rm.resource.as_ref().map(|r| attrs_text(&r.attributes)).unwrap_or_default();
        let _ = writeln!(out, "resource {resource}");
        for sm in &rm.scope_metrics {
            let (name, version) = sm
                .scope
                .as_ref()
                .map(|s| (s.name.as_str(), s.version.as_str()))
                .unwrap_or(("", ""));
            let _ = writeln!(out, "  scope {name} {version}");
            for m in &sm.metrics {
                let kind = match &m.data {
                    Some(metric::Data::Sum(s)) => {
                        format!(
                            "sum, {}, {}",
                            temporality_text(s.aggregation_temporality),
                            if s.is_monotonic { "monotonic" } else { "non-monotonic" }
                        )
                    }
                    Some(metric::Data::Gauge(_)) => "gauge".to_owned(),
                    Some(metric::Data::Histogram(h)) => {
                        format!("histogram, {}", temporality_text(h.aggregation_temporality))
                    }
                    Some(metric::Data::ExponentialHistogram(h)) => {
                        format!(
                            "exponential histogram, {}",
                            temporality_text(h.aggregation_temporality)
                        )
                    }
                    _ => "other".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "    {} [{}] unit={:?} {:?}",
                    m.name, kind, m.unit, m.description
                );
                let number =
                    |p: &opentelemetry_proto::tonic::metrics::v1::NumberDataPoint| match p.value {
                        Some(number_data_point::Value::AsInt(i)) => i.to_string(),
                        Some(number_data_point::Value::AsDouble(d)) => d.to_string(),
                        None => "none".to_owned(),
                    };
                match &m.data {
                    Some(metric::Data::Sum(s)) => s.data_points.iter().for_each(|p| {
                        let _ = writeln!(out, "      {} {}", attrs_text(&p.attributes), number(p));
                        exemplars_text(&mut out, &p.exemplars);
                    }),
                    Some(metric::Data::Gauge(g)) => g.data_points.iter().for_each(|p| {
                        let _ = writeln!(out, "      {} {}", attrs_text(&p.attributes), number(p));
                        exemplars_text(&mut out, &p.exemplars);
                    }),
                    Some(metric::Data::Histogram(h)) => h.data_points.iter().for_each(|p| {
                        let _ = writeln!(
                            out,
                            "      {} count={} sum={} min={} max={} bounds={:?} counts={:?}",
                            attrs_text(&p.attributes),
                            p.count,
                            p.sum.unwrap_or_default(),
                            optional(p.min),
                            optional(p.max),
                            p.explicit_bounds,
                            p.bucket_counts
                        );
                        exemplars_text(&mut out, &p.exemplars);
                    }),
                    Some(metric::Data::ExponentialHistogram(h)) => {
                        h.data_points.iter().for_each(|p| {
                            let _ = writeln!(
                                out,
                                "      {} count={} sum={} scale={} zero_count={}",
                                attrs_text(&p.attributes),
                                p.count,
                                p.sum.unwrap_or_default(),
                                p.scale,
                                p.zero_count
                            );
                            exemplars_text(&mut out, &p.exemplars);
                        })
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

//! Exemplars in the exposition: OpenMetrics allows one per counter sample
//! and one per histogram bucket (` # {trace_id="…",span_id="…"} 0.7 1700000000.5`),
//! its labels at most 128 UTF-8 characters in all, names and values
//! counted. The 0.0.4 text format has none. We send the point's latest
//! exemplar (for a bucket: the latest whose value falls in it), with
//! `trace_id` and `span_id` first and the measurement's attributes that
//! views filtered out after them, as many as fit.

use super::escaping::{write_name, NameKind};
use super::naming::{escape_label_value, Naming};
use opentelemetry_proto::tonic::metrics::v1::{exemplar, Exemplar};
use std::fmt::Write;

/// OpenMetrics' limit on an exemplar's label set.
const MAX_LABEL_CHARS: usize = 128;

/// The exemplar recorded last, if any.
pub fn latest(exemplars: &[Exemplar]) -> Option<&Exemplar> {
    exemplars.iter().max_by_key(|e| e.time_unix_nano)
}

/// The latest exemplar whose value is in the bucket `(lower, upper]`.
pub fn in_bucket(exemplars: &[Exemplar], lower: f64, upper: f64) -> Option<&Exemplar> {
    let within = |e: &&Exemplar| {
        let v = value(e);
        v > lower && v <= upper
    };
    exemplars.iter().filter(within).max_by_key(|e| e.time_unix_nano)
}

/// The measured value, as a float.
pub fn value(e: &Exemplar) -> f64 {
    match e.value {
        Some(exemplar::Value::AsDouble(d)) => d,
        Some(exemplar::Value::AsInt(i)) => i as f64,
        None => f64::NAN,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The exemplar's labels: `trace_id` and `span_id` when it has them (the
/// OpenTelemetry compatibility specification's names), then its filtered
/// attributes in order, each only while the set stays within 128
/// characters.
pub fn labels(e: &Exemplar, naming: &Naming) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut used = 0;
    let mut add = |name: String, value: String| {
        let size = name.chars().count() + value.chars().count();
        if used + size <= MAX_LABEL_CHARS && !labels.iter().any(|(n, _)| *n == name) {
            used += size;
            labels.push((name, value));
        }
    };
    if e.trace_id.len() == 16 && e.span_id.len() == 8 {
        add("trace_id".to_owned(), hex(&e.trace_id));
        add("span_id".to_owned(), hex(&e.span_id));
    }
    for kv in &e.filtered_attributes {
        add(naming.label(&kv.key), super::exposition::value_text(kv.value.as_ref()));
    }
    labels
}

/// Writes ` # {labels} value timestamp` (the timestamp in seconds).
pub fn write(e: &Exemplar, naming: &Naming, out: &mut String) {
    out.push_str(" # {");
    for (i, (name, value)) in labels(e, naming).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_name(name, NameKind::Label, out);
        out.push_str("=\"");
        escape_label_value(value, out);
        out.push('"');
    }
    out.push_str("} ");
    match e.value {
        Some(exemplar::Value::AsInt(i)) => {
            let _ = write!(out, "{i}");
        }
        _ => super::exposition::write_float(value(e), out),
    }
    if e.time_unix_nano != 0 {
        out.push(' ');
        super::exposition::write_seconds(e.time_unix_nano, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};

    fn exemplar(value: f64, time: u64, filtered: &[(&str, &str)]) -> Exemplar {
        Exemplar {
            filtered_attributes: filtered
                .iter()
                .map(|(k, v)| KeyValue {
                    key: (*k).to_owned(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue((*v).to_owned())),
                    }),
                    ..Default::default()
                })
                .collect(),
            time_unix_nano: time,
            span_id: vec![0xab; 8],
            trace_id: vec![0x4b; 16],
            value: Some(exemplar::Value::AsDouble(value)),
        }
    }

    #[test]
    fn the_line_has_trace_and_span_ids_value_and_seconds() {
        let mut out = String::new();
        write(
            &exemplar(0.5, 1_700_000_000_250_000_000, &[("user.id", "7")]),
            &Naming::CLASSIC,
            &mut out,
        );
        assert_eq!(
            out,
            format!(
                " # {{trace_id=\"{}\",span_id=\"{}\",user_id=\"7\"}} 0.5 1700000000.250000000",
                "4b".repeat(16),
                "ab".repeat(8)
            )
        );
    }

    #[test]
    fn labels_stay_within_128_characters() {
        let long = "v".repeat(70);
        let e = exemplar(1.0, 1, &[("a", &long), ("b", "short"), ("c", &long)]);
        let labels = labels(&e, &Naming::CLASSIC);
        let size: usize = labels.iter().map(|(n, v)| n.chars().count() + v.chars().count()).sum();
        assert!(size <= MAX_LABEL_CHARS, "{labels:?}");
        let names: Vec<&str> = labels.iter().map(|(n, _)| n.as_str()).collect();
        // The ids take 63: `a` (71) would not fit, `b` (6) does, `c` not.
        assert_eq!(names, ["trace_id", "span_id", "b"]);
    }

    #[test]
    fn buckets_get_the_latest_exemplar_of_their_range() {
        let all = [exemplar(0.2, 1, &[]), exemplar(0.4, 2, &[]), exemplar(0.7, 3, &[])];
        assert_eq!(in_bucket(&all, f64::NEG_INFINITY, 0.5).map(|e| e.time_unix_nano), Some(2));
        assert_eq!(in_bucket(&all, 0.5, 1.0).map(|e| e.time_unix_nano), Some(3));
        assert!(in_bucket(&all, 1.0, f64::INFINITY).is_none());
        assert_eq!(latest(&all).map(|e| e.time_unix_nano), Some(3));
    }
}

//! The protobuf exposition format: length-delimited `MetricFamily`
//! messages of Prometheus' `metrics.proto` (types in `client_model`). The
//! families, names, labels and series are the ones `exposition` resolves
//! for every format; this module only builds the messages. It is the one
//! format with native histograms (`native_histogram`).

use super::client_model::{
    Bucket, Counter, Exemplar, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType,
};
use super::exemplars;
use super::naming::{Naming, Shape};
use super::native_histogram;
use crate::diagnostics;
use opentelemetry_proto::tonic::metrics::v1::{
    number_data_point, ExponentialHistogramDataPoint, HistogramDataPoint, NumberDataPoint,
};
use prost::Message;

pub(crate) const CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

fn label_pairs(labels: &[(String, String)]) -> Vec<LabelPair> {
    labels
        .iter()
        .map(|(n, v)| LabelPair { name: Some(n.clone()), value: Some(v.clone()) })
        .collect()
}

/// A start time as the `created_timestamp` the compatibility spec derives
/// from it (as `_created` in OpenMetrics); none without a start time.
fn created(start_unix_nano: u64) -> Option<prost_types::Timestamp> {
    (start_unix_nano != 0).then_some(prost_types::Timestamp {
        seconds: (start_unix_nano / 1_000_000_000) as i64,
        nanos: (start_unix_nano % 1_000_000_000) as i32,
    })
}

pub(super) fn write_family(
    name: &str,
    shape: Shape,
    help: &str,
    unit: Option<&str>,
    metric: Vec<Metric>,
    out: &mut Vec<u8>,
) {
    let kind = match shape {
        Shape::Counter => MetricType::Counter,
        Shape::Gauge => MetricType::Gauge,
        Shape::Histogram => MetricType::Histogram,
    };
    let family = MetricFamily {
        name: Some(name.to_owned()),
        help: (!help.is_empty()).then(|| help.to_owned()),
        r#type: Some(kind as i32),
        unit: unit.map(str::to_owned),
        metric,
    };
    // Encoding into a Vec cannot run out of space.
    let _ = family.encode_length_delimited(out);
}

pub(super) fn write_target_info(labels: &[(String, String)], out: &mut Vec<u8>) {
    let one = Metric {
        label: label_pairs(labels),
        gauge: Some(Gauge { value: Some(1.0) }),
        ..Default::default()
    };
    write_family("target_info", Shape::Gauge, "Target metadata", None, vec![one], out);
}

/// An exemplar as Prometheus' message (labels as in OpenMetrics).
fn exemplar_message(
    e: &opentelemetry_proto::tonic::metrics::v1::Exemplar,
    naming: &Naming,
) -> Exemplar {
    Exemplar {
        label: label_pairs(&exemplars::labels(e, naming)),
        value: Some(exemplars::value(e)),
        timestamp: created(e.time_unix_nano),
    }
}

pub(super) fn number(
    labels: &[(String, String)],
    p: &NumberDataPoint,
    shape: Shape,
    naming: &Naming,
) -> Metric {
    let value = match p.value {
        Some(number_data_point::Value::AsInt(i)) => i as f64,
        Some(number_data_point::Value::AsDouble(d)) => d,
        None => f64::NAN,
    };
    let mut metric = Metric { label: label_pairs(labels), ..Default::default() };
    match shape {
        Shape::Counter => {
            let created_timestamp = created(p.start_time_unix_nano);
            let exemplar = exemplars::latest(&p.exemplars).map(|e| exemplar_message(e, naming));
            metric.counter = Some(Counter { value: Some(value), created_timestamp, exemplar })
        }
        _ => metric.gauge = Some(Gauge { value: Some(value) }),
    }
    metric
}

/// An explicit-bucket histogram in its classic form: cumulative buckets
/// (the `+Inf` one is implied by the count, as in Prometheus' clients).
pub(super) fn classic_histogram(
    labels: &[(String, String)],
    p: &HistogramDataPoint,
    naming: &Naming,
) -> Metric {
    let mut cumulative = 0u64;
    let mut lower = f64::NEG_INFINITY;
    let bucket = p
        .explicit_bounds
        .iter()
        .enumerate()
        .map(|(i, &bound)| {
            cumulative += p.bucket_counts.get(i).copied().unwrap_or(0);
            let exemplar = exemplars::in_bucket(&p.exemplars, lower, bound);
            lower = bound;
            Bucket {
                cumulative_count: Some(cumulative),
                upper_bound: Some(bound),
                exemplar: exemplar.map(|e| exemplar_message(e, naming)),
                ..Default::default()
            }
        })
        .collect();
    let histogram = Histogram {
        sample_count: Some(p.count),
        sample_sum: Some(p.sum.unwrap_or(0.0)),
        bucket,
        created_timestamp: created(p.start_time_unix_nano),
        ..Default::default()
    };
    Metric { label: label_pairs(labels), histogram: Some(histogram), ..Default::default() }
}

/// An exponential histogram point as a native histogram; None (with a
/// warning) for a point the mapping cannot carry.
pub(super) fn native_histogram(
    metric_name: &str,
    labels: &[(String, String)],
    p: &ExponentialHistogramDataPoint,
) -> Option<Metric> {
    match native_histogram::native_histogram(p) {
        Ok(mut histogram) => {
            histogram.created_timestamp = created(p.start_time_unix_nano);
            Some(Metric {
                label: label_pairs(labels),
                histogram: Some(histogram),
                ..Default::default()
            })
        }
        Err(reason) => {
            diagnostics::warn(&format!(
                "prometheus: a point of `{metric_name}` is left out: {reason}"
            ));
            None
        }
    }
}

//! OpenTelemetry base-2 exponential histogram points as Prometheus native
//! histograms, by the compatibility spec's mapping: the scale is the
//! schema; scales above 8 are downscaled to 8 (adjacent buckets merged),
//! scales below -4 have no schema and the point is dropped; the zero
//! bucket keeps its threshold and count; buckets become spans and deltas.
//!
//! Our own code: no maintained Rust crate converts OTLP points to the
//! Prometheus client model (see the README's Prometheus section).

use super::client_model::{BucketSpan, Histogram};
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::ExponentialHistogramDataPoint;

/// The schemas Prometheus native histograms have.
pub(crate) const MAX_SCALE: i32 = 8;
pub(crate) const MIN_SCALE: i32 = -4;

/// One side's buckets at `scale - shift`: (first index, counts), each new
/// bucket the sum of the `2^shift` old ones it covers. OTel's index `i` is
/// the bucket (base^i, base^(i+1)]; an arithmetic shift maps it to the
/// coarser bucket holding it, also for negative indexes.
pub(crate) fn downscale(offset: i32, counts: &[u64], shift: u32) -> (i32, Vec<u64>) {
    if counts.is_empty() || shift == 0 {
        return (offset, counts.to_vec());
    }
    let first = offset >> shift;
    let mut merged: Vec<u64> = Vec::new();
    for (i, count) in counts.iter().enumerate() {
        let at = ((offset + i as i32) >> shift) - first;
        if merged.len() <= at as usize {
            merged.resize(at as usize + 1, 0);
        }
        merged[at as usize] += count;
    }
    (first, merged)
}

/// Spans and deltas of one side. Prometheus' bucket `i` is
/// (base^(i-1), base^i], one above OTel's, hence the `+ 1`. Runs of empty
/// buckets become gaps between spans.
fn spans_and_deltas(offset: i32, counts: &[u64]) -> (Vec<BucketSpan>, Vec<i64>) {
    let (mut spans, mut deltas): (Vec<BucketSpan>, Vec<i64>) = (Vec::new(), Vec::new());
    let (mut previous, mut end): (i64, Option<i32>) = (0, None);
    for (i, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let index = offset + i as i32 + 1;
        match end {
            Some(e) if e == index => {
                if let Some(s) = spans.last_mut() {
                    s.length = Some(s.length.unwrap_or(0) + 1)
                }
            }
            _ => spans.push(BucketSpan {
                offset: Some(end.map_or(index, |e| index - e)),
                length: Some(1),
            }),
        }
        end = Some(index + 1);
        deltas.push(count as i64 - previous);
        previous = count as i64;
    }
    (spans, deltas)
}

/// The native histogram of `p`, or Err with the reason it has none.
pub(crate) fn native_histogram(p: &ExponentialHistogramDataPoint) -> Result<Histogram, String> {
    if p.scale < MIN_SCALE {
        return Err(format!(
            "scale {} is below {MIN_SCALE}, the smallest native histogram schema",
            p.scale
        ));
    }
    let shift = (p.scale - MAX_SCALE).max(0) as u32;
    let side = |b: Option<&Buckets>| {
        let b = b.cloned().unwrap_or_default();
        let (offset, counts) = downscale(b.offset, &b.bucket_counts, shift);
        spans_and_deltas(offset, &counts)
    };
    let (mut positive_span, positive_delta) = side(p.positive.as_ref());
    let (negative_span, negative_delta) = side(p.negative.as_ref());
    if positive_span.is_empty()
        && negative_span.is_empty()
        && p.zero_threshold == 0.0
        && p.zero_count == 0
    {
        // A histogram with no buckets at all would read as a classic one:
        // an empty span marks it native (as Prometheus' own client does).
        positive_span.push(BucketSpan { offset: Some(0), length: Some(0) });
    }
    Ok(Histogram {
        sample_count: Some(p.count),
        sample_sum: Some(p.sum.unwrap_or(0.0)),
        schema: Some(p.scale.min(MAX_SCALE)),
        zero_threshold: Some(p.zero_threshold),
        zero_count: Some(p.zero_count),
        positive_span,
        positive_delta,
        negative_span,
        negative_delta,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(scale: i32, offset: i32, counts: &[u64]) -> ExponentialHistogramDataPoint {
        ExponentialHistogramDataPoint {
            scale,
            count: counts.iter().sum(),
            sum: Some(1.0),
            positive: Some(Buckets { offset, bucket_counts: counts.to_vec() }),
            ..Default::default()
        }
    }

    #[test]
    fn scale_above_eight_is_downscaled_by_merging_buckets() {
        // Scale 10 to 8: four buckets become one. OTel indexes -3..=4 map
        // to -1, -1, -1, 0, 0, 0, 0, 1.
        let h = native_histogram(&point(10, -3, &[1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
        assert_eq!(h.schema, Some(8));
        // Prometheus indexes are OTel's + 1: 0, 1, 2 with counts 6, 22, 8.
        assert_eq!(h.positive_span, vec![BucketSpan { offset: Some(0), length: Some(3) }]);
        assert_eq!(h.positive_delta, vec![6, 16, -14]);
        assert_eq!(h.sample_count, Some(36));
    }

    #[test]
    fn scale_below_minus_four_is_dropped() {
        assert!(native_histogram(&point(-5, 0, &[1])).is_err());
        assert_eq!(native_histogram(&point(-4, 0, &[1])).unwrap().schema, Some(-4));
    }

    #[test]
    fn empty_buckets_become_gaps_between_spans() {
        let h = native_histogram(&point(0, 2, &[1, 0, 0, 3])).unwrap();
        assert_eq!(
            h.positive_span,
            vec![
                BucketSpan { offset: Some(3), length: Some(1) },
                BucketSpan { offset: Some(2), length: Some(1) }
            ]
        );
        assert_eq!(h.positive_delta, vec![1, 2]);
    }

    #[test]
    fn zero_bucket_and_negative_side_are_kept() {
        let mut p = point(3, 0, &[2]);
        p.zero_threshold = 1e-9;
        p.zero_count = 4;
        p.negative = Some(Buckets { offset: -1, bucket_counts: vec![5] });
        let h = native_histogram(&p).unwrap();
        assert_eq!((h.zero_threshold, h.zero_count), (Some(1e-9), Some(4)));
        assert_eq!(h.negative_span, vec![BucketSpan { offset: Some(0), length: Some(1) }]);
        assert_eq!(h.negative_delta, vec![5]);
    }
}

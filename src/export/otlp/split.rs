//! Splits one OTLP export request into requests that each encode to at most
//! a given number of bytes, so a large collection never exceeds a
//! receiver's message limit (gRPC servers refuse messages over 4 MiB by
//! default), and, when asked, carry at most a given number of data points
//! (the specification's `max_export_batch_size`). Data points are packed
//! greedily in their original order; each piece repeats the resource, scope
//! and metric description it belongs to.
//!
//! Sizes are measured in the encoding that will be sent ([`Encoding`]):
//! protobuf's encoded lengths with an upper bound on every length prefix,
//! or the JSON text's length with room for separators, so a piece never
//! encodes larger than the limit. A data point that cannot fit even alone
//! with its resource, scope and metric is left out and counted.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{
    metric::Data, Metric, ResourceMetrics, ScopeMetrics,
};
use prost::Message;
use serde::Serialize;

/// The encoding pieces are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// The request's body in this encoding, before compression.
    pub fn encode(self, request: &ExportMetricsServiceRequest) -> Vec<u8> {
        match self {
            Encoding::Protobuf => request.encode_to_vec(),
            Encoding::Json => {
                serde_json::to_vec(request).expect("OTLP messages always serialise to JSON")
            }
        }
    }

    fn size<T: Message + Serialize>(self, message: &T) -> usize {
        match self {
            Encoding::Protobuf => message.encoded_len(),
            Encoding::Json => {
                let mut counter = ByteCounter(0);
                // Writing into a counter cannot fail.
                let _ = serde_json::to_writer(&mut counter, message);
                counter.0
            }
        }
    }

    /// The most a data point adds besides its own encoding: protobuf's
    /// field key and length prefix (every length inside a piece is at most
    /// `max_bytes`; every field number here is below 16), or JSON's comma.
    fn point_overhead(self, max_bytes: usize) -> usize {
        match self {
            Encoding::Protobuf => 1 + prost::length_delimiter_len(max_bytes),
            Encoding::Json => 1,
        }
    }

    /// The same for a resource, scope or metric, whose empty list of
    /// children JSON may leave out and must then add (`,"dataPoints":[]`).
    fn header_overhead(self, max_bytes: usize) -> usize {
        match self {
            Encoding::Protobuf => 1 + prost::length_delimiter_len(max_bytes),
            Encoding::Json => 48,
        }
    }
}

struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The pieces of a request, and what did not fit in any.
#[derive(Debug, Default)]
pub struct Pieces {
    pub requests: Vec<ExportMetricsServiceRequest>,
    /// Data points larger than the limit on their own, left out.
    pub oversized_points: u64,
}

/// What every piece must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Encoded size in the encoding sent.
    pub bytes: usize,
    /// Data points (`usize::MAX`: no limit).
    pub points: usize,
}

impl Limits {
    /// A byte limit alone (the tests' shorthand).
    #[cfg(test)]
    pub fn bytes(bytes: usize) -> Self {
        Limits { bytes, points: usize::MAX }
    }
}

/// Splits `request` into pieces within `limits` in `encoding`.
pub fn split(request: ExportMetricsServiceRequest, limits: Limits, encoding: Encoding) -> Pieces {
    let mut packer = Packer::new(limits, encoding);
    for mut resource in request.resource_metrics {
        let scopes = std::mem::take(&mut resource.scope_metrics);
        packer.enter_resource(resource);
        for mut scope in scopes {
            let metrics = std::mem::take(&mut scope.metrics);
            packer.enter_scope(scope);
            for metric in metrics {
                packer.add_metric(metric);
            }
        }
    }
    packer.finish()
}

/// Number of data points in a request.
pub fn count_points(request: &ExportMetricsServiceRequest) -> u64 {
    request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .map(|m| match &m.data {
            Some(Data::Gauge(d)) => d.data_points.len(),
            Some(Data::Sum(d)) => d.data_points.len(),
            Some(Data::Histogram(d)) => d.data_points.len(),
            Some(Data::ExponentialHistogram(d)) => d.data_points.len(),
            Some(Data::Summary(d)) => d.data_points.len(),
            None => 0,
        } as u64)
        .sum()
}

struct Packer {
    max_bytes: usize,
    max_points: usize,
    encoding: Encoding,
    /// What a data point and a header add besides their own encoding.
    point_overhead: usize,
    header_overhead: usize,
    done: Vec<ExportMetricsServiceRequest>,
    current: ExportMetricsServiceRequest,
    /// Upper bound of `current`'s encoded length.
    size: usize,
    /// Data points in `current`.
    points: usize,
    resource: ResourceMetrics,
    resource_cost: usize,
    /// Whether `current` holds the resource and scope being filled.
    resource_open: bool,
    scope: ScopeMetrics,
    scope_cost: usize,
    scope_open: bool,
    oversized_points: u64,
}

impl Packer {
    fn new(limits: Limits, encoding: Encoding) -> Self {
        let max_bytes = limits.bytes;
        Packer {
            max_bytes,
            max_points: limits.points.max(1),
            encoding,
            point_overhead: encoding.point_overhead(max_bytes),
            header_overhead: encoding.header_overhead(max_bytes),
            done: Vec::new(),
            current: ExportMetricsServiceRequest::default(),
            size: 0,
            points: 0,
            resource: ResourceMetrics::default(),
            resource_cost: 0,
            resource_open: false,
            scope: ScopeMetrics::default(),
            scope_cost: 0,
            scope_open: false,
            oversized_points: 0,
        }
    }

    fn enter_resource(&mut self, resource: ResourceMetrics) {
        self.resource_cost = self.header_overhead + self.encoding.size(&resource);
        self.resource = resource;
        self.resource_open = false;
        self.scope_open = false;
    }

    fn enter_scope(&mut self, scope: ScopeMetrics) {
        self.scope_cost = self.header_overhead + self.encoding.size(&scope);
        self.scope = scope;
        self.scope_open = false;
    }

    /// What opening the current resource and scope in `current` would add.
    fn path_cost(&self) -> usize {
        (if self.resource_open { 0 } else { self.resource_cost })
            + (if self.scope_open { 0 } else { self.scope_cost })
    }

    fn open_path(&mut self) {
        if !self.resource_open {
            self.current.resource_metrics.push(self.resource.clone());
            self.resource_open = true;
        }
        if !self.scope_open {
            let resource = self.current.resource_metrics.last_mut().expect("opened above");
            resource.scope_metrics.push(self.scope.clone());
            self.scope_open = true;
        }
    }

    fn seal(&mut self) {
        if self.size > 0 {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.size = 0;
        self.points = 0;
        self.resource_open = false;
        self.scope_open = false;
    }

    fn push_metric(&mut self, metric: Metric) {
        let resource = self.current.resource_metrics.last_mut().expect("path opened");
        resource.scope_metrics.last_mut().expect("path opened").metrics.push(metric);
    }

    fn add_metric(&mut self, mut metric: Metric) {
        match metric.data.take() {
            Some(Data::Gauge(mut d)) => {
                let points = std::mem::take(&mut d.data_points);
                self.add_points(metric, points, |p| {
                    Data::Gauge(opentelemetry_proto::tonic::metrics::v1::Gauge { data_points: p })
                })
            }
            Some(Data::Sum(mut d)) => {
                let points = std::mem::take(&mut d.data_points);
                self.add_points(metric, points, |p| {
                    Data::Sum(opentelemetry_proto::tonic::metrics::v1::Sum {
                        data_points: p,
                        ..d.clone()
                    })
                })
            }
            Some(Data::Histogram(mut d)) => {
                let points = std::mem::take(&mut d.data_points);
                self.add_points(metric, points, |p| {
                    Data::Histogram(opentelemetry_proto::tonic::metrics::v1::Histogram {
                        data_points: p,
                        ..d.clone()
                    })
                })
            }
            Some(Data::ExponentialHistogram(mut d)) => {
                let points = std::mem::take(&mut d.data_points);
                self.add_points(metric, points, |p| {
                    Data::ExponentialHistogram(
                        opentelemetry_proto::tonic::metrics::v1::ExponentialHistogram {
                            data_points: p,
                            ..d.clone()
                        },
                    )
                })
            }
            Some(Data::Summary(mut d)) => {
                let points = std::mem::take(&mut d.data_points);
                self.add_points(metric, points, |p| {
                    Data::Summary(opentelemetry_proto::tonic::metrics::v1::Summary {
                        data_points: p,
                    })
                })
            }
            // A metric without data carries nothing to deliver.
            None => {}
        }
    }

    /// Packs one metric's points, opening a new piece whenever the next
    /// point would overflow the current one. `wrap` rebuilds the metric's
    /// data (temporality, monotonicity) around a run of its points.
    fn add_points<P: Message + Serialize>(
        &mut self,
        header: Metric,
        points: Vec<P>,
        wrap: impl Fn(Vec<P>) -> Data,
    ) {
        // The metric's own fields with its empty data, plus room for the
        // data field's length prefix to grow.
        let empty = Metric { data: Some(wrap(Vec::new())), ..header.clone() };
        let metric_cost = 2 * self.header_overhead + self.encoding.size(&empty);
        let mut run: Vec<P> = Vec::new();
        for point in points {
            let point_cost = self.point_overhead + self.encoding.size(&point);
            loop {
                let opening = if run.is_empty() { metric_cost + self.path_cost() } else { 0 };
                if self.size + opening + point_cost <= self.max_bytes
                    && self.points < self.max_points
                {
                    if run.is_empty() {
                        self.open_path();
                    }
                    self.size += opening + point_cost;
                    self.points += 1;
                    run.push(point);
                    break;
                }
                if self.size == 0 {
                    // Alone in an empty piece and still too large.
                    self.oversized_points += 1;
                    break;
                }
                if !run.is_empty() {
                    self.push_metric(Metric {
                        data: Some(wrap(std::mem::take(&mut run))),
                        ..header.clone()
                    });
                }
                self.seal();
            }
        }
        if !run.is_empty() {
            self.push_metric(Metric { data: Some(wrap(run)), ..header });
        }
    }

    fn finish(mut self) -> Pieces {
        self.seal();
        Pieces { requests: self.done, oversized_points: self.oversized_points }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{
        any_value, AnyValue, InstrumentationScope, KeyValue,
    };
    use opentelemetry_proto::tonic::metrics::v1::{
        number_data_point, Histogram, HistogramDataPoint, NumberDataPoint, Sum,
    };
    use opentelemetry_proto::tonic::resource::v1::Resource;

    fn kv(k: &str, v: &str) -> KeyValue {
        KeyValue {
            key: k.into(),
            value: Some(AnyValue { value: Some(any_value::Value::StringValue(v.into())) }),
            ..Default::default()
        }
    }

    fn number(series: usize, value: i64) -> NumberDataPoint {
        NumberDataPoint {
            attributes: vec![kv("series", &format!("s{series:05}")), kv("route", "/checkout")],
            time_unix_nano: 1_700_000_000_000_000_000,
            value: Some(number_data_point::Value::AsInt(value)),
            ..Default::default()
        }
    }

    fn sum(name: &str, points: Vec<NumberDataPoint>) -> Metric {
        Metric {
            name: name.into(),
            unit: "1".into(),
            description: "a counter".into(),
            data: Some(Data::Sum(Sum {
                data_points: points,
                aggregation_temporality: 2,
                is_monotonic: true,
            })),
            ..Default::default()
        }
    }

    fn histogram(name: &str, n: usize) -> Metric {
        let points = (0..n)
            .map(|i| HistogramDataPoint {
                attributes: vec![kv("series", &format!("h{i}"))],
                count: i as u64,
                bucket_counts: vec![1; 16],
                explicit_bounds: (0..15).map(f64::from).collect(),
                ..Default::default()
            })
            .collect();
        Metric {
            name: name.into(),
            data: Some(Data::Histogram(Histogram {
                data_points: points,
                aggregation_temporality: 1,
            })),
            ..Default::default()
        }
    }

    fn request(scopes: Vec<(&str, Vec<Metric>)>) -> ExportMetricsServiceRequest {
        ExportMetricsServiceRequest {
            resource_metrics: vec![ResourceMetrics {
                resource: Some(Resource {
                    attributes: vec![kv("service.name", "split-test")],
                    ..Default::default()
                }),
                scope_metrics: scopes
                    .into_iter()
                    .map(|(name, metrics)| ScopeMetrics {
                        scope: Some(InstrumentationScope {
                            name: name.into(),
                            version: "1.0".into(),
                            ..Default::default()
                        }),
                        metrics,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
        }
    }

    /// Every data point as (scope, metric, point), in order, with the
    /// metric's description and data kind: what a receiver would see.
    fn flatten(requests: &[ExportMetricsServiceRequest]) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for r in requests {
            for rm in &r.resource_metrics {
                assert_eq!(
                    rm.resource.as_ref().unwrap().attributes,
                    vec![kv("service.name", "split-test")]
                );
                for sm in &rm.scope_metrics {
                    let scope = format!("{:?}", sm.scope);
                    for m in &sm.metrics {
                        let header = format!("{} {} {}", m.name, m.unit, m.description);
                        let points: Vec<String> = match &m.data {
                            Some(Data::Sum(s)) => s
                                .data_points
                                .iter()
                                .map(|p| {
                                    format!(
                                        "sum {} {} {p:?}",
                                        s.aggregation_temporality, s.is_monotonic
                                    )
                                })
                                .collect(),
                            Some(Data::Histogram(h)) => h
                                .data_points
                                .iter()
                                .map(|p| format!("hist {} {p:?}", h.aggregation_temporality))
                                .collect(),
                            other => panic!("unexpected data {other:?}"),
                        };
                        assert!(!points.is_empty(), "a piece holds a metric without points");
                        out.extend(points.into_iter().map(|p| (scope.clone(), header.clone(), p)));
                    }
                }
            }
        }
        out
    }

    fn big_request() -> ExportMetricsServiceRequest {
        request(vec![
            (
                "scope.a",
                vec![
                    sum("a.requests", (0..700).map(|i| number(i, i as i64)).collect()),
                    histogram("a.latency", 300),
                ],
            ),
            (
                "scope.b",
                vec![sum("b.requests", (0..500).map(|i| number(i, -(i as i64))).collect())],
            ),
        ])
    }

    #[test]
    fn a_request_well_within_the_limit_stays_whole() {
        let original = big_request();
        let pieces =
            split(original.clone(), Limits::bytes(2 * original.encoded_len()), Encoding::Protobuf);
        assert_eq!(pieces.requests, vec![original]);
        assert_eq!(pieces.oversized_points, 0);
    }

    #[test]
    fn pieces_respect_the_limit_and_keep_every_point_in_order() {
        let original = big_request();
        let total = original.encoded_len();
        for max_bytes in [total - 1, total / 2, total / 7, 4096, 1024, 400] {
            let pieces = split(original.clone(), Limits::bytes(max_bytes), Encoding::Protobuf);
            assert_eq!(pieces.oversized_points, 0, "limit {max_bytes}");
            assert!(
                pieces.requests.len() >= total.div_ceil(max_bytes),
                "limit {max_bytes}: {} pieces",
                pieces.requests.len()
            );
            for piece in &pieces.requests {
                assert!(
                    piece.encoded_len() <= max_bytes,
                    "limit {max_bytes}: a piece of {} bytes",
                    piece.encoded_len()
                );
            }
            assert_eq!(
                flatten(&pieces.requests),
                flatten(std::slice::from_ref(&original)),
                "limit {max_bytes}"
            );
            assert_eq!(
                pieces.requests.iter().map(count_points).sum::<u64>(),
                count_points(&original)
            );
        }
    }

    #[test]
    fn pieces_are_well_filled() {
        // Greedy packing with tight bounds: every piece but the last is
        // nearly full, so the count is close to the least possible.
        let original = big_request();
        let max_bytes = 8192;
        let pieces = split(original.clone(), Limits::bytes(max_bytes), Encoding::Protobuf);
        let (last, full) = pieces.requests.split_last().unwrap();
        for piece in full {
            assert!(
                piece.encoded_len() > max_bytes * 9 / 10,
                "a piece of only {} bytes",
                piece.encoded_len()
            );
        }
        assert!(last.encoded_len() <= max_bytes);
        assert!(pieces.requests.len() <= original.encoded_len().div_ceil(max_bytes) + 1);
    }

    #[test]
    fn json_pieces_respect_the_limit_measured_in_json() {
        let original = big_request();
        let total = serde_json::to_vec(&original).unwrap().len();
        for max_bytes in [total / 3, 16384, 4096] {
            let pieces = split(original.clone(), Limits::bytes(max_bytes), Encoding::Json);
            assert_eq!(pieces.oversized_points, 0);
            let sizes: Vec<usize> =
                pieces.requests.iter().map(|r| serde_json::to_vec(r).unwrap().len()).collect();
            assert!(sizes.iter().all(|&n| n <= max_bytes), "limit {max_bytes}: {sizes:?}");
            assert!(
                sizes[..sizes.len() - 1].iter().all(|&n| n > max_bytes * 8 / 10),
                "limit {max_bytes}: {sizes:?}"
            );
            assert_eq!(flatten(&pieces.requests), flatten(std::slice::from_ref(&original)));
        }
    }

    #[test]
    fn a_point_too_large_alone_is_left_out_and_counted() {
        let mut huge = number(1, 7);
        huge.attributes.push(kv("blob", &"x".repeat(5000)));
        let original = request(vec![(
            "scope.a",
            vec![sum("a.requests", vec![number(0, 1), huge, number(2, 3)])],
        )]);
        let pieces = split(original, Limits::bytes(2048), Encoding::Protobuf);
        assert_eq!(pieces.oversized_points, 1);
        let kept = flatten(&pieces.requests);
        assert_eq!(kept.len(), 2);
        assert!(kept[0].2.contains("s00000") && kept[1].2.contains("s00002"), "{kept:?}");
    }

    #[test]
    fn an_empty_request_has_no_pieces() {
        let pieces =
            split(ExportMetricsServiceRequest::default(), Limits::bytes(1024), Encoding::Protobuf);
        assert!(pieces.requests.is_empty());
        assert_eq!(pieces.oversized_points, 0);
    }

    #[test]
    fn pieces_respect_a_point_limit_together_with_the_byte_limit() {
        let original = big_request();
        let total = count_points(&original) as usize;
        for (bytes, points) in [
            (usize::MAX / 2, 250),
            (usize::MAX / 2, 1),
            (8192, 1000),
            (8192, 37),
            (original.encoded_len(), total - 1),
        ] {
            let pieces = split(original.clone(), Limits { bytes, points }, Encoding::Protobuf);
            assert_eq!(pieces.oversized_points, 0);
            let counts: Vec<u64> = pieces.requests.iter().map(count_points).collect();
            assert!(counts.iter().all(|&n| n as usize <= points), "{bytes} {points}: {counts:?}");
            assert!(pieces.requests.iter().all(|r| r.encoded_len() <= bytes), "{bytes} {points}");
            // Whichever limit binds, every piece but the last is filled to it.
            for piece in &pieces.requests[..pieces.requests.len() - 1] {
                let n = count_points(piece) as usize;
                assert!(
                    n == points || piece.encoded_len() > bytes * 9 / 10,
                    "{bytes} {points}: {n} points, {} bytes",
                    piece.encoded_len()
                );
            }
            assert_eq!(
                flatten(&pieces.requests),
                flatten(std::slice::from_ref(&original)),
                "{bytes} {points}"
            );
        }
    }
}

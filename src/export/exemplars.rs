//! Exemplars: the span a measurement was recorded in, sampled per stream
//! and attribute set, and joined into the OTLP points at export.
//!
//! The Rust SDK collects no exemplars, so this is ours, in three parts:
//!
//! - the span of a measurement: [`SpanContext`], passed per call or set as
//!   the thread's current span ([`set_current_span`], a thread-local
//!   `Cell` without destructor: reading it is one TLS load);
//! - [`armed`]: one relaxed load that says whether any exemplar can be
//!   taken at all (a thread has a sampled current span, or a provider uses
//!   `always_on`). Unarmed, recording pays that load and nothing else; the
//!   bound fast path pays nothing, because arming advances the recording
//!   epoch (through the hook the provider registers, [`on_arm`]) and bound
//!   instruments record through their full path while armed;
//! - the reservoirs, per stream ([`StreamExemplars`]: scope, stream name
//!   after views, number type) and attribute set, in one [`ExemplarStore`]
//!   per provider generation: `SimpleFixedSizeExemplarReservoir` (reservoir
//!   sampling; size 1, or min(20, max_size) for exponential histograms) and
//!   `AlignedHistogramBucketExemplarReservoir` (the last measurement seen in
//!   each bucket) for explicit buckets. [`join`] adds them to the points of
//!   one collection: a delta point gets the exemplars of its own interval, a
//!   cumulative point every exemplar still held; each collection restarts
//!   the sampling count, so the next measurements replace the held ones.

use crate::config::ExemplarFilter;
use opentelemetry::KeyValue;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue as ProtoKeyValue;
use opentelemetry_proto::tonic::metrics::v1::{exemplar, metric, AggregationTemporality, Exemplar};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, ResourceMetrics};
use prost::Message;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// The W3C trace flag "sampled".
pub(crate) const SAMPLED: u8 = 1;

/// A span as a tracer identifies it: trace id, span id and trace flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanContext {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub flags: u8,
}

impl SpanContext {
    pub const NONE: SpanContext = SpanContext { trace_id: [0; 16], span_id: [0; 8], flags: 0 };

    /// A valid span: neither id is all zero (the W3C rule).
    pub fn is_valid(&self) -> bool {
        self.trace_id != [0; 16] && self.span_id != [0; 8]
    }

    pub fn is_sampled(&self) -> bool {
        self.flags & SAMPLED != 0 && self.is_valid()
    }
}

thread_local! {
    /// The thread's current span (set by the host's tracer). `Cell` of a
    /// `Copy` type, const-initialised: no destructor is registered.
    static CURRENT: Cell<SpanContext> = const { Cell::new(SpanContext::NONE) };
}

/// Threads whose current span is sampled, plus providers with `always_on`.
static ARMED: AtomicUsize = AtomicUsize::new(0);

/// What arming runs (the provider's recording-epoch advance).
static ON_ARM: OnceLock<fn()> = OnceLock::new();

/// Registers what runs when exemplars become armed (once per process).
pub fn on_arm(hook: fn()) {
    let _ = ON_ARM.set(hook);
}

/// Whether an exemplar can be taken anywhere in the process (one relaxed
/// load: the whole cost of recording without a sampled span).
#[inline(always)]
pub fn armed() -> bool {
    ARMED.load(Ordering::Relaxed) != 0
}

/// [`armed`], ordered with the recording epoch (SeqCst).
pub fn armed_now() -> bool {
    ARMED.load(Ordering::SeqCst) != 0
}

/// Arms exemplars (counted: every `arm` is matched by one `disarm`).
pub fn arm() {
    // SeqCst, before the epoch advances: a bound instrument that checks in
    // at the old epoch either sees ARMED or finds the epoch moved on.
    if ARMED.fetch_add(1, Ordering::SeqCst) == 0 {
        if let Some(hook) = ON_ARM.get() {
            hook();
        }
    }
}

pub fn disarm() {
    ARMED.fetch_sub(1, Ordering::SeqCst);
}

/// Disarms, when its thread exits, what that thread's sampled current span
/// armed: a thread that ends inside a span would otherwise keep every bound
/// record of the process on its full path for good. A separate thread-local
/// from `CURRENT`, so that reading the span registers no destructor; this
/// one is touched (and its destructor registered) only when a thread arms.
struct DisarmAtExit(Cell<bool>);

impl Drop for DisarmAtExit {
    fn drop(&mut self) {
        if self.0.get() {
            disarm();
        }
    }
}

thread_local! {
    static ARMED_BY_THREAD: DisarmAtExit = const { DisarmAtExit(Cell::new(false)) };
}

/// Sets the calling thread's current span (`None`: no span).
pub fn set_current_span(span: Option<SpanContext>) {
    let span = span.unwrap_or(SpanContext::NONE);
    let was = CURRENT.with(|c| c.replace(span)).is_sampled();
    let now = span.is_sampled();
    if was == now {
        return;
    }
    // While the thread exits (a span set from another thread-local's
    // destructor), the guard may be gone and have disarmed already: arm or
    // disarm only together with it, so that the count stays matched, and
    // then take no sampled span (it could not be disarmed).
    match (ARMED_BY_THREAD.try_with(|armed| armed.0.set(now)).is_ok(), now) {
        (true, true) => arm(),
        (true, false) => disarm(),
        (false, true) => CURRENT.with(|c| c.set(SpanContext::NONE)),
        (false, false) => {}
    }
}

/// The calling thread's current span, if any.
#[inline]
pub fn current_span() -> Option<SpanContext> {
    let span = CURRENT.with(|c| c.get());
    span.is_valid().then_some(span)
}

/// The span a measurement is offered with, if the filter takes it: the
/// span passed with the call, else the thread's current span.
#[inline]
pub fn sampled_by(filter: ExemplarFilter, explicit: Option<&SpanContext>) -> Option<SpanContext> {
    let span = match explicit {
        Some(s) => s.is_valid().then_some(*s),
        None => current_span(),
    };
    match filter {
        ExemplarFilter::AlwaysOff => None,
        ExemplarFilter::AlwaysOn => Some(span.unwrap_or(SpanContext::NONE)),
        ExemplarFilter::TraceBased => span.filter(SpanContext::is_sampled),
    }
}

/// How a stream's series keep exemplars.
#[derive(Debug, Clone, PartialEq)]
pub enum ReservoirShape {
    /// `SimpleFixedSizeExemplarReservoir` of this size (at least 1).
    FixedSize(usize),
    /// `AlignedHistogramBucketExemplarReservoir` over these boundaries: one
    /// exemplar per bucket, the last one seen.
    Aligned(Vec<f64>),
}

impl ReservoirShape {
    fn slots(&self) -> usize {
        match self {
            ReservoirShape::FixedSize(n) => (*n).max(1),
            ReservoirShape::Aligned(b) => b.len() + 1,
        }
    }
}

/// The number type of an instrument: with the stream's name, what
/// identifies it (an integer and a double instrument of one name are two
/// SDK streams, merged into one OTLP metric after the join).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberKind {
    U64,
    I64,
    F64,
}

/// A measurement's value, as an exemplar carries it.
pub trait ExemplarNumber: Copy {
    const KIND: NumberKind;
    fn proto(self) -> exemplar::Value;
    fn as_f64(self) -> f64;
}

impl ExemplarNumber for u64 {
    const KIND: NumberKind = NumberKind::U64;
    fn proto(self) -> exemplar::Value {
        exemplar::Value::AsInt(self as i64)
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl ExemplarNumber for i64 {
    const KIND: NumberKind = NumberKind::I64;
    fn proto(self) -> exemplar::Value {
        exemplar::Value::AsInt(self)
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl ExemplarNumber for f64 {
    const KIND: NumberKind = NumberKind::F64;
    fn proto(self) -> exemplar::Value {
        exemplar::Value::AsDouble(self)
    }
    fn as_f64(self) -> f64 {
        self
    }
}

/// One stream's identity in the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StreamKey {
    pub scope_name: String,
    pub scope_version: String,
    pub stream_name: String,
    pub number: NumberKind,
}

/// One exemplar as a reservoir holds it (no allocation when taken: the
/// OTLP form is made at collection).
#[derive(Debug, Clone)]
struct Held {
    value: exemplar::Value,
    time_unix_nano: u64,
    span: SpanContext,
    filtered: Arc<[ProtoKeyValue]>,
}

impl Held {
    fn to_proto(&self) -> Exemplar {
        let ids = self.span.is_valid();
        Exemplar {
            filtered_attributes: self.filtered.to_vec(),
            time_unix_nano: self.time_unix_nano,
            span_id: if ids { self.span.span_id.to_vec() } else { Vec::new() },
            trace_id: if ids { self.span.trace_id.to_vec() } else { Vec::new() },
            value: Some(self.value),
        }
    }
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The exemplars of one series (one point).
#[derive(Debug)]
struct Cell0 {
    /// Measurements offered since the last collection (reservoir sampling).
    seen: u64,
    slots: Vec<Option<Held>>,
}

/// The reservoirs of one stream, one per attribute set.
#[derive(Debug)]
pub struct StreamExemplars {
    shape: ReservoirShape,
    /// Most series kept (the stream's cardinality limit): a series past it
    /// gets no exemplars (its measurements go to the overflow point).
    max_series: usize,
    series: Mutex<FastMap<Vec<u8>, Cell0>>,
}

/// The canonical encoding of an attribute set (sorted by key): what a point
/// and an offer are matched by.
pub fn attribute_key(attributes: &[ProtoKeyValue]) -> Vec<u8> {
    let mut sorted: Vec<&ProtoKeyValue> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let mut key = Vec::new();
    for kv in sorted {
        // Length-delimited: no two different sets encode alike.
        kv.encode_length_delimited(&mut key).expect("a Vec grows as needed");
    }
    key
}

/// The API's attributes as OTLP's.
pub fn to_proto(attributes: &[KeyValue]) -> Vec<ProtoKeyValue> {
    opentelemetry_proto::transform::common::tonic::Attributes::from(attributes.iter().cloned()).0
}

fn now_unix_nanos() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// A uniform number below `n` (n > 0), from a per-thread xorshift state.
fn below(n: u64) -> u64 {
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|s| {
        let mut x = s.get();
        if x == 0 {
            // Seeded from the clock and the thread's address space.
            x = now_unix_nanos() ^ (s as *const Cell<u64> as u64).rotate_left(32) | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x % n
    })
}

/// Where one offer goes: the stream and the point's attribute set, with the
/// measurement's attributes the point does not carry.
#[derive(Debug, Clone)]
pub struct Target {
    pub stream: Arc<StreamExemplars>,
    pub key: Vec<u8>,
    pub filtered: Arc<[ProtoKeyValue]>,
}

impl StreamExemplars {
    pub fn new(shape: ReservoirShape, max_series: usize) -> Self {
        StreamExemplars { shape, max_series: max_series.max(1), series: Mutex::default() }
    }

    pub fn shape(&self) -> &ReservoirShape {
        &self.shape
    }

    /// Offers one measurement to the reservoir of the series `key`.
    pub fn offer<V: ExemplarNumber>(
        &self,
        key: &[u8],
        value: V,
        span: &SpanContext,
        filtered: &Arc<[ProtoKeyValue]>,
    ) {
        let time_unix_nano = now_unix_nanos();
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let len = series.len();
        let cell = match series.get_mut(key) {
            Some(c) => c,
            None if len >= self.max_series => return,
            None => series
                .entry(key.to_vec())
                .or_insert_with(|| Cell0 { seen: 0, slots: vec![None; self.shape.slots()] }),
        };
        cell.seen += 1;
        let slot = match &self.shape {
            ReservoirShape::Aligned(bounds) => {
                let v = value.as_f64();
                bounds.partition_point(|b| *b < v)
            }
            ReservoirShape::FixedSize(_) => {
                let n = cell.seen;
                let k = cell.slots.len() as u64;
                let i = if n <= k { n - 1 } else { below(n) };
                if i >= k {
                    return;
                }
                i as usize
            }
        };
        cell.slots[slot] = Some(Held {
            value: value.proto(),
            time_unix_nano,
            span: *span,
            filtered: filtered.clone(),
        });
    }

    /// The exemplars of the series `key` within `[start, end]` (nanoseconds
    /// since the epoch; `start` 0: no lower bound), restarting its sampling.
    fn collect(&self, key: &[u8], start: u64, end: u64) -> Vec<Exemplar> {
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let Some(cell) = series.get_mut(key) else {
            return Vec::new();
        };
        cell.seen = 0;
        cell.slots
            .iter()
            .flatten()
            .filter(|e| e.time_unix_nano >= start && (end == 0 || e.time_unix_nano <= end))
            .map(Held::to_proto)
            .collect()
    }
}

/// Every stream's exemplars of one provider generation, and its filter.
#[derive(Debug)]
pub struct ExemplarStore {
    filter: ExemplarFilter,
    streams: Mutex<HashMap<StreamKey, Arc<StreamExemplars>>>,
    /// Whether this store armed exemplars (`always_on`), to disarm once.
    armed_by_filter: bool,
}

impl ExemplarStore {
    pub fn new(filter: ExemplarFilter) -> Self {
        let armed_by_filter = filter == ExemplarFilter::AlwaysOn;
        if armed_by_filter {
            arm();
        }
        ExemplarStore { filter, streams: Mutex::new(HashMap::new()), armed_by_filter }
    }

    pub fn filter(&self) -> ExemplarFilter {
        self.filter
    }

    /// The stream `key`'s reservoirs, made with `shape` the first time.
    pub fn stream(
        &self,
        key: StreamKey,
        shape: ReservoirShape,
        max_series: usize,
    ) -> Arc<StreamExemplars> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams
            .entry(key)
            .or_insert_with(|| Arc::new(StreamExemplars::new(shape, max_series)))
            .clone()
    }

    fn find(&self, key: &StreamKey) -> Option<Arc<StreamExemplars>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    fn is_empty(&self) -> bool {
        self.streams.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }
}

impl Drop for ExemplarStore {
    fn drop(&mut self) {
        if self.armed_by_filter {
            disarm();
        }
    }
}

fn number_kind(data: &AggregatedMetrics) -> NumberKind {
    match data {
        AggregatedMetrics::F64(_) => NumberKind::F64,
        AggregatedMetrics::U64(_) => NumberKind::U64,
        AggregatedMetrics::I64(_) => NumberKind::I64,
    }
}

/// Adds the store's exemplars to the points of `request`, the conversion of
/// `metrics` (same order of scopes and metrics), by stream and attribute set.
pub fn join(
    request: &mut ExportMetricsServiceRequest,
    metrics: &ResourceMetrics,
    store: &ExemplarStore,
) {
    if store.is_empty() {
        return;
    }
    for rm in &mut request.resource_metrics {
        for (sm, sdk_scope) in rm.scope_metrics.iter_mut().zip(metrics.scope_metrics()) {
            let (scope_name, scope_version) =
                sm.scope.as_ref().map(|s| (s.name.clone(), s.version.clone())).unwrap_or_default();
            for (m, sdk_metric) in sm.metrics.iter_mut().zip(sdk_scope.metrics()) {
                let key = StreamKey {
                    scope_name: scope_name.clone(),
                    scope_version: scope_version.clone(),
                    stream_name: m.name.clone(),
                    number: number_kind(sdk_metric.data()),
                };
                let Some(stream) = store.find(&key) else {
                    continue;
                };
                join_metric(m, &stream);
            }
        }
    }
}

fn join_metric(m: &mut opentelemetry_proto::tonic::metrics::v1::Metric, stream: &StreamExemplars) {
    let delta = |t: i32| t == AggregationTemporality::Delta as i32;
    macro_rules! points {
        ($points:expr, $delta:expr) => {
            for p in $points {
                let start = if $delta { p.start_time_unix_nano } else { 0 };
                p.exemplars =
                    stream.collect(&attribute_key(&p.attributes), start, p.time_unix_nano);
            }
        };
    }
    match &mut m.data {
        Some(metric::Data::Sum(s)) => points!(&mut s.data_points, delta(s.aggregation_temporality)),
        Some(metric::Data::Gauge(g)) => points!(&mut g.data_points, false),
        Some(metric::Data::Histogram(h)) => {
            points!(&mut h.data_points, delta(h.aggregation_temporality))
        }
        Some(metric::Data::ExponentialHistogram(h)) => {
            points!(&mut h.data_points, delta(h.aggregation_temporality))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: SpanContext = SpanContext { trace_id: [7; 16], span_id: [9; 8], flags: SAMPLED };
    const UNSAMPLED: SpanContext = SpanContext { trace_id: [7; 16], span_id: [9; 8], flags: 0 };

    fn none() -> Arc<[ProtoKeyValue]> {
        Arc::from(Vec::new())
    }

    fn kv(k: &str, v: &str) -> ProtoKeyValue {
        to_proto(&[KeyValue::new(k.to_owned(), v.to_owned())]).remove(0)
    }

    #[test]
    fn the_filter_decides_which_spans_give_exemplars() {
        use ExemplarFilter::*;
        assert_eq!(sampled_by(TraceBased, Some(&SPAN)), Some(SPAN));
        assert_eq!(sampled_by(TraceBased, Some(&UNSAMPLED)), None);
        assert_eq!(sampled_by(AlwaysOff, Some(&SPAN)), None);
        assert_eq!(sampled_by(AlwaysOn, Some(&UNSAMPLED)), Some(UNSAMPLED));
        let zero = SpanContext { flags: SAMPLED, ..SpanContext::NONE };
        assert_eq!(sampled_by(TraceBased, Some(&zero)), None, "an all-zero id is no span");
        assert_eq!(sampled_by(AlwaysOn, Some(&zero)), Some(SpanContext::NONE));
    }

    #[test]
    fn the_current_span_is_per_thread_and_arms_while_sampled() {
        let before = ARMED.load(Ordering::SeqCst);
        set_current_span(Some(SPAN));
        assert_eq!(current_span(), Some(SPAN));
        assert_eq!(sampled_by(ExemplarFilter::TraceBased, None), Some(SPAN));
        std::thread::spawn(|| assert_eq!(current_span(), None)).join().unwrap();
        assert!(armed());
        set_current_span(Some(UNSAMPLED));
        assert_eq!(sampled_by(ExemplarFilter::TraceBased, None), None);
        set_current_span(None);
        assert_eq!(current_span(), None);
        // Other tests may arm meanwhile; ours is undone.
        assert!(ARMED.load(Ordering::SeqCst) <= before + 1);
    }

    #[test]
    fn a_fixed_size_reservoir_of_one_keeps_one_of_the_measurements_seen() {
        let s = StreamExemplars::new(ReservoirShape::FixedSize(1), 10);
        let key = attribute_key(&[kv("route", "/")]);
        for v in 0..100u64 {
            s.offer(&key, v, &SPAN, &none());
        }
        let got = s.collect(&key, 0, 0);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].trace_id, vec![7; 16]);
        assert_eq!(got[0].span_id, vec![9; 8]);
        assert!(matches!(got[0].value, Some(exemplar::Value::AsInt(v)) if (0..100).contains(&v)));
        // After a collection the first measurement offered replaces it.
        s.offer(&key, 1000u64, &SPAN, &none());
        assert_eq!(s.collect(&key, 0, 0)[0].value, Some(exemplar::Value::AsInt(1000)));
    }

    #[test]
    fn reservoir_sampling_fills_then_samples_uniformly() {
        let s = StreamExemplars::new(ReservoirShape::FixedSize(20), 10);
        for v in 0..10 {
            s.offer(b"k", v as f64, &SPAN, &none());
        }
        assert_eq!(s.collect(b"k", 0, 0).len(), 10, "fewer measurements than slots: all kept");
        // Uniform: over many rounds of 40 offers, the first half is kept
        // about as often as the second (each value with probability 1/2).
        let mut late = 0;
        for _ in 0..200 {
            for v in 0..40 {
                s.offer(b"k", v as f64, &SPAN, &none());
            }
            late += s
                .collect(b"k", 0, 0)
                .iter()
                .filter(|e| matches!(e.value, Some(exemplar::Value::AsDouble(v)) if v >= 20.0))
                .count();
        }
        let share = late as f64 / (200.0 * 20.0);
        assert!((0.4..0.6).contains(&share), "share of the second half {share}");
    }

    #[test]
    fn an_aligned_reservoir_keeps_the_last_measurement_of_each_bucket() {
        let s = StreamExemplars::new(ReservoirShape::Aligned(vec![1.0, 10.0]), 10);
        for v in [0.5, 1.0, 5.0, 7.0, 50.0] {
            s.offer(b"k", v, &SPAN, &none());
        }
        let values: Vec<_> = s.collect(b"k", 0, 0).into_iter().map(|e| e.value).collect();
        use exemplar::Value::AsDouble;
        assert_eq!(values, vec![Some(AsDouble(1.0)), Some(AsDouble(7.0)), Some(AsDouble(50.0))]);
    }

    #[test]
    fn exemplars_keep_filtered_attributes_and_respect_the_series_limit() {
        let s = StreamExemplars::new(ReservoirShape::FixedSize(1), 1);
        s.offer(b"a", 1i64, &SPAN, &vec![kv("user", "u1")].into());
        s.offer(b"b", 2i64, &SPAN, &none());
        assert_eq!(s.collect(b"a", 0, 0)[0].filtered_attributes, vec![kv("user", "u1")]);
        assert!(s.collect(b"b", 0, 0).is_empty(), "past the series limit");
    }

    #[test]
    fn a_delta_point_gets_only_the_exemplars_of_its_interval() {
        let s = StreamExemplars::new(ReservoirShape::FixedSize(1), 10);
        s.offer(b"k", 1u64, &SPAN, &none());
        let t = s.collect(b"k", 0, 0)[0].time_unix_nano;
        assert_eq!(s.collect(b"k", t, t).len(), 1);
        assert!(s.collect(b"k", t + 1, 0).is_empty(), "recorded before the interval");
    }

    #[test]
    fn attribute_keys_ignore_order() {
        let a = attribute_key(&[kv("a", "1"), kv("b", "2")]);
        assert_eq!(a, attribute_key(&[kv("b", "2"), kv("a", "1")]));
        assert_ne!(a, attribute_key(&[kv("a", "1")]));
    }
}

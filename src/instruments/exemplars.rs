//! The instrument side of exemplars: which streams (after views) an
//! instrument's measurements are offered to, and the offer itself. The
//! reservoirs, the current span and the join into points are in
//! `export::exemplars`.

use super::InstrumentSpec;
use crate::config::ExemplarFilter;
use crate::export::exemplars::{
    attribute_key, sampled_by, to_proto, ExemplarNumber, NumberKind, ReservoirShape, SpanContext,
    StreamExemplars, StreamKey, Target,
};
use crate::provider::ScopedMeter;
use crate::views::{AggregationSpec, Kind as ViewKind, StreamOf};
use opentelemetry::KeyValue;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The SDK's default explicit bucket boundaries (a histogram no view or
/// advice gives boundaries has these buckets).
const DEFAULT_BOUNDARIES: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0,
    10000.0,
];

/// The SDK's default cardinality limit.
const DEFAULT_CARDINALITY_LIMIT: usize = 2000;

/// The spec's largest default size of an exponential histogram's reservoir.
const EXPONENTIAL_RESERVOIR: usize = 20;

/// One stream the instrument feeds, and the attribute keys its points keep.
struct Stream {
    exemplars: Arc<StreamExemplars>,
    allowed: Option<HashSet<String>>,
}

/// Most attribute sets whose targets an instrument keeps (then they are
/// computed on every offer).
const CACHED_TARGETS: usize = DEFAULT_CARDINALITY_LIMIT;

/// The exemplar streams of one instrument in one process generation.
pub struct InstrumentExemplars {
    filter: ExemplarFilter,
    streams: Vec<Stream>,
    /// The targets of attribute sets seen, by their exact encoding (the
    /// bound-series cache's key): an offer for a known set converts nothing.
    cache: Mutex<HashMap<Vec<u8>, Arc<[Target]>, foldhash::fast::RandomState>>,
}

fn shape(stream: &StreamOf, kind: ViewKind, spec: &InstrumentSpec) -> ReservoirShape {
    let buckets = |b: &[f64]| match b {
        [] => ReservoirShape::FixedSize(1),
        b => ReservoirShape::Aligned(b.to_vec()),
    };
    match &stream.aggregation {
        Some(AggregationSpec::ExplicitBuckets { boundaries, .. }) => buckets(boundaries),
        Some(AggregationSpec::Exponential { max_size, .. }) => {
            ReservoirShape::FixedSize(EXPONENTIAL_RESERVOIR.min(*max_size as usize))
        }
        Some(_) => ReservoirShape::FixedSize(1),
        None if kind == ViewKind::Histogram => {
            buckets(spec.boundaries.as_deref().unwrap_or(&DEFAULT_BOUNDARIES))
        }
        None => ReservoirShape::FixedSize(1),
    }
}

impl InstrumentExemplars {
    /// `None` when no exemplar can ever be taken (filter `always_off`,
    /// meter disabled).
    pub fn new(
        meter: &ScopedMeter,
        spec: &InstrumentSpec,
        kind: ViewKind,
        number: NumberKind,
    ) -> Option<Box<Self>> {
        let store = meter.provider.exemplars();
        if store.filter() == ExemplarFilter::AlwaysOff || !meter.enabled() {
            return None;
        }
        let unit = spec.unit.as_deref().unwrap_or("");
        let streams = meter
            .streams_of(&spec.name, kind, unit)
            .into_iter()
            .map(|s| Stream {
                exemplars: store.stream(
                    StreamKey {
                        scope_name: meter.scope.name.clone(),
                        scope_version: meter.scope.version.clone().unwrap_or_default(),
                        stream_name: s.name.clone().unwrap_or_else(|| spec.name.clone()),
                        number,
                    },
                    shape(&s, kind, spec),
                    s.cardinality_limit.unwrap_or(DEFAULT_CARDINALITY_LIMIT),
                ),
                allowed: s.allowed_keys.map(|k| k.into_iter().collect()),
            })
            .collect();
        Some(Box::new(InstrumentExemplars {
            filter: store.filter(),
            streams,
            cache: Mutex::default(),
        }))
    }

    /// Where a measurement with attributes `raw` (as recorded), `kept`
    /// after the deny-lists and limits, goes: per stream, the point's
    /// attribute set and the attributes the point does not carry.
    pub fn targets(&self, raw: &[KeyValue], kept: &[KeyValue]) -> Vec<Target> {
        self.streams
            .iter()
            .map(|s| {
                let point: Vec<KeyValue> = match &s.allowed {
                    Some(allowed) => kept
                        .iter()
                        .filter(|kv| allowed.contains(kv.key.as_str()))
                        .cloned()
                        .collect(),
                    None => kept.to_vec(),
                };
                let on_point: HashSet<&str> = point.iter().map(|kv| kv.key.as_str()).collect();
                let filtered: Vec<KeyValue> =
                    raw.iter().filter(|kv| !on_point.contains(kv.key.as_str())).cloned().collect();
                Target {
                    stream: s.exemplars.clone(),
                    key: attribute_key(&to_proto(&point)),
                    filtered: to_proto(&filtered).into(),
                }
            })
            .collect()
    }

    /// Offers a measurement, if the filter takes it with `span` (`None`:
    /// the thread's current span).
    pub fn offer<V: ExemplarNumber>(
        &self,
        value: V,
        raw: &[KeyValue],
        kept: &[KeyValue],
        span: Option<&SpanContext>,
    ) {
        let Some(span) = sampled_by(self.filter, span) else {
            return;
        };
        for t in self.targets(raw, kept) {
            t.stream.offer(&t.key, value, &span, &t.filtered);
        }
    }
}

impl InstrumentExemplars {
    /// [`InstrumentExemplars::offer`] for attributes identified by `key` (an
    /// exact encoding of them); `convert` gives them (as recorded, and
    /// kept) only the first time.
    pub fn offer_keyed<V: ExemplarNumber>(
        &self,
        value: V,
        key: &[u8],
        convert: impl FnOnce() -> Option<(Vec<KeyValue>, Vec<KeyValue>)>,
        span: Option<&SpanContext>,
    ) {
        let Some(span) = sampled_by(self.filter, span) else {
            return;
        };
        let cached = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned();
        let targets = match cached {
            Some(t) => t,
            None => {
                let Some((raw, kept)) = convert() else {
                    return;
                };
                let t: Arc<[Target]> = self.targets(&raw, &kept).into();
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                if cache.len() < CACHED_TARGETS {
                    cache.insert(key.to_vec(), t.clone());
                }
                t
            }
        };
        for t in targets.iter() {
            t.stream.offer(&t.key, value, &span, &t.filtered);
        }
    }
}

/// A bound instrument's exemplar targets, computed once when bound.
pub struct BoundExemplars {
    filter: ExemplarFilter,
    targets: Vec<Target>,
}

impl BoundExemplars {
    pub fn new(of: &InstrumentExemplars, raw: &[KeyValue], kept: &[KeyValue]) -> Self {
        BoundExemplars { filter: of.filter, targets: of.targets(raw, kept) }
    }

    pub fn offer<V: ExemplarNumber>(&self, value: V, span: Option<&SpanContext>) {
        let Some(span) = sampled_by(self.filter, span) else {
            return;
        };
        for t in &self.targets {
            t.stream.offer(&t.key, value, &span, &t.filtered);
        }
    }
}

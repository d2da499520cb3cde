//! Synchronous instruments: the SDK instrument plus a cache of bound series,
//! and the validation every measurement goes through.

mod bound_cache;
mod exemplars;
mod kinds;
mod names;
pub mod observable;

/// Whether exemplars are armed anywhere in the process (for tests).
pub use crate::export::exemplars::armed_now as exemplars_armed;
/// The span measurements are made in (for Rust callers and tests).
pub use crate::export::exemplars::{current_span, set_current_span, SpanContext};
pub use bound_cache::BoundCache;
pub use kinds::*;
pub use names::{validate_instrument_name, validate_unit};

use crate::config::TemporalityPreference;
use crate::error::{Error, Result};
use crate::export::exemplars::{self as ex, ExemplarNumber};
use crate::limits::AttributeLimits;
use crate::process::fork::PerGeneration;
use crate::provider::{recording_epoch, Lifecycle, ScopedMeter};
use crate::views::apply_deny_list;
use exemplars::{BoundExemplars, InstrumentExemplars};
use opentelemetry::KeyValue;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What the application asked for when it created an instrument.
#[derive(Debug, Clone, Default)]
pub struct InstrumentSpec {
    pub name: String,
    pub description: Option<String>,
    pub unit: Option<String>,
    /// Advisory explicit bucket boundaries (histograms only).
    pub boundaries: Option<Vec<f64>>,
}

impl InstrumentSpec {
    pub fn validate(&self) -> Result<()> {
        validate_instrument_name(&self.name)?;
        if let Some(unit) = &self.unit {
            validate_unit(unit)?;
        }
        if let Some(b) = &self.boundaries {
            if b.iter().any(|x| !x.is_finite()) {
                return Err(Error::argument("histogram boundaries must be finite numbers"));
            }
            if b.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::argument(
                    "histogram boundaries must be sorted in strictly increasing order",
                ));
            }
        }
        Ok(())
    }
}

/// What an instrument holds in the SDK of one process generation.
struct SdkSide<K: SyncKind> {
    api: K::Api,
    cache: Option<BoundCache<K::Bound>>,
    /// `None`: no exemplar is ever taken (filter `always_off`).
    exemplars: Option<Box<InstrumentExemplars>>,
}

/// One synchronous instrument of kind `K`.
pub struct Instrument<K: SyncKind> {
    meter: Arc<ScopedMeter>,
    spec: InstrumentSpec,
    sdk: PerGeneration<SdkSide<K>>,
    lifecycle: Arc<Lifecycle>,
    /// Attribute limits, copied from the provider (read on every record).
    limits: AttributeLimits,
    /// Attribute keys views deny for this instrument (dropped here: the SDK
    /// only has allow-lists).
    denied: Option<Arc<HashSet<String>>>,
    /// Whether anything can be recorded: the meter is enabled and not every
    /// view selecting the instrument drops it (fixed at creation).
    enabled: bool,
}

impl<K: SyncKind> Instrument<K> {
    pub fn new(meter: &Arc<ScopedMeter>, spec: &InstrumentSpec) -> Result<Arc<Self>> {
        crate::process::reentrancy::refuse_in_callback("creating an instrument")?;
        let lifecycle = meter.lifecycle().clone();
        if lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        spec.validate()?;
        let unit = spec.unit.as_deref().unwrap_or("");
        let denied = meter.denied_keys(&spec.name, K::VIEW_KIND, unit);
        let enabled = meter.enabled() && meter.records_anything(&spec.name, K::VIEW_KIND, unit);
        let sdk = PerGeneration::new(Self::sdk_side(meter, spec));
        Ok(Arc::new(Instrument {
            meter: meter.clone(),
            spec: spec.clone(),
            sdk,
            lifecycle,
            limits: *meter.provider.limits(),
            denied,
            enabled,
        }))
    }

    fn sdk_side(meter: &ScopedMeter, spec: &InstrumentSpec) -> SdkSide<K> {
        // Bound series are never evicted by the SDK; with delta temporality
        // that would pin stale series, so the cache is for cumulative only.
        let cumulative = !K::is_delta(meter.provider.temporality());
        SdkSide {
            api: K::create(meter.meter(), spec),
            cache: cumulative.then(BoundCache::new),
            exemplars: InstrumentExemplars::new(
                meter,
                spec,
                K::VIEW_KIND,
                <K::Value as ExemplarNumber>::KIND,
            ),
        }
    }

    /// The SDK side of the current generation (rebuilt after a fork).
    #[inline]
    fn sdk(&self) -> &SdkSide<K> {
        self.sdk.get_or_rebuild(|_| Self::sdk_side(&self.meter, &self.spec))
    }

    /// The API's `Enabled`: false when a measurement would be recorded
    /// nowhere (meter disabled, every view drops the instrument, provider
    /// shut down), so that a caller can skip building its attributes. A
    /// field and one relaxed load: no lock.
    #[inline]
    pub fn enabled(&self) -> bool {
        self.enabled && !self.lifecycle.is_shut_down()
    }

    #[inline]
    fn check(&self, value: K::Value) -> Result<()> {
        if self.lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        K::check(value)
    }

    /// Applies view deny-lists and attribute limits (on conversion only:
    /// a cached series never pays for them again).
    fn filtered(&self, attributes: Vec<KeyValue>) -> Vec<KeyValue> {
        let attributes = match &self.denied {
            Some(denied) => apply_deny_list(denied, attributes),
            None => attributes,
        };
        self.limits.apply(attributes)
    }

    /// Records with attributes already converted.
    pub fn record(&self, value: K::Value, attributes: &[KeyValue]) -> Result<()> {
        self.record_only(value, attributes)?;
        if ex::armed() {
            self.offer(value, attributes, None);
        }
        Ok(())
    }

    /// Records with attributes already converted, in `span`.
    pub fn record_in_span(
        &self,
        value: K::Value,
        attributes: &[KeyValue],
        span: &SpanContext,
    ) -> Result<()> {
        self.record_only(value, attributes)?;
        self.offer(value, attributes, Some(span));
        Ok(())
    }

    #[inline]
    fn record_only(&self, value: K::Value, attributes: &[KeyValue]) -> Result<()> {
        self.check(value)?;
        let api = &self.sdk().api;
        if self.denied.is_none() && self.limits.is_unlimited() {
            K::record(api, value, attributes);
        } else {
            K::record(api, value, &self.filtered(attributes.to_vec()));
        }
        Ok(())
    }

    /// Offers a recorded measurement as an exemplar (`span` `None`: the
    /// thread's current span). Out of line: recording without a sampled
    /// span never comes here.
    #[cold]
    #[inline(never)]
    fn offer(&self, value: K::Value, raw: &[KeyValue], span: Option<&SpanContext>) {
        if let Some(exemplars) = &self.sdk().exemplars {
            let kept = self.filtered(raw.to_vec());
            exemplars.offer(value, raw, &kept, span);
        }
    }

    /// [`Instrument::offer`] for attributes identified by `key`.
    #[cold]
    #[inline(never)]
    fn offer_keyed(
        &self,
        value: K::Value,
        key: &[u8],
        convert: &dyn Fn() -> Result<Vec<KeyValue>>,
        span: Option<&SpanContext>,
    ) {
        if let Some(exemplars) = &self.sdk().exemplars {
            let convert = || {
                let raw = convert().ok()?;
                let kept = self.filtered(raw.clone());
                Some((raw, kept))
            };
            exemplars.offer_keyed(value, key, convert, span);
        }
    }

    /// As [`Instrument::record_keyed`], in `span`.
    pub fn record_keyed_in_span(
        &self,
        value: K::Value,
        key: &[u8],
        convert: impl Fn() -> Result<Vec<KeyValue>>,
        span: &SpanContext,
    ) -> Result<()> {
        self.record_keyed_only(value, key, &convert)?;
        self.offer_keyed(value, key, &convert, Some(span));
        Ok(())
    }

    /// Records with attributes identified by `key`, an exact encoding of
    /// them: a series seen before is recorded through its bound handle, with
    /// no conversion at all; `convert` runs only for a series not yet cached.
    #[inline]
    pub fn record_keyed(
        &self,
        value: K::Value,
        key: &[u8],
        convert: impl Fn() -> Result<Vec<KeyValue>>,
    ) -> Result<()> {
        self.record_keyed_only(value, key, &convert)?;
        if ex::armed() {
            self.offer_keyed(value, key, &convert, None);
        }
        Ok(())
    }

    #[inline]
    fn record_keyed_only(
        &self,
        value: K::Value,
        key: &[u8],
        convert: impl FnOnce() -> Result<Vec<KeyValue>>,
    ) -> Result<()> {
        self.check(value)?;
        let sdk = self.sdk();
        let Some(cache) = &sdk.cache else {
            K::record(&sdk.api, value, &self.filtered(convert()?));
            return Ok(());
        };
        if cache.with(key, |bound| K::record_bound(bound, value)) {
            return Ok(());
        }
        let attributes = self.filtered(convert()?);
        if !cache.insert_with(
            key,
            || K::bind(&sdk.api, &attributes),
            |bound| K::record_bound(bound, value),
        ) {
            K::record(&sdk.api, value, &attributes);
        }
        Ok(())
    }

    /// Binds the instrument to one attribute set.
    pub fn bind(self: &Arc<Self>, attributes: &[KeyValue]) -> Result<BoundInstrument<K>> {
        if self.lifecycle.is_shut_down() {
            return Err(Error::shutdown());
        }
        let raw = attributes.to_vec();
        let attributes = self.filtered(raw.clone());
        let bound = PerGeneration::new(self.bound_side(&raw, &attributes));
        Ok(BoundInstrument {
            checked_in: AtomicU64::new(0),
            lifecycle: self.lifecycle.clone(),
            instrument: self.clone(),
            raw,
            attributes,
            bound,
        })
    }

    fn bound_side(&self, raw: &[KeyValue], kept: &[KeyValue]) -> BoundSide<K> {
        let sdk = self.sdk();
        BoundSide {
            bound: K::bind(&sdk.api, kept),
            exemplars: sdk.exemplars.as_ref().map(|e| Box::new(BoundExemplars::new(e, raw, kept))),
        }
    }
}

/// What a bound instrument holds in the SDK of one process generation.
struct BoundSide<K: SyncKind> {
    bound: K::Bound,
    exemplars: Option<Box<BoundExemplars>>,
}

/// An instrument bound to one attribute set: the fastest path.
pub struct BoundInstrument<K: SyncKind> {
    /// The recording epoch in which a record last found the provider
    /// running and `bound` of the current generation (0: never). Written
    /// only when the epoch moved on; read by every record.
    checked_in: AtomicU64,
    lifecycle: Arc<Lifecycle>,
    instrument: Arc<Instrument<K>>,
    /// Kept to bind again in a forked child: as given, and as recorded.
    raw: Vec<KeyValue>,
    attributes: Vec<KeyValue>,
    bound: PerGeneration<BoundSide<K>>,
}

impl<K: SyncKind> BoundInstrument<K> {
    /// Records when nothing can fail: the value is accepted and nothing
    /// happened since the last full check (no shutdown of any provider, no
    /// fork), so the provider is running and `bound` is current. Returns
    /// false, recording nothing, otherwise; then [`BoundInstrument::record`]
    /// does the full check and says why.
    #[inline(always)]
    pub fn try_record(&self, value: K::Value) -> bool {
        if !K::accepts(value) || self.checked_in.load(Ordering::Acquire) != recording_epoch() {
            return false;
        }
        K::record_bound(&self.bound.peek().bound, value);
        true
    }

    /// Records with every check (shutdown, value, fork), and lets
    /// [`BoundInstrument::try_record`] skip them until the epoch moves on;
    /// while exemplars are armed, it offers one and lets nothing skip.
    pub fn record(&self, value: K::Value) -> Result<()> {
        self.record_with(value, None)
    }

    /// Records in `span` (with every check).
    pub fn record_in_span(&self, value: K::Value, span: &SpanContext) -> Result<()> {
        self.record_with(value, Some(span))
    }

    fn record_with(&self, value: K::Value, span: Option<&SpanContext>) -> Result<()> {
        let Some(epoch) = self.lifecycle.running_epoch() else {
            return Err(Error::shutdown());
        };
        K::check(value)?;
        let side =
            self.bound.get_or_rebuild(|_| self.instrument.bound_side(&self.raw, &self.attributes));
        K::record_bound(&side.bound, value);
        // Read after the epoch: arming counts before it advances the epoch,
        // so an unarmed check-in here is at an epoch arming leaves behind.
        if span.is_some() || ex::armed_now() {
            if let Some(exemplars) = &side.exemplars {
                exemplars.offer(value, span);
            }
        } else {
            // Release: a thread that reads this epoch sees `bound` installed.
            self.checked_in.store(epoch, Ordering::Release);
        }
        Ok(())
    }
}

pub(crate) fn is_delta_for(pref: TemporalityPreference, monotonic_sum_or_histogram: bool) -> bool {
    match pref {
        TemporalityPreference::Cumulative => false,
        TemporalityPreference::Delta => monotonic_sum_or_histogram,
        TemporalityPreference::LowMemory => monotonic_sum_or_histogram,
    }
}

#[cfg(test)]
mod tests {
    use super::is_delta_for;
    use crate::config::TemporalityPreference::{self, *};

    #[test]
    fn the_strictest_of_two_readers_is_delta_wherever_either_is() {
        let all: [TemporalityPreference; 3] = [Cumulative, Delta, LowMemory];
        for a in all {
            for b in all {
                for kind in [false, true] {
                    assert_eq!(
                        is_delta_for(a.strictest(b), kind),
                        is_delta_for(a, kind) || is_delta_for(b, kind),
                        "{a:?} beside {b:?}"
                    );
                }
            }
        }
    }
}

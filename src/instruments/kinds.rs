//! The nine synchronous instrument kinds, described once each: how to create
//! the SDK instrument, record, bind, and which values are invalid.

use super::{is_delta_for, InstrumentSpec};
use crate::config::TemporalityPreference;
use crate::error::{Error, Result};
use opentelemetry::metrics::{
    BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter, Counter, Gauge, Histogram, Meter, UpDownCounter,
};
use opentelemetry::KeyValue;

/// One kind of synchronous instrument.
pub trait Kind: Send + Sync + 'static {
    type Value: Copy + Send + Sync + 'static;
    type Api: Send + Sync + 'static;
    type Bound: Send + Sync + 'static;
    /// Used in messages, e.g. "counter_u64".
    const NAME: &'static str;
    /// The kind views select it by.
    const VIEW_KIND: crate::views::Kind;
    fn create(meter: &Meter, spec: &InstrumentSpec) -> Self::Api;
    fn record(api: &Self::Api, value: Self::Value, attributes: &[KeyValue]);
    fn bind(api: &Self::Api, attributes: &[KeyValue]) -> Self::Bound;
    fn record_bound(bound: &Self::Bound, value: Self::Value);
    /// Rejects values the instrument must not record (NaN, negative counts).
    fn check(value: Self::Value) -> Result<()>;
    /// Whether the SDK aggregates this kind with delta temporality.
    fn is_delta(pref: TemporalityPreference) -> bool;
}

fn any_value<T>(_: T) -> Result<()> {
    Ok(())
}

/// OTLP carries integer points as int64: a u64 beyond it would arrive as a
/// wrong number, so it is refused when recorded.
fn within_int64(value: u64) -> Result<()> {
    if value > i64::MAX as u64 {
        return Err(Error::value(format!(
            "measurement {value} exceeds the largest integer OTLP carries ({}); nothing was recorded",
            i64::MAX
        )));
    }
    Ok(())
}

fn finite(value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::value(format!("measurement {value} is not a finite number; nothing was recorded")))
    }
}

fn finite_non_negative(value: f64) -> Result<()> {
    finite(value)?;
    if value < 0.0 {
        return Err(Error::value(format!("a counter cannot decrease: {value} is negative; nothing was recorded")));
    }
    Ok(())
}

macro_rules! kind {
    ($kind:ident, $name:literal, $value:ty, $api:ident, $bound:ident, $ctor:ident, $method:ident, $check:ident,
     delta_if_monotonic = $mono:expr, histogram = $hist:tt, view = $view:ident) => {
        pub struct $kind;
        impl Kind for $kind {
            type Value = $value;
            type Api = $api<$value>;
            type Bound = $bound<$value>;
            const NAME: &'static str = $name;
            const VIEW_KIND: crate::views::Kind = crate::views::Kind::$view;
            fn create(meter: &Meter, spec: &InstrumentSpec) -> Self::Api {
                let b = meter.$ctor(spec.name.clone());
                let b = match &spec.description {
                    Some(d) => b.with_description(d.clone()),
                    None => b,
                };
                let b = match &spec.unit {
                    Some(u) => b.with_unit(u.clone()),
                    None => b,
                };
                kind!(@boundaries $hist, b, spec).build()
            }
            #[inline]
            fn record(api: &Self::Api, value: $value, attributes: &[KeyValue]) {
                api.$method(value, attributes)
            }
            fn bind(api: &Self::Api, attributes: &[KeyValue]) -> Self::Bound {
                api.bind(attributes)
            }
            #[inline]
            fn record_bound(bound: &Self::Bound, value: $value) {
                bound.$method(value)
            }
            #[inline]
            fn check(value: $value) -> Result<()> {
                $check(value)
            }
            fn is_delta(pref: TemporalityPreference) -> bool {
                is_delta_for(pref, $mono)
            }
        }
    };
    (@boundaries true, $b:ident, $spec:ident) => {
        match &$spec.boundaries {
            Some(bounds) => $b.with_boundaries(bounds.clone()),
            None => $b,
        }
    };
    (@boundaries false, $b:ident, $spec:ident) => {
        $b
    };
}

kind!(CounterU64, "counter_u64", u64, Counter, BoundCounter, u64_counter, add, within_int64,
      delta_if_monotonic = true, histogram = false, view = Counter);
kind!(CounterF64, "counter_f64", f64, Counter, BoundCounter, f64_counter, add, finite_non_negative,
      delta_if_monotonic = true, histogram = false, view = Counter);
kind!(UpDownCounterI64, "up_down_counter_i64", i64, UpDownCounter, BoundUpDownCounter, i64_up_down_counter, add,
      any_value, delta_if_monotonic = false, histogram = false, view = UpDownCounter);
kind!(UpDownCounterF64, "up_down_counter_f64", f64, UpDownCounter, BoundUpDownCounter, f64_up_down_counter, add,
      finite, delta_if_monotonic = false, histogram = false, view = UpDownCounter);
kind!(HistogramU64, "histogram_u64", u64, Histogram, BoundHistogram, u64_histogram, record, any_value,
      delta_if_monotonic = true, histogram = true, view = Histogram);
kind!(HistogramF64, "histogram_f64", f64, Histogram, BoundHistogram, f64_histogram, record, finite,
      delta_if_monotonic = true, histogram = true, view = Histogram);
// Gauges report the last value; a delta preference makes the SDK reset them
// after each collection, so they count as delta there.
kind!(GaugeU64, "gauge_u64", u64, Gauge, BoundGauge, u64_gauge, record, within_int64,
      delta_if_monotonic = true, histogram = false, view = Gauge);
kind!(GaugeI64, "gauge_i64", i64, Gauge, BoundGauge, i64_gauge, record, any_value,
      delta_if_monotonic = true, histogram = false, view = Gauge);
kind!(GaugeF64, "gauge_f64", f64, Gauge, BoundGauge, f64_gauge, record, finite,
      delta_if_monotonic = true, histogram = false, view = Gauge);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::status;

    #[test]
    fn counters_reject_negative_and_non_finite_values() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(CounterF64::check(bad).unwrap_err().status, status::INVALID_VALUE);
        }
        assert!(CounterF64::check(0.0).is_ok());
        assert!(UpDownCounterF64::check(-3.5).is_ok());
        assert!(UpDownCounterF64::check(f64::NAN).is_err());
        assert!(HistogramF64::check(-2.0).is_ok(), "histograms accept negative values (the spec says not to validate)");
        assert!(GaugeF64::check(f64::NEG_INFINITY).is_err());
        assert_eq!(CounterU64::check(i64::MAX as u64 + 1).unwrap_err().status, status::INVALID_VALUE);
        assert!(CounterU64::check(i64::MAX as u64).is_ok());
        assert!(GaugeU64::check(u64::MAX).is_err());
    }
}

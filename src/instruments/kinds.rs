//! The nine synchronous instrument kinds, described once each: how to create
//! the SDK instrument, record, bind, and which values are invalid.

use super::{is_delta_for, InstrumentSpec};
use crate::config::TemporalityPreference;
use crate::error::{Error, Result};
use crate::export::exemplars::ExemplarNumber;
use opentelemetry::metrics::{
    BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter, Counter, Gauge, Histogram, Meter,
    UpDownCounter,
};
use opentelemetry::KeyValue;

/// One kind of synchronous instrument.
pub trait SyncKind: Send + Sync + 'static {
    type Value: Copy + Send + Sync + ExemplarNumber + 'static;
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
    /// Whether the instrument may record `value` (not NaN, not a negative
    /// count, ...): a compare or two, on every record.
    fn accepts(value: Self::Value) -> bool;
    /// Why `value`, which `accepts` refused, is refused.
    fn refusal(value: Self::Value) -> Error;
    /// Rejects values the instrument must not record, with the reason.
    #[inline(always)]
    fn check(value: Self::Value) -> Result<()> {
        if Self::accepts(value) {
            Ok(())
        } else {
            Err(Self::refusal(value))
        }
    }
    /// Whether the SDK aggregates this kind with delta temporality.
    fn is_delta(pref: TemporalityPreference) -> bool;
}

// What each kind accepts: a compare or two, inline on every record; why a
// value was refused: a message built out of line (#[cold]), so recording
// functions carry no formatting code.

#[inline(always)]
fn any_value<T>(_: T) -> bool {
    true
}

/// OTLP carries integer points as int64: a u64 beyond it would arrive as a
/// wrong number, so it is refused when recorded.
#[inline(always)]
fn within_int64(value: u64) -> bool {
    value <= i64::MAX as u64
}

#[inline(always)]
fn finite(value: f64) -> bool {
    value.is_finite()
}

/// False for NaN, negatives and the infinities; -0.0 is accepted. On the
/// bits: sign clear and exponent below all-ones, or exactly -0.0 (LLVM
/// turns the float comparisons into some twenty integer ops).
#[inline(always)]
fn finite_non_negative(value: f64) -> bool {
    let bits = value.to_bits();
    bits < f64::INFINITY.to_bits() || bits == (-0.0f64).to_bits()
}

#[cold]
#[inline(never)]
fn never_refused<T: std::fmt::Display>(value: T) -> Error {
    Error::value(format!("measurement {value} was refused"))
}

#[cold]
#[inline(never)]
fn beyond_int64(value: u64) -> Error {
    Error::value(format!(
        "measurement {value} exceeds the largest integer OTLP carries ({}); nothing was recorded",
        i64::MAX
    ))
}

#[cold]
#[inline(never)]
fn not_finite(value: f64) -> Error {
    Error::value(format!("measurement {value} is not a finite number; nothing was recorded"))
}

#[cold]
#[inline(never)]
fn negative_or_not_finite(value: f64) -> Error {
    if !value.is_finite() {
        return not_finite(value);
    }
    Error::value(format!("a counter cannot decrease: {value} is negative; nothing was recorded"))
}

macro_rules! kind {
    ($kind:ident, $name:literal, $value:ty, $api:ident, $bound:ident, $ctor:ident, $method:ident, $accepts:ident, $refusal:ident,
     delta_if_monotonic = $mono:expr, histogram = $hist:tt, view = $view:ident) => {
        pub struct $kind;
        impl SyncKind for $kind {
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
            #[inline(always)]
            fn accepts(value: $value) -> bool {
                $accepts(value)
            }
            fn refusal(value: $value) -> Error {
                $refusal(value)
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

kind!(
    CounterU64,
    "counter_u64",
    u64,
    Counter,
    BoundCounter,
    u64_counter,
    add,
    within_int64,
    beyond_int64,
    delta_if_monotonic = true,
    histogram = false,
    view = Counter
);
kind!(
    CounterF64,
    "counter_f64",
    f64,
    Counter,
    BoundCounter,
    f64_counter,
    add,
    finite_non_negative,
    negative_or_not_finite,
    delta_if_monotonic = true,
    histogram = false,
    view = Counter
);
kind!(
    UpDownCounterI64,
    "up_down_counter_i64",
    i64,
    UpDownCounter,
    BoundUpDownCounter,
    i64_up_down_counter,
    add,
    any_value,
    never_refused,
    delta_if_monotonic = false,
    histogram = false,
    view = UpDownCounter
);
kind!(
    UpDownCounterF64,
    "up_down_counter_f64",
    f64,
    UpDownCounter,
    BoundUpDownCounter,
    f64_up_down_counter,
    add,
    finite,
    not_finite,
    delta_if_monotonic = false,
    histogram = false,
    view = UpDownCounter
);
kind!(
    HistogramU64,
    "histogram_u64",
    u64,
    Histogram,
    BoundHistogram,
    u64_histogram,
    record,
    any_value,
    never_refused,
    delta_if_monotonic = true,
    histogram = true,
    view = Histogram
);
kind!(
    HistogramF64,
    "histogram_f64",
    f64,
    Histogram,
    BoundHistogram,
    f64_histogram,
    record,
    finite,
    not_finite,
    delta_if_monotonic = true,
    histogram = true,
    view = Histogram
);
// Gauges report the last value; a delta preference makes the SDK reset them
// after each collection, so they count as delta there.
kind!(
    GaugeU64,
    "gauge_u64",
    u64,
    Gauge,
    BoundGauge,
    u64_gauge,
    record,
    within_int64,
    beyond_int64,
    delta_if_monotonic = true,
    histogram = false,
    view = Gauge
);
kind!(
    GaugeI64,
    "gauge_i64",
    i64,
    Gauge,
    BoundGauge,
    i64_gauge,
    record,
    any_value,
    never_refused,
    delta_if_monotonic = true,
    histogram = false,
    view = Gauge
);
kind!(
    GaugeF64,
    "gauge_f64",
    f64,
    Gauge,
    BoundGauge,
    f64_gauge,
    record,
    finite,
    not_finite,
    delta_if_monotonic = true,
    histogram = false,
    view = Gauge
);

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
        assert!(CounterF64::check(-0.0).is_ok(), "-0.0 is not negative");
        assert!(CounterF64::check(f64::MAX).is_ok());
        assert!(CounterF64::check(f64::MIN_POSITIVE / 2.0).is_ok(), "subnormals are finite");
        assert!(CounterF64::check(-f64::MIN_POSITIVE / 2.0).is_err());
        assert!(CounterF64::check(-f64::NAN).is_err(), "a NaN with the sign bit set");
        assert!(CounterF64::check(f64::NEG_INFINITY)
            .unwrap_err()
            .message
            .contains("not a finite number"));
        assert!(CounterF64::check(-1.0).unwrap_err().message.contains("cannot decrease"));
        assert!(UpDownCounterF64::check(-3.5).is_ok());
        assert!(UpDownCounterF64::check(f64::NAN).is_err());
        assert!(
            HistogramF64::check(-2.0).is_ok(),
            "histograms accept negative values (the spec says not to validate)"
        );
        assert!(GaugeF64::check(f64::NEG_INFINITY).is_err());
        assert_eq!(
            CounterU64::check(i64::MAX as u64 + 1).unwrap_err().status,
            status::INVALID_VALUE
        );
        assert!(CounterU64::check(i64::MAX as u64).is_ok());
        assert!(GaugeU64::check(u64::MAX).is_err());
    }
}

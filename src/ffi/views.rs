//! `otelmetrics_view_*`: views built in C and added to a provider builder.
//! A view is not thread-safe; it is copied when added.

use super::attributes::{slice_arg, str_arg};
use super::builder::otelmetrics_provider_builder;
use super::handle::{handle, Handle};
use super::*;
use crate::error::{Error, Result};
use crate::process::fork_safe::Lock;
use crate::views::{AggregationSpec, Kind, ViewSpec};

/// A view under construction: selectors plus stream changes.
pub struct otelmetrics_view {
    _private: [u8; 0],
}
handle!(otelmetrics_view, Lock<ViewSpec>, 0x90);

/// Instrument kinds, for view selectors.
pub type otelmetrics_instrument_kind = u32;
pub const OTELMETRICS_INSTRUMENT_KIND_COUNTER: otelmetrics_instrument_kind = 1;
pub const OTELMETRICS_INSTRUMENT_KIND_UP_DOWN_COUNTER: otelmetrics_instrument_kind = 2;
pub const OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM: otelmetrics_instrument_kind = 3;
pub const OTELMETRICS_INSTRUMENT_KIND_GAUGE: otelmetrics_instrument_kind = 4;
pub const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_COUNTER: otelmetrics_instrument_kind = 5;
pub const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_UP_DOWN_COUNTER: otelmetrics_instrument_kind = 6;
pub const OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_GAUGE: otelmetrics_instrument_kind = 7;

unsafe fn with_view(
    view: *mut otelmetrics_view,
    f: impl FnOnce(&mut ViewSpec) -> Result<()>,
) -> otelmetrics_status {
    guard(|| {
        let v = otelmetrics_view::borrow(view)?;
        let mut spec = v.lock();
        f(&mut spec)
    })
}

unsafe fn text(s: otelmetrics_str, what: &str) -> Result<String> {
    Ok(str_arg(s, what)?.to_owned())
}

/// Creates an empty view. It must select something before it is added.
/// Returns OK or NULL_POINTER.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_new(
    out: *mut *mut otelmetrics_view,
) -> otelmetrics_status {
    guard(|| {
        check_out(out, "out")?;
        write_out(out, otelmetrics_view::into_raw(Lock::new(ViewSpec::default())));
        Ok(())
    })
}

/// Frees a view. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_free(view: *mut otelmetrics_view) {
    guard_value((), || otelmetrics_view::free(view))
}

/// Selects instruments by name; `*` matches any run of characters and `?`
/// one character (case-insensitive).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_select_instrument_name(
    view: *mut otelmetrics_view,
    pattern: otelmetrics_str,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.instrument_name = Some(text(pattern, "instrument name pattern")?);
        Ok(())
    })
}

/// Selects instruments by kind (`OTELMETRICS_INSTRUMENT_KIND_*`).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_select_instrument_kind(
    view: *mut otelmetrics_view,
    kind: otelmetrics_instrument_kind,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.kind = Some(kind_arg(kind)?);
        Ok(())
    })
}

/// An `OTELMETRICS_INSTRUMENT_KIND_*` value as a view kind.
pub(crate) fn kind_arg(kind: otelmetrics_instrument_kind) -> Result<Kind> {
    Ok(match kind {
        OTELMETRICS_INSTRUMENT_KIND_COUNTER => Kind::Counter,
        OTELMETRICS_INSTRUMENT_KIND_UP_DOWN_COUNTER => Kind::UpDownCounter,
        OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM => Kind::Histogram,
        OTELMETRICS_INSTRUMENT_KIND_GAUGE => Kind::Gauge,
        OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_COUNTER => Kind::ObservableCounter,
        OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_UP_DOWN_COUNTER => Kind::ObservableUpDownCounter,
        OTELMETRICS_INSTRUMENT_KIND_OBSERVABLE_GAUGE => Kind::ObservableGauge,
        other => return Err(Error::argument(format!("unknown instrument kind {other}"))),
    })
}

/// Selects instruments by unit (exact match).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_select_unit(
    view: *mut otelmetrics_view,
    unit: otelmetrics_str,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.unit = Some(text(unit, "unit")?);
        Ok(())
    })
}

/// Selects instruments of meters with this name and, unless `version` is
/// empty, this version.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_select_meter(
    view: *mut otelmetrics_view,
    name: otelmetrics_str,
    version: otelmetrics_str,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.meter_name = Some(text(name, "meter name")?);
        let version = text(version, "meter version")?;
        v.meter_version = (!version.is_empty()).then_some(version);
        Ok(())
    })
}

/// Renames the stream (only for a view selecting one exact instrument name).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_name(
    view: *mut otelmetrics_view,
    name: otelmetrics_str,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.name = Some(text(name, "stream name")?);
        Ok(())
    })
}

/// Replaces the stream's description.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_description(
    view: *mut otelmetrics_view,
    description: otelmetrics_str,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.description = Some(text(description, "description")?);
        Ok(())
    })
}

unsafe fn keys(list: *const otelmetrics_str, count: usize) -> Result<Vec<String>> {
    slice_arg(list, count, "the key array")?.iter().map(|k| text(*k, "attribute key")).collect()
}

/// Keeps only these attribute keys (an empty list keeps none).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_allow_attribute_keys(
    view: *mut otelmetrics_view,
    keys_list: *const otelmetrics_str,
    count: usize,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.allowed_keys = Some(keys(keys_list, count)?);
        Ok(())
    })
}

/// Drops these attribute keys, keeping all others.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_deny_attribute_keys(
    view: *mut otelmetrics_view,
    keys_list: *const otelmetrics_str,
    count: usize,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.denied_keys = Some(keys(keys_list, count)?);
        Ok(())
    })
}

/// Drops the selected instruments' data entirely.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_aggregation_drop(
    view: *mut otelmetrics_view,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.aggregation = Some(AggregationSpec::Drop);
        Ok(())
    })
}

/// Aggregates as a sum.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_aggregation_sum(
    view: *mut otelmetrics_view,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.aggregation = Some(AggregationSpec::Sum);
        Ok(())
    })
}

/// Keeps the last value.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_aggregation_last_value(
    view: *mut otelmetrics_view,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.aggregation = Some(AggregationSpec::LastValue);
        Ok(())
    })
}

/// An explicit-bucket histogram with these boundaries (finite, strictly
/// increasing; checked when the view is added) and min/max on or off.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_aggregation_explicit_buckets(
    view: *mut otelmetrics_view,
    boundaries: *const f64,
    count: usize,
    record_min_max: bool,
) -> otelmetrics_status {
    with_view(view, |v| {
        let boundaries = slice_arg(boundaries, count, "the boundaries array")?.to_vec();
        v.aggregation = Some(AggregationSpec::ExplicitBuckets { boundaries, record_min_max });
        Ok(())
    })
}

/// A base-2 exponential histogram with at most `max_size` buckets per sign
/// (>= 2) and a starting scale of `max_scale` (-10..=20).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_aggregation_exponential(
    view: *mut otelmetrics_view,
    max_size: u32,
    max_scale: i32,
    record_min_max: bool,
) -> otelmetrics_status {
    with_view(view, |v| {
        let max_scale = i8::try_from(max_scale)
            .map_err(|_| Error::argument(format!("max_scale {max_scale} is out of range")))?;
        v.aggregation = Some(AggregationSpec::Exponential { max_size, max_scale, record_min_max });
        Ok(())
    })
}

/// Sets the stream's cardinality limit (1 to 1,000,000; checked when added).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_view_set_cardinality_limit(
    view: *mut otelmetrics_view,
    limit: usize,
) -> otelmetrics_status {
    with_view(view, |v| {
        v.cardinality_limit = Some(limit);
        Ok(())
    })
}

/// Adds a copy of `view` to the builder. Several views may select the same
/// instrument (each makes a stream). Returns OK, NULL_POINTER, WRONG_HANDLE,
/// or INVALID_CONFIG when the view is invalid (selects nothing, renames with
/// a wildcard, unsorted boundaries, zero limit, allow and deny together).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_builder_add_view(
    builder: *mut otelmetrics_provider_builder,
    view: *const otelmetrics_view,
) -> otelmetrics_status {
    guard(|| {
        let spec = otelmetrics_view::borrow(view)?.lock().clone();
        spec.validate()?;
        let settings = otelmetrics_provider_builder::borrow(builder)?;
        settings.lock().views.push(spec);
        Ok(())
    })
}

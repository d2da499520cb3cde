//! Views: selectors (with wildcards), renames, descriptions, attribute key
//! lists, aggregations with arbitrary boundaries and sizes, cardinality
//! limits; then a provider with those views records through instruments
//! whose names also come from the input, and its snapshot must read back.

use super::check::{self, BAD_INPUT};
use super::input::Input;
use super::session::{in_memory_builder, Session};
use super::values::{numbers, view, Attributes, Strings};
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::views::*;
use otelmetrics::ffi::*;
use std::ptr::null_mut;

const VIEW_ERRORS: &[otelmetrics_status] = &[
    OTELMETRICS_STATUS_NULL_POINTER,
    OTELMETRICS_STATUS_INVALID_UTF8,
    OTELMETRICS_STATUS_INVALID_ARGUMENT,
    OTELMETRICS_STATUS_INVALID_NAME,
    OTELMETRICS_STATUS_INVALID_CONFIG,
];

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let builder = in_memory_builder();
    for _ in 0..input.count(3) {
        let mut v = null_mut();
        check::status(unsafe { otelmetrics_view_new(&mut v) }, &[], "view_new");
        for _ in 0..input.count(8) {
            let (status, call) = unsafe { apply_one(v, &mut input) };
            check::status(status, VIEW_ERRORS, call);
        }
        check::status(
            unsafe { otelmetrics_provider_builder_add_view(builder, v) },
            VIEW_ERRORS,
            "add_view",
        );
        unsafe { otelmetrics_view_free(v) };
    }
    let Some(session) = Session::build(builder, VIEW_ERRORS) else { return };
    let attrs = Attributes::read(&mut input, 4);
    let value = input.f64();
    for _ in 0..input.count(3) {
        let name = input.bytes();
        unsafe { record(&session, &name, &attrs, value, input.u8()) };
    }
    session.read_json();
}

unsafe fn apply_one(
    v: *mut otelmetrics_view,
    input: &mut Input,
) -> (otelmetrics_status, &'static str) {
    match input.u8() % 12 {
        0 => (
            otelmetrics_view_select_instrument_name(v, view(&input.bytes())),
            "select_instrument_name",
        ),
        1 => {
            (otelmetrics_view_select_instrument_kind(v, input.u32() % 9), "select_instrument_kind")
        }
        2 => (otelmetrics_view_select_unit(v, view(&input.bytes())), "select_unit"),
        3 => {
            let (name, version) = (input.bytes(), input.bytes());
            (otelmetrics_view_select_meter(v, view(&name), view(&version)), "select_meter")
        }
        4 => (otelmetrics_view_set_name(v, view(&input.bytes())), "set_name"),
        5 => (otelmetrics_view_set_description(v, view(&input.bytes())), "set_description"),
        6 => {
            let keys = Strings::read(input, 6);
            (
                otelmetrics_view_allow_attribute_keys(v, keys.views.as_ptr(), keys.len),
                "allow_attribute_keys",
            )
        }
        7 => {
            let keys = Strings::read(input, 6);
            (
                otelmetrics_view_deny_attribute_keys(v, keys.views.as_ptr(), keys.len),
                "deny_attribute_keys",
            )
        }
        8 => match input.u8() % 3 {
            0 => (otelmetrics_view_set_aggregation_drop(v), "set_aggregation_drop"),
            1 => (otelmetrics_view_set_aggregation_sum(v), "set_aggregation_sum"),
            _ => (otelmetrics_view_set_aggregation_last_value(v), "set_aggregation_last_value"),
        },
        9 => {
            let (bounds, len) = numbers(input, 12, |i| i.f64());
            (
                otelmetrics_view_set_aggregation_explicit_buckets(
                    v,
                    bounds.as_ptr(),
                    len,
                    input.bool(),
                ),
                "set_aggregation_explicit_buckets",
            )
        }
        10 => {
            let (size, scale) = (input.u32(), input.u32() as i32);
            (
                otelmetrics_view_set_aggregation_exponential(v, size, scale, input.bool()),
                "set_aggregation_exponential",
            )
        }
        _ => (
            otelmetrics_view_set_cardinality_limit(v, input.u64() as usize),
            "set_cardinality_limit",
        ),
    }
}

/// Records through an instrument of a kind picked by `kind`; names the
/// views refuse or values they cannot take are fine, panics are not.
unsafe fn record(session: &Session, name: &[u8], attrs: &Attributes, value: f64, kind: u8) {
    let mut values_refused = BAD_INPUT.to_vec();
    values_refused.push(OTELMETRICS_STATUS_INVALID_VALUE);
    let create_refused = [BAD_INPUT, &[OTELMETRICS_STATUS_INVALID_NAME]].concat();
    let (n, empty) = (view(name), view(b""));
    match kind % 3 {
        0 => {
            let mut h = null_mut();
            if check::status(
                otelmetrics_meter_create_counter_f64(session.meter, n, empty, empty, &mut h),
                &create_refused,
                "create_counter_f64",
            ) {
                check::status(
                    otelmetrics_counter_f64_add(h, value, attrs.ptr(), attrs.len()),
                    &values_refused,
                    "counter add",
                );
                otelmetrics_counter_f64_free(h);
            }
        }
        1 => {
            let mut h = null_mut();
            let made = otelmetrics_meter_create_histogram_f64(
                session.meter,
                n,
                empty,
                empty,
                std::ptr::null(),
                0,
                &mut h,
            );
            if check::status(made, &create_refused, "create_histogram_f64") {
                check::status(
                    otelmetrics_histogram_f64_record(h, value, attrs.ptr(), attrs.len()),
                    &values_refused,
                    "histogram record",
                );
                otelmetrics_histogram_f64_free(h);
            }
        }
        _ => {
            let mut h = null_mut();
            if check::status(
                otelmetrics_meter_create_gauge_f64(session.meter, n, empty, empty, &mut h),
                &create_refused,
                "create_gauge_f64",
            ) {
                check::status(
                    otelmetrics_gauge_f64_record(h, value, attrs.ptr(), attrs.len()),
                    &values_refused,
                    "gauge record",
                );
                otelmetrics_gauge_f64_free(h);
            }
        }
    }
}

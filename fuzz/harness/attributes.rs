//! Attributes of every type (and invalid tags) through a per-call add, a
//! pre-built set, a bound handle and a histogram record. A set and a
//! per-call add must agree on what is valid, and what was accepted must be
//! counted exactly once per call.

use super::check::{self, BAD_INPUT};
use super::input::Input;
use super::session::{metrics, point_value, Session};
use super::values::{view, Attributes};
use otelmetrics::ffi::attributes::*;
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::*;
use std::ptr::null_mut;

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let attrs = Attributes::read(&mut input, 8);
    let value = input.f64();
    let session = Session::in_memory();
    let mut counter = null_mut();
    let mut histogram = null_mut();
    unsafe {
        let made = otelmetrics_meter_create_counter_u64(
            session.meter,
            view(b"fuzz.counter"),
            view(b""),
            view(b""),
            &mut counter,
        );
        check::status(made, &[], "create_counter_u64");
        let made = otelmetrics_meter_create_histogram_f64(
            session.meter,
            view(b"fuzz.histogram"),
            view(b""),
            view(b""),
            std::ptr::null(),
            0,
            &mut histogram,
        );
        check::status(made, &[], "create_histogram_f64");

        let added = check::status(
            otelmetrics_counter_u64_add(counter, 1, attrs.ptr(), attrs.len()),
            BAD_INPUT,
            "counter add",
        );
        let mut set = null_mut();
        let built = check::status(
            otelmetrics_attributes_new(attrs.ptr(), attrs.len(), &mut set),
            BAD_INPUT,
            "attributes_new",
        );
        assert_eq!(added, built, "a set and a per-call add must accept the same attributes");
        let mut expected = u64::from(added);
        if built {
            check::status(
                otelmetrics_counter_u64_add_with_set(counter, 2, set),
                &[],
                "add_with_set",
            );
            let mut bound = null_mut();
            check::status(otelmetrics_counter_u64_bind(counter, set, &mut bound), &[], "bind");
            check::status(otelmetrics_bound_counter_u64_add(bound, 4), &[], "bound add");
            otelmetrics_bound_counter_u64_free(bound);
            otelmetrics_attributes_free(set);
            expected += 6;
        }
        let recorded = otelmetrics_histogram_f64_record(histogram, value, attrs.ptr(), attrs.len());
        let mut allowed = BAD_INPUT.to_vec();
        allowed.push(OTELMETRICS_STATUS_INVALID_VALUE);
        let recorded = check::status(recorded, &allowed, "histogram record");
        assert!(
            recorded || !added || !value.is_finite(),
            "a finite value with valid attributes is recorded"
        );
        assert_total(&session, expected);
        otelmetrics_counter_u64_free(counter);
        otelmetrics_histogram_f64_free(histogram);
    }
}

/// The counter's points add up to what was accepted (all calls used the
/// same attributes, so they land in one series).
fn assert_total(session: &Session, expected: u64) {
    let json = session.read_json();
    let points: Vec<f64> = metrics(&json)
        .into_iter()
        .filter(|(_, m)| m["name"] == "fuzz.counter")
        .flat_map(|(_, m)| m["sum"]["dataPoints"].as_array().cloned().unwrap_or_default())
        .map(|p| point_value(&p).expect("a number point"))
        .collect();
    assert!(points.len() <= 1, "one attribute set made {} series", points.len());
    assert_eq!(points.iter().sum::<f64>() as u64, expected, "counted once per accepted call");
}

//! Instrument names, descriptions, units and histogram boundaries. An
//! instrument that was created and recorded to shows up under exactly the
//! name, description and unit it was given.

use super::check::{self, NAME_ERRORS};
use super::input::Input;
use super::session::{metrics, Session};
use super::values::{numbers, view};
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::observables::*;
use otelmetrics::ffi::observables_api::*;
use otelmetrics::ffi::*;
use std::ffi::c_void;
use std::ptr::null_mut;

/// Unsigned measurements beyond i64::MAX are refused (OTLP carries int64).
const BEYOND_I64: &[otelmetrics_status] = &[OTELMETRICS_STATUS_INVALID_VALUE];

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let (name, description, unit) = (input.bytes(), input.bytes(), input.bytes());
    let kind = input.u8();
    let (boundaries, boundary_len) = numbers(&mut input, 12, |i| i.f64());
    let value = input.f64();
    let session = Session::in_memory();
    let (n, d, u) = (view(&name), view(&description), view(&unit));
    let created_and_recorded = unsafe {
        match kind % 7 {
            0 => {
                let mut h = null_mut();
                let ok = check::status(
                    otelmetrics_meter_create_counter_u64(session.meter, n, d, u, &mut h),
                    NAME_ERRORS,
                    "create_counter_u64",
                );
                let added = otelmetrics_counter_u64_add(h, value.to_bits(), std::ptr::null(), 0);
                let rec = ok && check::status(added, BEYOND_I64, "add");
                otelmetrics_counter_u64_free(h);
                rec
            }
            1 => {
                let mut h = null_mut();
                let ok = check::status(
                    otelmetrics_meter_create_counter_f64(session.meter, n, d, u, &mut h),
                    NAME_ERRORS,
                    "create_counter_f64",
                );
                let rec = ok
                    && check::status(
                        otelmetrics_counter_f64_add(h, value, std::ptr::null(), 0),
                        &[OTELMETRICS_STATUS_INVALID_VALUE],
                        "add",
                    );
                otelmetrics_counter_f64_free(h);
                rec
            }
            2 => {
                let mut h = null_mut();
                let ok = check::status(
                    otelmetrics_meter_create_up_down_counter_i64(session.meter, n, d, u, &mut h),
                    NAME_ERRORS,
                    "create_up_down_counter_i64",
                );
                let rec = ok
                    && check::status(
                        otelmetrics_up_down_counter_i64_add(
                            h,
                            value.to_bits() as i64,
                            std::ptr::null(),
                            0,
                        ),
                        &[],
                        "add",
                    );
                otelmetrics_up_down_counter_i64_free(h);
                rec
            }
            3 => {
                let mut h = null_mut();
                let made = otelmetrics_meter_create_histogram_f64(
                    session.meter,
                    n,
                    d,
                    u,
                    boundaries.as_ptr(),
                    boundary_len,
                    &mut h,
                );
                let ok = check::status(made, NAME_ERRORS, "create_histogram_f64");
                let rec = ok
                    && check::status(
                        otelmetrics_histogram_f64_record(h, value, std::ptr::null(), 0),
                        &[OTELMETRICS_STATUS_INVALID_VALUE],
                        "record",
                    );
                otelmetrics_histogram_f64_free(h);
                rec
            }
            4 => {
                let mut h = null_mut();
                let made = otelmetrics_meter_create_histogram_u64(
                    session.meter,
                    n,
                    d,
                    u,
                    boundaries.as_ptr(),
                    boundary_len,
                    &mut h,
                );
                let ok = check::status(made, NAME_ERRORS, "create_histogram_u64");
                let recorded =
                    otelmetrics_histogram_u64_record(h, value.to_bits(), std::ptr::null(), 0);
                let rec = ok && check::status(recorded, BEYOND_I64, "record");
                otelmetrics_histogram_u64_free(h);
                rec
            }
            5 => {
                let mut h = null_mut();
                let ok = check::status(
                    otelmetrics_meter_create_gauge_f64(session.meter, n, d, u, &mut h),
                    NAME_ERRORS,
                    "create_gauge_f64",
                );
                let rec = ok
                    && check::status(
                        otelmetrics_gauge_f64_record(h, value, std::ptr::null(), 0),
                        &[OTELMETRICS_STATUS_INVALID_VALUE],
                        "record",
                    );
                otelmetrics_gauge_f64_free(h);
                rec
            }
            _ => {
                // The callback observes `value` when the snapshot is read;
                // the instrument stays alive until then.
                let mut h = null_mut();
                let user_data = &value as *const f64 as *mut c_void;
                let made = otelmetrics_meter_create_observable_gauge_f64(
                    session.meter,
                    n,
                    d,
                    u,
                    Some(observe_value),
                    user_data,
                    None,
                    &mut h,
                );
                let ok = check::status(made, NAME_ERRORS, "create_observable_gauge_f64");
                if ok && value.is_finite() {
                    assert_reads_back(&session, &name, &description, &unit);
                }
                otelmetrics_observable_gauge_f64_free(h);
                false
            }
        }
    };
    if created_and_recorded {
        assert_reads_back(&session, &name, &description, &unit);
    }
}

unsafe extern "C-unwind" fn observe_value(
    observer: *mut otelmetrics_observer,
    user_data: *mut c_void,
) {
    let value = *(user_data as *const f64);
    let observed = otelmetrics_observer_observe_f64(observer, value, std::ptr::null(), 0);
    check::status(observed, &[OTELMETRICS_STATUS_INVALID_VALUE], "observe_f64");
}

/// The instrument shows up under exactly the name, description and unit
/// it was created with.
fn assert_reads_back(session: &Session, name: &[u8], description: &[u8], unit: &[u8]) {
    let json = session.read_json();
    let found = metrics(&json);
    let name = std::str::from_utf8(name).expect("an accepted name is UTF-8");
    let metric = found.iter().map(|(_, m)| m).find(|m| m["name"] == name);
    let metric = metric
        .unwrap_or_else(|| panic!("instrument {name:?} recorded but not in the snapshot: {json}"));
    let text = |field: &str| metric.get(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    assert_eq!(text("description").as_bytes(), description, "description kept as given");
    assert_eq!(text("unit").as_bytes(), unit, "unit kept as given");
}

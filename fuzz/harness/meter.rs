//! Meter names, versions, schema URLs and scope attributes. A meter that
//! was accepted reports its data under exactly that scope.

use super::check::{self, NAME_ERRORS};
use super::input::Input;
use super::session::{metrics, point_value, Session};
use super::values::{view, Attributes};
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::provider::*;
use std::ptr::null_mut;

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let (name, version, schema_url) = (input.bytes(), input.bytes(), input.bytes());
    let scope_attributes = Attributes::read(&mut input, 6);
    let session = Session::in_memory();
    let mut meter = null_mut();
    let got = unsafe {
        otelmetrics_provider_get_meter(
            session.provider,
            view(&name),
            view(&version),
            view(&schema_url),
            scope_attributes.ptr(),
            scope_attributes.len(),
            &mut meter,
        )
    };
    if !check::status(got, NAME_ERRORS, "get_meter") {
        return;
    }
    let mut counter = null_mut();
    unsafe {
        let made = otelmetrics_meter_create_counter_u64(
            meter,
            view(b"fuzz.scoped"),
            view(b""),
            view(b""),
            &mut counter,
        );
        check::status(made, &[], "create_counter_u64 on an accepted meter");
        check::status(otelmetrics_counter_u64_add(counter, 5, std::ptr::null(), 0), &[], "add");
        otelmetrics_counter_u64_free(counter);
        otelmetrics_meter_free(meter);
    }
    let json = session.read_json();
    let name = std::str::from_utf8(&name).expect("an accepted meter name is UTF-8");
    let (scope, metric) = metrics(&json)
        .into_iter()
        .find(|(_, m)| m["name"] == "fuzz.scoped")
        .unwrap_or_else(|| panic!("the counter of meter {name:?} is missing: {json}"));
    assert_eq!(scope["name"], name, "the scope keeps the meter's name");
    let version = String::from_utf8_lossy(&version);
    assert_eq!(
        scope.get("version").and_then(|v| v.as_str()).unwrap_or(""),
        version,
        "the scope keeps the version"
    );
    let total: f64 =
        metric["sum"]["dataPoints"].as_array().into_iter().flatten().filter_map(point_value).sum();
    assert_eq!(total, 5.0);
}

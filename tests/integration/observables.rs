//! Observable instruments through the C surface: callbacks reporting many
//! attribute sets, multi-instrument callbacks, unregistering, destructors
//! that run exactly once, and reentrant calls refused instead of deadlocking.

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use crate::common::{in_memory_provider, s, snapshot};
use otelmetrics::ffi::instruments_api::otelmetrics_meter_create_counter_u64;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::observables::*;
use otelmetrics::ffi::observables_api::*;
use otelmetrics::ffi::provider::*;
use otelmetrics::ffi::*;
use serde_json::Value;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicUsize, Ordering};

fn attr(key: &'static str, value: &'static str) -> otelmetrics_attribute {
    otelmetrics_attribute {
        key: s(key),
        value_type: OTELMETRICS_VALUE_STRING,
        value: otelmetrics_value { string: s(value) },
    }
}

unsafe fn provider_and_meter() -> (*mut otelmetrics_provider, *mut otelmetrics_meter) {
    in_memory_provider(|_| {})
}

fn points(snapshot: &Value, name: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for sm in snapshot["resourceMetrics"][0]["scopeMetrics"].as_array().into_iter().flatten() {
        for m in sm["metrics"].as_array().unwrap().iter().filter(|m| m["name"] == name) {
            let data = m.get("gauge").or(m.get("sum")).unwrap();
            for p in data["dataPoints"].as_array().unwrap() {
                let label = p["attributes"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|kv| kv["value"]["stringValue"].as_str().unwrap().to_owned())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                let v = p.get("asDouble").and_then(Value::as_f64).unwrap_or_else(|| {
                    match &p["asInt"] {
                        Value::String(s) => s.parse().unwrap(),
                        other => other.as_f64().unwrap(),
                    }
                });
                out.push((label, v));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

static QUEUE_CALLS: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C-unwind" fn queues(observer: *mut otelmetrics_observer, _user: *mut c_void) {
    QUEUE_CALLS.fetch_add(1, Ordering::SeqCst);
    let a = [attr("queue", "a")];
    let b = [attr("queue", "b")];
    assert_eq!(otelmetrics_observer_observe_i64(observer, 3, a.as_ptr(), 1), 0);
    assert_eq!(otelmetrics_observer_observe_i64(observer, -2, b.as_ptr(), 1), 0);
    // The wrong value type is refused, not converted.
    assert_eq!(
        otelmetrics_observer_observe_f64(observer, 1.0, a.as_ptr(), 1),
        OTELMETRICS_STATUS_INVALID_ARGUMENT
    );
}

unsafe extern "C-unwind" fn count_free(_user: *mut c_void) {
    FREED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_callback_reports_many_attribute_sets_and_its_destructor_runs_once() {
    unsafe {
        let (p, m) = provider_and_meter();
        let mut q = null_mut();
        let status = otelmetrics_meter_create_observable_up_down_counter_i64(
            m,
            s("queue.length"),
            s(""),
            s("{item}"),
            Some(queues),
            null_mut(),
            Some(count_free),
            &mut q,
        );
        assert_eq!(status, 0);
        let snap = snapshot(p);
        assert_eq!(points(&snap, "queue.length"), vec![("a".into(), 3.0), ("b".into(), -2.0)]);
        assert_eq!(QUEUE_CALLS.load(Ordering::SeqCst), 1);
        otelmetrics_observable_up_down_counter_i64_free(q);
        assert_eq!(FREED.load(Ordering::SeqCst), 1, "destructor runs when the instrument is freed");
        let _ = snapshot(p);
        assert_eq!(
            QUEUE_CALLS.load(Ordering::SeqCst),
            1,
            "an unregistered callback is not called again"
        );
        assert_eq!(FREED.load(Ordering::SeqCst), 1, "and its destructor never runs twice");
        otelmetrics_meter_free(m);
        otelmetrics_provider_shutdown(p, 1000);
        otelmetrics_provider_free(p);
    }
}

struct Pair {
    temperature: *mut otelmetrics_observable_gauge_f64,
    reads: *mut otelmetrics_observable_counter_u64,
    calls: AtomicUsize,
}

unsafe extern "C-unwind" fn both(observer: *mut otelmetrics_observer, user: *mut c_void) {
    let pair = &*(user as *const Pair);
    pair.calls.fetch_add(1, Ordering::SeqCst);
    let room = [attr("room", "kitchen")];
    assert_eq!(
        otelmetrics_observer_observe_f64_for(
            observer,
            pair.temperature as *const c_void,
            21.5,
            room.as_ptr(),
            1
        ),
        0
    );
    assert_eq!(
        otelmetrics_observer_observe_u64_for(
            observer,
            pair.reads as *const c_void,
            7,
            std::ptr::null(),
            0
        ),
        0
    );
    // Without naming the instrument, a multi-instrument observation is refused.
    assert_eq!(
        otelmetrics_observer_observe_u64(observer, 1, std::ptr::null(), 0),
        OTELMETRICS_STATUS_INVALID_ARGUMENT
    );
}

#[test]
fn one_callback_reports_for_several_instruments_once_per_collection() {
    unsafe {
        let (p, m) = provider_and_meter();
        let mut pair = Box::new(Pair {
            temperature: null_mut(),
            reads: null_mut(),
            calls: AtomicUsize::new(0),
        });
        assert_eq!(
            otelmetrics_meter_create_observable_gauge_f64(
                m,
                s("temperature"),
                s(""),
                s("Cel"),
                None,
                null_mut(),
                None,
                &mut pair.temperature
            ),
            0
        );
        assert_eq!(
            otelmetrics_meter_create_observable_counter_u64(
                m,
                s("sensor.reads"),
                s(""),
                s(""),
                None,
                null_mut(),
                None,
                &mut pair.reads
            ),
            0
        );
        let list = [pair.temperature as *const c_void, pair.reads as *const c_void];
        let mut reg = null_mut();
        let user = &*pair as *const Pair as *mut c_void;
        assert_eq!(
            otelmetrics_meter_register_callback(
                m,
                list.as_ptr(),
                2,
                Some(both),
                user,
                None,
                &mut reg
            ),
            0
        );

        let snap = snapshot(p);
        assert_eq!(points(&snap, "temperature"), vec![("kitchen".into(), 21.5)]);
        assert_eq!(points(&snap, "sensor.reads"), vec![(String::new(), 7.0)]);
        assert_eq!(pair.calls.load(Ordering::SeqCst), 1, "one run serves both instruments");
        let _ = snapshot(p);
        assert_eq!(
            pair.calls.load(Ordering::SeqCst),
            2,
            "and it runs again on the next collection"
        );

        assert_eq!(otelmetrics_callback_registration_unregister(reg), 0);
        let _ = snapshot(p);
        assert_eq!(pair.calls.load(Ordering::SeqCst), 2, "not after unregistering");
        otelmetrics_callback_registration_free(reg);
        otelmetrics_observable_gauge_f64_free(pair.temperature);
        otelmetrics_observable_counter_u64_free(pair.reads);
        otelmetrics_meter_free(m);
        otelmetrics_provider_shutdown(p, 1000);
        otelmetrics_provider_free(p);
    }
}

struct Reentry {
    provider: *mut otelmetrics_provider,
    meter: *mut otelmetrics_meter,
    statuses: std::sync::Mutex<Vec<u32>>,
}

unsafe extern "C-unwind" fn call_back_in(observer: *mut otelmetrics_observer, user: *mut c_void) {
    let r = &*(user as *const Reentry);
    let mut out = null_mut();
    let mut st = r.statuses.lock().unwrap();
    st.push(otelmetrics_meter_create_counter_u64(r.meter, s("inner"), s(""), s(""), &mut out));
    st.push(otelmetrics_provider_force_flush(r.provider, 100));
    st.push(otelmetrics_provider_shutdown(r.provider, 100));
    let mut json = null_mut();
    st.push(otelmetrics_provider_read_json(r.provider, &mut json, null_mut()));
    st.push(otelmetrics_observer_observe_u64(observer, 1, std::ptr::null(), 0));
}

#[test]
fn calling_back_into_the_library_from_a_callback_is_refused_not_deadlocked() {
    unsafe {
        let (p, m) = provider_and_meter();
        let r = Box::new(Reentry { provider: p, meter: m, statuses: Default::default() });
        let mut g = null_mut();
        let user = &*r as *const Reentry as *mut c_void;
        assert_eq!(
            otelmetrics_meter_create_observable_gauge_u64(
                m,
                s("g"),
                s(""),
                s(""),
                Some(call_back_in),
                user,
                None,
                &mut g
            ),
            0
        );
        let _ = snapshot(p);
        let r2 = OTELMETRICS_STATUS_REENTRANT_CALL;
        assert_eq!(*r.statuses.lock().unwrap(), vec![r2, r2, r2, r2, 0]);
        // The provider is still alive and usable afterwards.
        assert_eq!(otelmetrics_provider_force_flush(p, 1000), 0);
        otelmetrics_observable_gauge_u64_free(g);
        otelmetrics_meter_free(m);
        assert_eq!(otelmetrics_provider_shutdown(p, 1000), 0);
        otelmetrics_provider_free(p);
    }
}

#[test]
fn a_failed_creation_still_releases_the_user_data_once() {
    unsafe {
        static RELEASED: AtomicUsize = AtomicUsize::new(0);
        unsafe extern "C-unwind" fn release(_u: *mut c_void) {
            RELEASED.fetch_add(1, Ordering::SeqCst);
        }
        let (p, m) = provider_and_meter();
        let mut g = null_mut();
        let st = otelmetrics_meter_create_observable_gauge_u64(
            m,
            s("bad name"),
            s(""),
            s(""),
            Some(queues),
            null_mut(),
            Some(release),
            &mut g,
        );
        assert_eq!(st, OTELMETRICS_STATUS_INVALID_NAME);
        assert!(g.is_null(), "out is written only on success");
        assert_eq!(RELEASED.load(Ordering::SeqCst), 1);
        otelmetrics_meter_free(m);
        otelmetrics_provider_shutdown(p, 1000);
        otelmetrics_provider_free(p);
    }
}

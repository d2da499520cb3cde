//! Helpers the C-surface integration tests share: string views, attributes,
//! an in-memory provider and its OTLP-JSON snapshot.
#![allow(dead_code)]

use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::provider::*;
use otelmetrics::ffi::*;
use serde_json::Value;
use std::ptr::null_mut;

/// The calling thread's last error message, as C reads it.
pub unsafe fn last_error() -> String {
    std::ffi::CStr::from_ptr(otelmetrics::ffi::errors::otelmetrics_last_error_message(null_mut()))
        .to_str()
        .expect("the last error is UTF-8")
        .to_owned()
}

pub fn s(text: &str) -> otelmetrics_str {
    otelmetrics_str { ptr: text.as_ptr() as *const _, len: text.len() }
}

pub fn attr_str(key: &'static str, value: &str) -> otelmetrics_attribute {
    otelmetrics_attribute {
        key: s(key),
        value_type: OTELMETRICS_VALUE_STRING,
        value: otelmetrics_value { string: s(value) },
    }
}

/// A provider with only the in-memory reader, after `configure` ran on its
/// builder, and a meter "shop" version "1.2".
pub unsafe fn in_memory_provider(
    configure: impl FnOnce(*mut otelmetrics_provider_builder),
) -> (*mut otelmetrics_provider, *mut otelmetrics_meter) {
    let mut b = null_mut();
    assert_eq!(otelmetrics_provider_builder_new(&mut b), 0);
    assert_eq!(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_NONE), 0);
    assert_eq!(otelmetrics_provider_builder_enable_in_memory_reader(b), 0);
    configure(b);
    let mut p = null_mut();
    assert_eq!(otelmetrics_provider_builder_build(b, &mut p), 0);
    otelmetrics_provider_builder_free(b);
    let mut m = null_mut();
    assert_eq!(
        otelmetrics_provider_get_meter(p, s("shop"), s("1.2"), s(""), std::ptr::null(), 0, &mut m),
        0
    );
    (p, m)
}

/// What the provider holds now, parsed.
pub unsafe fn snapshot(p: *mut otelmetrics_provider) -> Value {
    let mut json = null_mut();
    assert_eq!(otelmetrics_provider_read_json(p, &mut json, null_mut()), 0);
    let v = serde_json::from_str(std::ffi::CStr::from_ptr(json).to_str().unwrap()).unwrap();
    otelmetrics_string_free(json);
    v
}

/// Every metric of the snapshot, across scopes.
pub fn metrics(snapshot: &Value) -> Vec<Value> {
    snapshot["resourceMetrics"][0]["scopeMetrics"]
        .as_array()
        .map(|a| a.iter().flat_map(|s| s["metrics"].as_array().unwrap().clone()).collect())
        .unwrap_or_default()
}

pub unsafe fn close(p: *mut otelmetrics_provider, m: *mut otelmetrics_meter) {
    otelmetrics_meter_free(m);
    otelmetrics_provider_shutdown(p, 1000);
    otelmetrics_provider_free(p);
}

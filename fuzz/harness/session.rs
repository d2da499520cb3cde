//! A provider that keeps its data in memory (no exporter, nothing on the
//! network), a meter on it, and its contents read back as OTLP JSON.

use super::check;
use super::values::view;
use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::meter::*;
use otelmetrics::ffi::provider::*;
use otelmetrics::ffi::*;
use std::ptr::null_mut;

pub struct Session {
    pub provider: *mut otelmetrics_provider,
    pub meter: *mut otelmetrics_meter,
    /// Statuses other than OK that the shutdown in `drop` may return (for a
    /// provider that exports to an endpoint that cannot take it).
    pub shutdown_may_fail_with: &'static [otelmetrics_status],
}

/// A builder set up for an in-memory provider; the caller may add more
/// (views) before `Session::build`.
pub fn in_memory_builder() -> *mut otelmetrics_provider_builder {
    let mut builder = null_mut();
    unsafe {
        check::status(otelmetrics_provider_builder_new(&mut builder), &[], "builder_new");
        check::status(
            otelmetrics_provider_builder_add_exporter(builder, OTELMETRICS_EXPORTER_NONE),
            &[],
            "add_exporter(NONE)",
        );
        check::status(
            otelmetrics_provider_builder_enable_in_memory_reader(builder),
            &[],
            "enable_in_memory_reader",
        );
    }
    builder
}

impl Session {
    pub fn in_memory() -> Session {
        Self::build(in_memory_builder(), &[]).expect("a plain in-memory provider always builds")
    }

    /// Builds from `builder` (freed here); `None` when the build was refused
    /// with one of `allowed`.
    pub fn build(
        builder: *mut otelmetrics_provider_builder,
        allowed: &[otelmetrics_status],
    ) -> Option<Session> {
        let mut provider = null_mut();
        let built = unsafe { otelmetrics_provider_builder_build(builder, &mut provider) };
        unsafe { otelmetrics_provider_builder_free(builder) };
        if !check::status(built, allowed, "builder_build") {
            return None;
        }
        let mut meter = null_mut();
        let got = unsafe {
            otelmetrics_provider_get_meter(
                provider,
                view(b"fuzz"),
                view(b""),
                view(b""),
                std::ptr::null(),
                0,
                &mut meter,
            )
        };
        check::status(got, &[], "get_meter(fuzz)");
        Some(Session { provider, meter, shutdown_may_fail_with: &[] })
    }

    /// What the provider holds, as parsed OTLP JSON.
    pub fn read_json(&self) -> serde_json::Value {
        let mut json = null_mut();
        let mut len = 0usize;
        check::status(
            unsafe { otelmetrics_provider_read_json(self.provider, &mut json, &mut len) },
            &[],
            "read_json",
        );
        let bytes = unsafe { std::slice::from_raw_parts(json.cast::<u8>(), len) }.to_vec();
        unsafe { otelmetrics_string_free(json) };
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("read_json is not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        unsafe {
            otelmetrics_meter_free(self.meter);
            check::status(
                otelmetrics_provider_shutdown(self.provider, 5000),
                self.shutdown_may_fail_with,
                "shutdown",
            );
            otelmetrics_provider_free(self.provider);
        }
    }
}

/// Every metric in an OTLP JSON document, with its scope.
pub fn metrics(json: &serde_json::Value) -> Vec<(&serde_json::Value, &serde_json::Value)> {
    let mut out = Vec::new();
    for rm in json["resourceMetrics"].as_array().into_iter().flatten() {
        for sm in rm["scopeMetrics"].as_array().into_iter().flatten() {
            for m in sm["metrics"].as_array().into_iter().flatten() {
                out.push((&sm["scope"], m));
            }
        }
    }
    out
}

/// A number data point's value (`asInt` is a string in OTLP JSON).
pub fn point_value(point: &serde_json::Value) -> Option<f64> {
    match (&point["asInt"], &point["asDouble"]) {
        (serde_json::Value::String(s), _) => s.parse().ok(),
        (serde_json::Value::Number(n), _) => n.as_f64(),
        (_, serde_json::Value::Number(n)) => n.as_f64(),
        _ => None,
    }
}

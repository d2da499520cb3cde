//! Configuration through the builder's setters: any sequence of them with
//! arbitrary strings and numbers, then a build and one instrument. A built
//! provider is shut down and freed; nothing is recorded, so nothing is ever
//! exported and the fuzzed endpoints are never contacted. The one exception
//! is self-metrics, which report (an in-flight count of 0) with nothing
//! recorded: a provider built with them on exports at shutdown, so it gets
//! an endpoint nothing listens on and a 1 ms export deadline instead.
//!
//! Kept away from the outside world on purpose: file paths get a prefix
//! that does not exist (so certificates are never read and console output
//! never written; the kernel refuses `..` below a missing directory), and the
//! Prometheus exporter is never chosen (it would listen on a socket); its
//! endpoint setter is still fuzzed.

use super::check;
use super::input::Input;
use super::session::Session;
use super::values::{view, Attributes};
use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::*;
use std::ptr::null_mut;

/// A directory that does not exist: every path below it fails to open.
pub const NO_DIR: &[u8] = b"/nonexistent-otelmetrics-fuzz/";

const SETTER_ERRORS: &[otelmetrics_status] = &[
    OTELMETRICS_STATUS_NULL_POINTER,
    OTELMETRICS_STATUS_INVALID_UTF8,
    OTELMETRICS_STATUS_INVALID_ARGUMENT,
    OTELMETRICS_STATUS_INVALID_CONFIG,
];

/// A path below NO_DIR.
pub fn confined_path(input: &mut Input) -> Vec<u8> {
    [NO_DIR, &input.bytes()].concat()
}

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mut builder = null_mut();
    check::status(unsafe { otelmetrics_provider_builder_new(&mut builder) }, &[], "builder_new");
    let mut self_metrics = false;
    for _ in 0..24 {
        if input.is_empty() {
            break;
        }
        let (status, call) = unsafe { apply_one(builder, &mut input, &mut self_metrics) };
        check::status(status, SETTER_ERRORS, call);
    }
    if self_metrics {
        unsafe { export_nowhere(builder) };
    }
    let allowed = [OTELMETRICS_STATUS_INVALID_CONFIG, OTELMETRICS_STATUS_INVALID_ARGUMENT];
    if let Some(mut session) = Session::build(builder, &allowed) {
        if self_metrics {
            // The export at shutdown fails (refused) or outlives 1 ms.
            session.shutdown_may_fail_with =
                &[OTELMETRICS_STATUS_EXPORT_FAILED, OTELMETRICS_STATUS_TIMEOUT];
        }
        // An instrument sizes its storage from the configuration (the
        // cardinality limit). Nothing is recorded: an empty collection is
        // never exported, so the endpoint is still never contacted.
        let mut counter = null_mut();
        let made = unsafe {
            otelmetrics_meter_create_counter_u64(
                session.meter,
                view(b"fuzz.unused"),
                view(b""),
                view(b""),
                &mut counter,
            )
        };
        check::status(made, &[], "create_counter_u64 on a built provider");
        unsafe { otelmetrics_counter_u64_free(counter) };
    }
}

/// An OTLP endpoint on a port nothing listens on (connections are refused
/// at once, no name is resolved) and a 1 ms export deadline.
unsafe fn export_nowhere(b: *mut otelmetrics_provider_builder) {
    check::status(
        otelmetrics_provider_builder_set_otlp_endpoint(b, view(b"http://127.0.0.1:1")),
        &[],
        "set_otlp_endpoint(nowhere)",
    );
    check::status(
        otelmetrics_provider_builder_set_export_timeout_ms(b, 1),
        &[],
        "set_export_timeout_ms(1)",
    );
}

unsafe fn apply_one(
    b: *mut otelmetrics_provider_builder,
    input: &mut Input,
    self_metrics: &mut bool,
) -> (otelmetrics_status, &'static str) {
    match input.u8() % 23 {
        0 => (
            otelmetrics_provider_builder_set_service_name(b, view(&input.bytes())),
            "set_service_name",
        ),
        1 => {
            let attrs = Attributes::read(input, 6);
            (
                otelmetrics_provider_builder_add_resource_attributes(b, attrs.ptr(), attrs.len()),
                "add_resource_attributes",
            )
        }
        2 => {
            let exporter = match input.u32() {
                OTELMETRICS_EXPORTER_PROMETHEUS => 0,
                e => e,
            };
            (otelmetrics_provider_builder_add_exporter(b, exporter), "add_exporter")
        }
        3 => (
            otelmetrics_provider_builder_set_otlp_endpoint(b, view(&input.bytes())),
            "set_otlp_endpoint",
        ),
        4 => (
            otelmetrics_provider_builder_set_otlp_protocol(b, input.u32() % 5),
            "set_otlp_protocol",
        ),
        5 => {
            let (name, value) = (input.bytes(), input.bytes());
            (
                otelmetrics_provider_builder_add_otlp_header(b, view(&name), view(&value)),
                "add_otlp_header",
            )
        }
        6 => (
            otelmetrics_provider_builder_set_otlp_timeout_ms(b, input.u64()),
            "set_otlp_timeout_ms",
        ),
        7 => (
            otelmetrics_provider_builder_set_otlp_compression(b, input.u32() % 5),
            "set_otlp_compression",
        ),
        8 => (
            otelmetrics_provider_builder_set_otlp_certificate_file(b, view(&confined_path(input))),
            "set_otlp_certificate_file",
        ),
        9 => (
            otelmetrics_provider_builder_set_otlp_client_certificate_file(
                b,
                view(&confined_path(input)),
            ),
            "set_otlp_client_certificate_file",
        ),
        10 => (
            otelmetrics_provider_builder_set_otlp_client_key_file(b, view(&confined_path(input))),
            "set_otlp_client_key_file",
        ),
        11 => {
            (otelmetrics_provider_builder_set_otlp_insecure(b, input.bool()), "set_otlp_insecure")
        }
        12 => (
            otelmetrics_provider_builder_set_console_format(b, input.u32() % 4),
            "set_console_format",
        ),
        13 => (
            otelmetrics_provider_builder_set_console_path(b, view(&confined_path(input))),
            "set_console_path",
        ),
        14 => {
            let host = input.bytes();
            (
                otelmetrics_provider_builder_set_prometheus_endpoint(
                    b,
                    view(&host),
                    input.u32() as u16,
                ),
                "set_prometheus_endpoint",
            )
        }
        15 => (
            otelmetrics_provider_builder_set_export_interval_ms(b, input.u64()),
            "set_export_interval_ms",
        ),
        16 => (
            otelmetrics_provider_builder_set_export_timeout_ms(b, input.u64()),
            "set_export_timeout_ms",
        ),
        17 => (otelmetrics_provider_builder_set_temporality(b, input.u32() % 5), "set_temporality"),
        18 => (
            otelmetrics_provider_builder_set_cardinality_limit(b, input.u64() as usize),
            "set_cardinality_limit",
        ),
        19 => (
            otelmetrics_provider_builder_set_otlp_max_request_bytes(b, input.u64() as usize),
            "set_otlp_max_request_bytes",
        ),
        20 => (
            otelmetrics_provider_builder_set_max_export_batch_size(b, input.u64() as usize),
            "set_max_export_batch_size",
        ),
        21 => {
            let on = input.bool();
            let status = otelmetrics_provider_builder_set_self_metrics(b, on);
            if status == OTELMETRICS_STATUS_OK {
                *self_metrics = on;
            }
            (status, "set_self_metrics")
        }
        _ => (otelmetrics_provider_builder_enable_in_memory_reader(b), "enable_in_memory_reader"),
    }
}

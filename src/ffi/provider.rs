//! `otelmetrics_provider_*`: meters, flush, shutdown, the in-memory
//! snapshot. A provider may be shared between threads.

use super::attributes::{buffer_out, convert, opt_str_arg, str_arg};
use super::handle::{handle, Handle};
use super::meter::otelmetrics_meter;
use super::*;
use crate::error::Result;
use crate::provider::{MeterScope, Provider};
use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

/// A meter provider: owns the aggregation, the readers and the export
/// thread. Thread-safe. Shut it down before freeing it to export the last
/// data; freeing a live provider shuts it down in the background.
pub struct otelmetrics_provider {
    _private: [u8; 0],
}
handle!(otelmetrics_provider, Arc<Provider>, 0x02);

unsafe fn with_provider(
    p: *const otelmetrics_provider,
    f: impl FnOnce(&Arc<Provider>) -> Result<()>,
) -> otelmetrics_status {
    guard(|| f(otelmetrics_provider::borrow(p)?))
}

/// Gets a meter for an instrumentation scope. `name` is required;
/// `version` and `schema_url` may be empty; `attributes` (may be NULL when
/// `count` is 0) are the scope's attributes. The meter stays valid after the
/// provider is freed (its calls then report SHUTDOWN); free it with
/// `otelmetrics_meter_free`.
///
/// Returns OK, NULL_POINTER, WRONG_HANDLE, INVALID_UTF8, INVALID_NAME (empty
/// name), INVALID_ARGUMENT (bad attribute) or SHUTDOWN.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_get_meter(
    provider: *const otelmetrics_provider,
    name: otelmetrics_str,
    version: otelmetrics_str,
    schema_url: otelmetrics_str,
    attributes: *const otelmetrics_attribute,
    count: usize,
    out: *mut *mut otelmetrics_meter,
) -> otelmetrics_status {
    with_provider(provider, |p| {
        check_out(out, "out")?;
        let scope = MeterScope {
            name: str_arg(name, "meter name")?.to_owned(),
            version: opt_str_arg(version, "meter version")?,
            schema_url: opt_str_arg(schema_url, "schema URL")?,
            attributes: convert(attributes, count)?,
            disabled: false,
        };
        let meter = p.meter(&scope)?;
        write_out(out, otelmetrics_meter::into_raw(meter));
        Ok(())
    })
}

/// Collects and exports everything recorded so far, returning within
/// `timeout_ms` whatever the collector does (a slow export goes on in the
/// background, bounded by the export timeout).
///
/// Returns OK, TIMEOUT, EXPORT_FAILED (the message says why), SHUTDOWN,
/// NULL_POINTER or WRONG_HANDLE. Do not call from an observable callback.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_force_flush(
    provider: *const otelmetrics_provider,
    timeout_ms: u64,
) -> otelmetrics_status {
    with_provider(provider, |p| p.force_flush(Duration::from_millis(timeout_ms)))
}

/// Exports what is left and stops the export thread, returning within
/// `timeout_ms` even when the collector is down or hangs. Afterwards every
/// call on this provider, its meters and instruments returns SHUTDOWN. A
/// second shutdown returns SHUTDOWN once the first is done; while the first
/// still finishes in the background, it waits for it again up to its own
/// timeout.
///
/// Returns OK, TIMEOUT, EXPORT_FAILED (shut down, but the last export
/// failed), SHUTDOWN, NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_shutdown(
    provider: *const otelmetrics_provider,
    timeout_ms: u64,
) -> otelmetrics_status {
    with_provider(provider, |p| p.shutdown(Duration::from_millis(timeout_ms)))
}

/// Reads what the provider holds right now, through its in-memory reader
/// (see `otelmetrics_provider_builder_enable_in_memory_reader`), as one
/// OTLP-JSON `ExportMetricsServiceRequest` (cumulative). Observable
/// callbacks run on the calling thread.
///
/// On success `*out_json` is a NUL-terminated UTF-8 string the caller frees
/// with `otelmetrics_string_free`, and `*out_len` (if not NULL) its length.
/// Returns OK, INVALID_ARGUMENT (no in-memory reader), SHUTDOWN,
/// NULL_POINTER or WRONG_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_read_json(
    provider: *const otelmetrics_provider,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> otelmetrics_status {
    with_provider(provider, |p| {
        check_out(out_json, "out_json")?;
        let json = crate::instruments::observable::collect_on_callers_thread(|| p.snapshot_json())?;
        let len = json.len();
        let c = std::ffi::CString::new(json)
            .map_err(|_| crate::error::Error::argument("snapshot holds a NUL byte"))?;
        write_out(out_json, c.into_raw());
        if !out_len.is_null() {
            write_out(out_len, len);
        }
        Ok(())
    })
}

/// The port the provider's Prometheus endpoint listens on (useful after
/// asking for port 0); with several pull readers, the first one's (see
/// `otelmetrics_provider_prometheus_ports` for every one). Returns OK,
/// NULL_POINTER, WRONG_HANDLE, or INVALID_ARGUMENT when the provider has no
/// Prometheus endpoint (also once it is shut down).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_prometheus_port(
    provider: *const otelmetrics_provider,
    out_port: *mut u16,
) -> otelmetrics_status {
    with_provider(provider, |p| {
        check_out(out_port, "out_port")?;
        let addr = p.prometheus_addresses().into_iter().next().ok_or_else(|| {
            crate::error::Error::argument(
                "this provider has no Prometheus endpoint (add OTELMETRICS_EXPORTER_PROMETHEUS)",
            )
        })?;
        write_out(out_port, addr.port());
        Ok(())
    })
}

/// The ports every Prometheus endpoint of the provider listens on (port 0
/// resolved), one per pull reader, in the order of the readers (a
/// configuration file's `meter_provider.readers`).
///
/// `out_ports` is the caller's buffer of `capacity` ports. On success
/// `*out_count` is the number of endpoints (0 when there is none, and in a
/// forked child, which does not serve its parent's) and the first
/// `*out_count` elements of `out_ports` hold their ports. With `capacity` 0
/// only `*out_count` is written (`out_ports` may then be NULL): call once so
/// to size the buffer, then with it (the number changes only at shutdown,
/// which the second call then reports, and in a forked child, where it
/// drops to 0). A non-zero `capacity` below the number of endpoints writes
/// nothing and returns INVALID_ARGUMENT, the message giving the number.
///
/// Returns OK, NULL_POINTER (`provider` or `out_count` NULL, or `out_ports`
/// NULL with a non-zero `capacity`), WRONG_HANDLE, INVALID_ARGUMENT (too
/// small a buffer, or a `capacity` no array can have) or SHUTDOWN.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_prometheus_ports(
    provider: *const otelmetrics_provider,
    out_ports: *mut u16,
    capacity: usize,
    out_count: *mut usize,
) -> otelmetrics_status {
    with_provider(provider, |p| {
        check_out(out_count, "out_count")?;
        let buffer = buffer_out(out_ports, capacity, "the out_ports buffer")?;
        let ports = p.prometheus_ports()?;
        if capacity > 0 && ports.len() > capacity {
            return Err(crate::error::Error::argument(format!(
                "the out_ports buffer has room for {capacity} ports, but the provider has {} \
                 Prometheus endpoints; nothing was written (capacity 0 asks for the number)",
                ports.len()
            )));
        }
        for (slot, port) in buffer.iter_mut().zip(&ports) {
            slot.write(*port);
        }
        write_out(out_count, ports.len());
        Ok(())
    })
}

/// Frees a string returned by the library. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            drop(std::ffi::CString::from_raw(s));
        }
        Ok(())
    })
}

/// Frees the provider handle. A provider not shut down yet is shut down in
/// the background (its last export bounded by the export timeout; at
/// process exit the library waits for it). Meters and instruments made from
/// it stay safe to call and report SHUTDOWN. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_provider_free(provider: *mut otelmetrics_provider) {
    guard_value((), || {
        if let Ok(p) = otelmetrics_provider::borrow(provider) {
            if !p.lifecycle().is_shut_down() {
                p.shutdown_in_background();
            }
        }
        otelmetrics_provider::free(provider)
    })
}

//! Plain C types shared by every part of the API: status codes, string
//! views, attributes and the enumerations' values.

use std::ffi::{c_char, c_void};

/// A status code: 0 (`OTELMETRICS_STATUS_OK`) is success; every other value
/// is a named failure. Codes are only ever appended; treat an unknown code
/// as a generic failure.
pub type otelmetrics_status = u32;

/// Success.
pub const OTELMETRICS_STATUS_OK: otelmetrics_status = 0;
/// A required pointer argument was NULL (or a string/array with a non-zero
/// length had a NULL pointer).
pub const OTELMETRICS_STATUS_NULL_POINTER: otelmetrics_status = 1;
/// A string was not valid UTF-8.
pub const OTELMETRICS_STATUS_INVALID_UTF8: otelmetrics_status = 2;
/// An argument was out of range: an unknown enumeration value or attribute
/// type tag, unsorted histogram boundaries, a missing in-memory reader. Any
/// function taking a string or an array also returns it, before reading
/// anything, for a length no object can have: one whose size in bytes
/// exceeds `PTRDIFF_MAX` (e.g. `SIZE_MAX` from `n - 1` with `n == 0`).
pub const OTELMETRICS_STATUS_INVALID_ARGUMENT: otelmetrics_status = 3;
/// An instrument or meter name, or a unit, does not follow the spec's syntax.
pub const OTELMETRICS_STATUS_INVALID_NAME: otelmetrics_status = 4;
/// A measurement was rejected (NaN, infinite, a negative counter increment);
/// nothing was recorded.
pub const OTELMETRICS_STATUS_INVALID_VALUE: otelmetrics_status = 5;
/// The configuration (from code or environment) is invalid; the message
/// names the setting.
pub const OTELMETRICS_STATUS_INVALID_CONFIG: otelmetrics_status = 6;
/// A handle of another type (or a freed one) was passed.
pub const OTELMETRICS_STATUS_WRONG_HANDLE: otelmetrics_status = 7;
/// The provider was shut down; nothing was recorded or exported.
pub const OTELMETRICS_STATUS_SHUTDOWN: otelmetrics_status = 8;
/// The operation did not finish within its timeout (it continues in the
/// background, bounded by the export timeout).
pub const OTELMETRICS_STATUS_TIMEOUT: otelmetrics_status = 9;
/// An export failed (collector unreachable, rejected the batch, ...).
pub const OTELMETRICS_STATUS_EXPORT_FAILED: otelmetrics_status = 10;
/// Called from inside an observable callback, where this call is not
/// allowed.
pub const OTELMETRICS_STATUS_REENTRANT_CALL: otelmetrics_status = 11;
/// An internal error (a panic) was caught at the boundary; the host process
/// is unaffected. Please report it.
pub const OTELMETRICS_STATUS_PANIC: otelmetrics_status = 12;
/// Another internal failure (e.g. a thread could not be started).
pub const OTELMETRICS_STATUS_INTERNAL: otelmetrics_status = 13;

/// A borrowed UTF-8 string view: `len` bytes at `ptr`, no NUL needed. The
/// library copies what it keeps before the call returns. `{NULL, 0}` is the
/// empty string. A `len` above `PTRDIFF_MAX` is refused with
/// `OTELMETRICS_STATUS_INVALID_ARGUMENT` before anything is read.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct otelmetrics_str {
    pub ptr: *const c_char,
    pub len: usize,
}

/// A borrowed array: `len` elements at `ptr`, the element type given by the
/// attribute's `value_type`. A `len` whose size in bytes (`len` times the
/// element size) exceeds `PTRDIFF_MAX` is refused with
/// `OTELMETRICS_STATUS_INVALID_ARGUMENT` before anything is read; so is
/// every array argument of the API (attribute lists, boundaries, key
/// lists, instrument lists) with such a count.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct otelmetrics_array {
    pub ptr: *const c_void,
    pub len: usize,
}

/// An attribute value; which member is valid is given by the attribute's
/// `value_type` tag.
#[repr(C)]
#[derive(Clone, Copy)]
pub union otelmetrics_value {
    /// `OTELMETRICS_VALUE_STRING`.
    pub string: otelmetrics_str,
    /// `OTELMETRICS_VALUE_BOOL`: 0 is false, anything else true.
    pub boolean: u8,
    /// `OTELMETRICS_VALUE_INT64`.
    pub int64: i64,
    /// `OTELMETRICS_VALUE_DOUBLE`.
    pub float64: f64,
    /// The `*_ARRAY` types: elements are `otelmetrics_str`, `uint8_t`
    /// (booleans), `int64_t` or `double`.
    pub array: otelmetrics_array,
}

/// The type tag of an attribute value.
pub type otelmetrics_value_type = u32;
pub const OTELMETRICS_VALUE_STRING: otelmetrics_value_type = 1;
pub const OTELMETRICS_VALUE_BOOL: otelmetrics_value_type = 2;
pub const OTELMETRICS_VALUE_INT64: otelmetrics_value_type = 3;
pub const OTELMETRICS_VALUE_DOUBLE: otelmetrics_value_type = 4;
pub const OTELMETRICS_VALUE_STRING_ARRAY: otelmetrics_value_type = 5;
pub const OTELMETRICS_VALUE_BOOL_ARRAY: otelmetrics_value_type = 6;
pub const OTELMETRICS_VALUE_INT64_ARRAY: otelmetrics_value_type = 7;
pub const OTELMETRICS_VALUE_DOUBLE_ARRAY: otelmetrics_value_type = 8;

/// One key-value attribute. Tags outside the `OTELMETRICS_VALUE_*` range are
/// rejected with `OTELMETRICS_STATUS_INVALID_ARGUMENT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct otelmetrics_attribute {
    pub key: otelmetrics_str,
    pub value_type: otelmetrics_value_type,
    pub value: otelmetrics_value,
}

/// OTLP transport protocol.
pub type otelmetrics_protocol = u32;
pub const OTELMETRICS_PROTOCOL_GRPC: otelmetrics_protocol = 1;
pub const OTELMETRICS_PROTOCOL_HTTP_PROTOBUF: otelmetrics_protocol = 2;
pub const OTELMETRICS_PROTOCOL_HTTP_JSON: otelmetrics_protocol = 3;

/// OTLP payload compression.
pub type otelmetrics_compression = u32;
pub const OTELMETRICS_COMPRESSION_NONE: otelmetrics_compression = 1;
pub const OTELMETRICS_COMPRESSION_GZIP: otelmetrics_compression = 2;
pub const OTELMETRICS_COMPRESSION_ZSTD: otelmetrics_compression = 3;

/// Aggregation temporality preference.
pub type otelmetrics_temporality = u32;
pub const OTELMETRICS_TEMPORALITY_CUMULATIVE: otelmetrics_temporality = 1;
pub const OTELMETRICS_TEMPORALITY_DELTA: otelmetrics_temporality = 2;
pub const OTELMETRICS_TEMPORALITY_LOW_MEMORY: otelmetrics_temporality = 3;

/// Which measurements may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`).
pub type otelmetrics_exemplar_filter = u32;
/// Every measurement (with the ids of its span, when it has one).
pub const OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_ON: otelmetrics_exemplar_filter = 1;
/// None.
pub const OTELMETRICS_EXEMPLAR_FILTER_ALWAYS_OFF: otelmetrics_exemplar_filter = 2;
/// Measurements made in a sampled span (the default).
pub const OTELMETRICS_EXEMPLAR_FILTER_TRACE_BASED: otelmetrics_exemplar_filter = 3;

/// The W3C trace flag "sampled" of `otelmetrics_span_context.trace_flags`.
pub const OTELMETRICS_TRACE_FLAGS_SAMPLED: u8 = 1;

/// Exporters a provider can push to; several may be added.
pub type otelmetrics_exporter = u32;
/// OTLP to a collector (gRPC or HTTP).
pub const OTELMETRICS_EXPORTER_OTLP: otelmetrics_exporter = 1;
/// Text or OTLP-JSON lines to stdout or a file.
pub const OTELMETRICS_EXPORTER_CONSOLE: otelmetrics_exporter = 2;
/// No exporter at all (the spec's `none`); clears any added before.
pub const OTELMETRICS_EXPORTER_NONE: otelmetrics_exporter = 3;
/// A Prometheus `/metrics` endpoint served by the library (pull).
pub const OTELMETRICS_EXPORTER_PROMETHEUS: otelmetrics_exporter = 4;

/// Console output format.
pub type otelmetrics_console_format = u32;
/// One readable block per export.
pub const OTELMETRICS_CONSOLE_FORMAT_TEXT: otelmetrics_console_format = 1;
/// One OTLP-JSON `ExportMetricsServiceRequest` per line.
pub const OTELMETRICS_CONSOLE_FORMAT_JSON: otelmetrics_console_format = 2;

/// How the Prometheus endpoint turns OpenTelemetry names into Prometheus
/// names (the exporter specification's translation strategies).
pub type otelmetrics_prometheus_translation = u32;
/// `http.server.duration` (unit `s`) → `http_server_duration_seconds`;
/// counters end in `_total`. The default.
pub const OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITH_SUFFIXES:
    otelmetrics_prometheus_translation = 1;
/// `http.server.duration` → `http_server_duration`: escaped, no unit or
/// type suffix (OpenMetrics counters keep the `_total` the format requires).
pub const OTELMETRICS_PROMETHEUS_TRANSLATION_UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES:
    otelmetrics_prometheus_translation = 2;
/// `http.server.duration_seconds` for scrapers that accept UTF-8 names
/// (Prometheus 3); escaped with underscores for the others.
pub const OTELMETRICS_PROMETHEUS_TRANSLATION_NO_UTF8_ESCAPING_WITH_SUFFIXES:
    otelmetrics_prometheus_translation = 3;
/// Names as they are (`http.server.duration`) for scrapers that accept
/// UTF-8 names; escaped with underscores for the others. No suffixes.
pub const OTELMETRICS_PROMETHEUS_TRANSLATION_NO_TRANSLATION: otelmetrics_prometheus_translation = 4;

/// Diagnostic severity.
pub type otelmetrics_log_level = u32;
pub const OTELMETRICS_LOG_ERROR: otelmetrics_log_level = 1;
pub const OTELMETRICS_LOG_WARN: otelmetrics_log_level = 2;
pub const OTELMETRICS_LOG_INFO: otelmetrics_log_level = 3;
pub const OTELMETRICS_LOG_DEBUG: otelmetrics_log_level = 4;

/// Version of the library these declarations describe (compare with
/// `otelmetrics_version()` at run time).
pub const OTELMETRICS_VERSION_MAJOR: u32 = 0;
pub const OTELMETRICS_VERSION_MINOR: u32 = 1;
pub const OTELMETRICS_VERSION_PATCH: u32 = 0;

// The header's status values are the status table's (crate::error).
const _: () = {
    use crate::error::status;
    let pairs = [
        (OTELMETRICS_STATUS_OK, status::OK),
        (OTELMETRICS_STATUS_NULL_POINTER, status::NULL_POINTER),
        (OTELMETRICS_STATUS_INVALID_UTF8, status::INVALID_UTF8),
        (OTELMETRICS_STATUS_INVALID_ARGUMENT, status::INVALID_ARGUMENT),
        (OTELMETRICS_STATUS_INVALID_NAME, status::INVALID_NAME),
        (OTELMETRICS_STATUS_INVALID_VALUE, status::INVALID_VALUE),
        (OTELMETRICS_STATUS_INVALID_CONFIG, status::INVALID_CONFIG),
        (OTELMETRICS_STATUS_WRONG_HANDLE, status::WRONG_HANDLE),
        (OTELMETRICS_STATUS_SHUTDOWN, status::SHUTDOWN),
        (OTELMETRICS_STATUS_TIMEOUT, status::TIMEOUT),
        (OTELMETRICS_STATUS_EXPORT_FAILED, status::EXPORT_FAILED),
        (OTELMETRICS_STATUS_REENTRANT_CALL, status::REENTRANT_CALL),
        (OTELMETRICS_STATUS_PANIC, status::PANIC),
        (OTELMETRICS_STATUS_INTERNAL, status::INTERNAL),
    ];
    assert!(pairs.len() == status::COUNT, "every status of the table has an OTELMETRICS_STATUS_*");
    let mut i = 0;
    while i < pairs.len() {
        assert!(pairs[i].0 == pairs[i].1, "OTELMETRICS_STATUS_* differs from the status table");
        i += 1;
    }
};

// Layout guards: bindings mirror these structs byte for byte.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<otelmetrics_str>() == 16);
    assert!(std::mem::size_of::<otelmetrics_value>() == 16);
    assert!(std::mem::size_of::<otelmetrics_attribute>() == 40);
    assert!(std::mem::offset_of!(otelmetrics_attribute, value_type) == 16);
    assert!(std::mem::offset_of!(otelmetrics_attribute, value) == 24);
};
const _: () = {
    use super::span::otelmetrics_span_context;
    assert!(std::mem::size_of::<otelmetrics_span_context>() == 32);
    assert!(std::mem::offset_of!(otelmetrics_span_context, span_id) == 16);
    assert!(std::mem::offset_of!(otelmetrics_span_context, trace_flags) == 24);
    assert!(crate::export::exemplars::SAMPLED == OTELMETRICS_TRACE_FLAGS_SAMPLED);
};

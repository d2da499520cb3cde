//! The span a measurement is made in: set per thread by the host's tracer
//! (`otelmetrics_current_span_set` / `_clear`), or passed with one call
//! (the instruments' `*_in_span` functions). Exemplars carry its ids.

use super::*;
use crate::error::Error;
use crate::export::exemplars::{self, SpanContext};

/// A span as a W3C trace context identifies it, ids as integers (as the
/// Python API and OpenTelemetry.jl hold them): the 16-byte trace id is
/// `trace_id_high` then `trace_id_low`, each big-endian (its hex form is
/// `%016llx%016llx` of the two), the 8-byte span id is `span_id`
/// (big-endian), and `trace_flags` holds `OTELMETRICS_TRACE_FLAGS_SAMPLED`.
/// Neither id may be zero (the W3C rule for a valid span).
/// `otelmetrics_span_context_from_bytes` makes one from the ids' bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct otelmetrics_span_context {
    pub trace_id_high: u64,
    pub trace_id_low: u64,
    pub span_id: u64,
    pub trace_flags: u8,
}

/// The span `span` points to, checked: NULL and all-zero ids are refused.
pub(crate) unsafe fn span_arg(span: *const otelmetrics_span_context) -> Result<SpanContext> {
    if span.is_null() {
        return Err(Error::new(status::NULL_POINTER, "the span context `span` is NULL"));
    }
    // SAFETY: non-NULL, and the caller passes a pointer to a readable
    // `otelmetrics_span_context` (documented); it is copied at once.
    let s = unsafe { *span };
    let mut trace_id = [0; 16];
    trace_id[..8].copy_from_slice(&s.trace_id_high.to_be_bytes());
    trace_id[8..].copy_from_slice(&s.trace_id_low.to_be_bytes());
    let span = SpanContext { trace_id, span_id: s.span_id.to_be_bytes(), flags: s.trace_flags };
    if span.trace_id == [0; 16] {
        return Err(Error::argument("the span's trace id is all zero (an invalid span)"));
    }
    if span.span_id == [0; 8] {
        return Err(Error::argument("the span's span id is all zero (an invalid span)"));
    }
    Ok(span)
}

/// Sets the calling thread's current span: measurements recorded on this
/// thread afterwards (by any provider, without a span of their own) may
/// become exemplars with its ids, as the exemplar filter decides
/// (`trace_based`, the default: only when `trace_flags` has
/// `OTELMETRICS_TRACE_FLAGS_SAMPLED`). The host's tracer calls this when a
/// span becomes current, and `otelmetrics_current_span_clear` (or this
/// again with the parent span) when it ends. `*span` is copied. A thread
/// variable, no lock; with no sampled current span on any thread, recording
/// costs one load more than without exemplars.
///
/// Returns OK, NULL_POINTER or INVALID_ARGUMENT (an all-zero trace or span
/// id); on failure the current span is unchanged.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_current_span_set(
    span: *const otelmetrics_span_context,
) -> otelmetrics_status {
    guard(|| {
        exemplars::set_current_span(Some(span_arg(span)?));
        Ok(())
    })
}

/// Clears the calling thread's current span (no span: no exemplar unless
/// the filter is `always_on`). Never fails.
#[no_mangle]
pub extern "C" fn otelmetrics_current_span_clear() {
    guard_value((), || {
        exemplars::set_current_span(None);
        Ok(())
    })
}

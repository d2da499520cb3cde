//! The `extern "C"` surface, split by object. Thin: validate, convert,
//! delegate. Every exported function runs its body inside [`guard`] (or
//! [`guard_value`]), which turns errors and panics into a status plus the
//! thread's last-error message; a test checks that none is missing.

#![allow(non_camel_case_types)]

pub mod attributes;
pub mod builder;
mod callback_thread;
pub mod errors;
pub mod handle;
pub mod instruments;
pub mod instruments_api;
pub mod meter;
pub mod observables;
pub mod observables_api;
pub mod provider;
pub mod span;
pub mod types;
pub mod views;

use crate::error::{status, Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
pub use types::*;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs an entry point's body: errors become their status, panics become
/// `OTELMETRICS_STATUS_PANIC`; either way the message is kept for
/// `otelmetrics_last_error_message`.
#[inline]
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> otelmetrics_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => status::OK,
        Ok(Err(e)) => errors::fail(e),
        Err(payload) => caught_panic(payload),
    }
}

/// [`guard`] for the bound records, the library's fastest path: `fast`
/// does the whole job when nothing can fail and returns true, or does
/// nothing and returns false; then `body`, the complete path with every
/// check and message, runs under [`guard`], out of line. Panics in either
/// are caught. Keeping messages, error values and their stack space out of
/// `fast` is what makes it as short as the SDK's own bound record; `body`
/// should be a `move` closure of the arguments (copies in registers, where
/// references would make every call spill them to the stack first).
#[inline(always)]
pub(crate) fn guard_fast(
    fast: impl FnOnce() -> bool,
    body: impl FnOnce() -> Result<()>,
) -> otelmetrics_status {
    match catch_unwind(AssertUnwindSafe(fast)) {
        Ok(true) => status::OK,
        Ok(false) => guard_cold(body),
        Err(payload) => caught_panic(payload),
    }
}

#[cold]
#[inline(never)]
fn guard_cold(body: impl FnOnce() -> Result<()>) -> otelmetrics_status {
    guard(body)
}

#[cold]
#[inline(never)]
fn caught_panic(payload: Box<dyn std::any::Any + Send>) -> otelmetrics_status {
    errors::fail(Error::new(
        status::PANIC,
        format!("internal error (a panic, caught at the C boundary): {}", panic_message(&*payload)),
    ))
}

/// Like [`guard`] for entry points that return a value instead of a status
/// (`_free`, version queries): on error or panic they return `fallback`.
#[inline]
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            errors::fail(e);
            fallback
        }
        Err(payload) => {
            errors::fail(Error::new(
                status::PANIC,
                format!("internal error (a panic): {}", panic_message(&*payload)),
            ));
            fallback
        }
    }
}

/// Writes `value` through an out-parameter (only ever on success).
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) {
    out.write(value)
}

/// Checks an out-parameter before any work is done.
pub(crate) fn check_out<T>(out: *mut T, name: &str) -> Result<()> {
    if out.is_null() {
        return Err(Error::new(
            status::NULL_POINTER,
            format!("the out-parameter `{name}` is NULL"),
        ));
    }
    Ok(())
}

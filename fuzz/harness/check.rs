//! What every call must satisfy whatever its input.

use otelmetrics::ffi::errors::otelmetrics_last_error_message;
use otelmetrics::ffi::*;

/// Statuses an argument can be refused with by any call taking data.
pub const BAD_INPUT: &[otelmetrics_status] = &[
    OTELMETRICS_STATUS_NULL_POINTER,
    OTELMETRICS_STATUS_INVALID_UTF8,
    OTELMETRICS_STATUS_INVALID_ARGUMENT,
];

/// What a call taking a name (instrument, meter) may refuse with.
pub const NAME_ERRORS: &[otelmetrics_status] = &[
    OTELMETRICS_STATUS_NULL_POINTER,
    OTELMETRICS_STATUS_INVALID_UTF8,
    OTELMETRICS_STATUS_INVALID_ARGUMENT,
    OTELMETRICS_STATUS_INVALID_NAME,
];

/// `status` is OK or one of `allowed`; never PANIC or INTERNAL; a failure
/// leaves a readable last-error message.
pub fn status(status: otelmetrics_status, allowed: &[otelmetrics_status], call: &str) -> bool {
    let message = last_error();
    assert!(
        status != OTELMETRICS_STATUS_PANIC && status != OTELMETRICS_STATUS_INTERNAL,
        "{call}: status {status} ({message})"
    );
    if status == OTELMETRICS_STATUS_OK {
        return true;
    }
    assert!(allowed.contains(&status), "{call}: undocumented status {status} ({message})");
    assert!(!message.is_empty(), "{call}: failed with status {status} but no last-error message");
    false
}

/// The calling thread's last-error message.
pub fn last_error() -> String {
    let mut len = 0usize;
    let ptr = unsafe { otelmetrics_last_error_message(&mut len) };
    assert!(!ptr.is_null(), "the last-error message is never NULL");
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    assert_eq!(unsafe { *ptr.add(len) }, 0, "the last-error message is NUL-terminated");
    std::str::from_utf8(bytes).expect("the last-error message is UTF-8").to_owned()
}

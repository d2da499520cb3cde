//! Status names, the thread-local last error, the version, and the
//! diagnostics hook.

use super::{guard, guard_value, otelmetrics_log_level, otelmetrics_status, otelmetrics_str};
use crate::diagnostics::{self, Level};
use crate::error::{status, Error};
use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `e` as this thread's last error and returns its status.
pub(crate) fn fail(e: Error) -> otelmetrics_status {
    let text = crate::error::escape_controls(&format!("{e}")).into_owned();
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = CString::new(text).unwrap_or_default());
    e.status
}

/// The message explaining the latest failure on the calling thread.
///
/// Returns a NUL-terminated UTF-8 string (empty when nothing failed yet) and,
/// when `len` is not NULL, stores its length in bytes there. The pointer
/// stays valid until the next call into the library on this thread; copy it
/// to keep it. Successful calls do not clear it.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_last_error_message(len: *mut usize) -> *const c_char {
    guard_value(std::ptr::null(), || {
        let ptr = LAST_ERROR.with(|slot| slot.borrow().as_ptr());
        if !len.is_null() {
            len.write(CStr::from_ptr(ptr).to_bytes().len());
        }
        Ok(ptr)
    })
}

/// The symbolic name of a status code (e.g. "INVALID_UTF8"; "UNKNOWN" for a
/// code this version does not know). Static storage; never NULL.
#[no_mangle]
pub extern "C" fn otelmetrics_status_name(code: otelmetrics_status) -> *const c_char {
    guard_value(c"UNKNOWN".as_ptr(), || {
        let name = status::c_name(code);
        Ok(name.as_ptr())
    })
}

static VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("version string"),
    };

/// The library's version, "MAJOR.MINOR.PATCH" (static storage). Bindings
/// compare it with `OTELMETRICS_VERSION_*` of the header they were made for.
#[no_mangle]
pub extern "C" fn otelmetrics_version() -> *const c_char {
    guard_value(VERSION.as_ptr(), || Ok(VERSION.as_ptr()))
}

/// A diagnostics callback: `level` is one of `OTELMETRICS_LOG_*`, `message`
/// is UTF-8 and valid only during the call.
pub type otelmetrics_diagnostic_fn = Option<
    unsafe extern "C" fn(
        level: otelmetrics_log_level,
        message: otelmetrics_str,
        user_data: *mut c_void,
    ),
>;

struct UserData(*mut c_void);
// SAFETY: the application promises (see the header) that its user data may
// be used from the library's threads.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

/// Registers the process-wide hook that receives diagnostics the library
/// cannot return as a status: failed or timed-out exports (with the number
/// of data points dropped), recoveries, errors at exit. Pass NULL to go back
/// to the default, stderr filtered by `OTEL_LOG_LEVEL` (default `info`;
/// `none` silences it).
///
/// The hook runs on the library's export threads (and at process exit), one
/// message at a time, and must not block for long. It may call
/// `otelmetrics_status_name` and `otelmetrics_version`; it should not call
/// into providers or instruments. `user_data` is passed back unchanged.
///
/// Returns `OTELMETRICS_STATUS_OK`.
#[no_mangle]
pub extern "C" fn otelmetrics_set_diagnostic_hook(
    hook: otelmetrics_diagnostic_fn,
    user_data: *mut c_void,
) -> otelmetrics_status {
    guard(|| {
        let user = UserData(user_data);
        diagnostics::set_hook(hook.map(|f| {
            Box::new(move |level: Level, message: &str| {
                let view =
                    otelmetrics_str { ptr: message.as_ptr() as *const c_char, len: message.len() };
                let user = &user;
                // SAFETY: the hook is the application's, called as the header
                // documents: a view valid during the call and its user data.
                unsafe { f(level as u32, view, user.0) }
            }) as diagnostics::Hook
        }));
        Ok(())
    })
}

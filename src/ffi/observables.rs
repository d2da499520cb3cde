//! Observable instruments from C: callbacks with user data and a
//! destructor, the observer handed to them, and multi-instrument
//! registrations. The typed create/free functions of the seven kinds are in
//! `observables_api.rs` (generated), which uses this module and is not used
//! by it: a handle of any of the seven types is recognised by its tag.
//!
//! Callbacks run on a callback thread of the thread that collects (the
//! export thread of a periodic reader, a shutdown's helper, a Prometheus
//! scrape), which waits for them (`callback_thread`); in
//! `otelmetrics_provider_read_json` they run on the calling thread.

use super::attributes::{convert, slice_arg};
use super::callback_thread::run_on_callback_thread;
use super::handle::{handle, peek_any, Handle};
use super::instruments::spec_arg;
use super::meter::otelmetrics_meter;
use super::*;
use crate::error::{status, Error, Result};
use crate::instruments::observable::{
    on_callers_thread, Callback, Number, ObservableInstrument, ObservableKind, Observer,
    Registration,
};
use crate::process::reentrancy::InCallback;
use std::ffi::c_void;
use std::sync::Arc;

/// Passed to a callback; valid only during that call, on that thread.
pub struct otelmetrics_observer {
    _private: [u8; 0],
}
handle!(otelmetrics_observer, ObserverRef, 0x80);

/// The stack observer behind an `otelmetrics_observer` pointer.
pub struct ObserverRef(*mut Observer<'static>);

/// A callback: called once per collection with an observer and the user
/// data given at registration. It runs on a thread the library keeps for
/// callbacks, one per collecting thread, which waits for the call (in
/// `otelmetrics_provider_read_json`: on the calling thread), so a runtime
/// that ends the thread under it (`pthread_exit`, as Python does at
/// interpreter exit) ends only that thread: nothing of the library catches
/// such an unwind there.
pub type otelmetrics_observe_fn = Option<
    unsafe extern "C-unwind" fn(observer: *mut otelmetrics_observer, user_data: *mut c_void),
>;

/// Releases user data; runs exactly once, when the callback is unregistered
/// (or its instrument freed) and no call of it is running any more, on the
/// thread that released it.
pub type otelmetrics_free_fn = Option<unsafe extern "C-unwind" fn(user_data: *mut c_void)>;

/// A C function pointer, its user data and the user data's destructor.
pub(crate) struct CCallback {
    /// NULL for an instrument that only multi-instrument callbacks report
    /// for (the box then only keeps its user data until the free).
    f: otelmetrics_observe_fn,
    user_data: *mut c_void,
    free: otelmetrics_free_fn,
}

// SAFETY: the header asks the application for user data usable from the
// library's threads.
unsafe impl Send for CCallback {}
// SAFETY: as above.
unsafe impl Sync for CCallback {}

impl Callback for CCallback {
    fn call(&self, observer: &mut Observer<'_>) {
        // The observer outlives this call; C only sees it during the call.
        let erased = std::ptr::from_mut(observer).cast::<Observer<'static>>();
        if let Some(f) = self.f {
            let user_data = self.user_data;
            otelmetrics_observer::lend(ObserverRef(erased), |ptr| {
                let mut call = || {
                    let _mark = InCallback::enter();
                    // SAFETY: the application's callback, called as the
                    // header documents: the observer is valid during the
                    // call only (a thread started for it is waited for).
                    unsafe { f(ptr, user_data) }
                };
                if on_callers_thread() {
                    call();
                } else {
                    run_on_callback_thread(&mut call);
                }
            });
        }
    }
}

impl Drop for CCallback {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the application's destructor, called once, when the
            // library holds the user data no longer (on the thread that
            // released it: the application's, as a rule).
            unsafe { free(self.user_data) }
        }
    }
}

pub(crate) fn c_callback(
    f: otelmetrics_observe_fn,
    user_data: *mut c_void,
    free: otelmetrics_free_fn,
) -> Option<Box<dyn Callback>> {
    // Whenever there is something to call or to free, the box owns the user
    // data, so its destructor runs exactly once: when the box is dropped.
    (f.is_some() || free.is_some())
        .then(|| Box::new(CCallback { f, user_data, free }) as Box<dyn Callback>)
}

#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn create<H: Handle<Inner = ObservableInstrument>>(
    kind: ObservableKind,
    meter: *const otelmetrics_meter,
    name: otelmetrics_str,
    description: otelmetrics_str,
    unit: otelmetrics_str,
    callback: otelmetrics_observe_fn,
    user_data: *mut c_void,
    free_user_data: otelmetrics_free_fn,
    out: *mut *mut H,
) -> Result<()> {
    // Take ownership of the user data first: whatever fails below, its
    // destructor then runs exactly once (when `cb` is dropped).
    let cb = c_callback(callback, user_data, free_user_data);
    check_out(out, "out")?;
    let m = otelmetrics_meter::borrow(meter)?;
    let instrument =
        ObservableInstrument::new(m, kind, &spec_arg(name, description, unit, None)?, cb)?;
    write_out(out, H::into_raw(instrument));
    Ok(())
}

pub(crate) unsafe fn free<H: Handle<Inner = ObservableInstrument>>(
    instrument: *mut H,
) -> Result<()> {
    if instrument.is_null() {
        return Ok(());
    }
    H::borrow(instrument)?.unregister()?;
    H::free(instrument)
}

/// The tag numbers of the seven observable instrument handle types (the
/// generated `observables_api.rs` numbers them from here), which all wrap
/// an `ObservableInstrument`.
pub(crate) const OBSERVABLE_TAGS: std::ops::RangeInclusive<u64> = 0x60..=0x66;

/// Any of the seven observable handle types, checked by tag.
unsafe fn any_observable<'a>(ptr: *const c_void) -> Result<&'a ObservableInstrument> {
    if ptr.is_null() {
        return Err(Error::new(status::NULL_POINTER, "an instrument pointer is NULL"));
    }
    peek_any(ptr, OBSERVABLE_TAGS).ok_or_else(|| {
        Error::new(status::WRONG_HANDLE, "the pointer is not an observable instrument handle")
    })
}

unsafe fn observe(
    observer: *mut otelmetrics_observer,
    instrument: Option<*const c_void>,
    n: Number,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> Result<()> {
    let o = &mut *otelmetrics_observer::borrow(observer)?.0;
    let attrs = convert(attributes, count)?;
    match instrument {
        None => o.observe(n, attrs),
        Some(ptr) => o.observe_for(any_observable(ptr)?, n, attrs),
    }
}

/// Reports `value` with `count` attributes for the callback's own
/// instrument (an observable counter or gauge of unsigned integers).
/// Returns OK, NULL_POINTER, WRONG_HANDLE, INVALID_UTF8, INVALID_ARGUMENT
/// (wrong value type, or a multi-instrument callback) or INVALID_VALUE.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_u64(
    observer: *mut otelmetrics_observer,
    value: u64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, None, Number::U64(value), attributes, count))
}

/// As `otelmetrics_observer_observe_u64`, for signed-integer instruments.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_i64(
    observer: *mut otelmetrics_observer,
    value: i64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, None, Number::I64(value), attributes, count))
}

/// As `otelmetrics_observer_observe_u64`, for double instruments (NaN and
/// infinities are rejected; observable counters reject negative totals).
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_f64(
    observer: *mut otelmetrics_observer,
    value: f64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, None, Number::F64(value), attributes, count))
}

/// In a multi-instrument callback: reports `value` for `instrument`, one of
/// the observable instrument handles the callback was registered with.
/// Returns as `otelmetrics_observer_observe_u64`.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_u64_for(
    observer: *mut otelmetrics_observer,
    instrument: *const c_void,
    value: u64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, Some(instrument), Number::U64(value), attributes, count))
}

/// As `otelmetrics_observer_observe_u64_for`, for signed-integer instruments.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_i64_for(
    observer: *mut otelmetrics_observer,
    instrument: *const c_void,
    value: i64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, Some(instrument), Number::I64(value), attributes, count))
}

/// As `otelmetrics_observer_observe_u64_for`, for double instruments.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_observer_observe_f64_for(
    observer: *mut otelmetrics_observer,
    instrument: *const c_void,
    value: f64,
    attributes: *const otelmetrics_attribute,
    count: usize,
) -> otelmetrics_status {
    guard(|| observe(observer, Some(instrument), Number::F64(value), attributes, count))
}

/// A callback registered for several observable instruments.
pub struct otelmetrics_callback_registration {
    _private: [u8; 0],
}
handle!(otelmetrics_callback_registration, Arc<Registration>, 0x81);

/// Registers one callback that reports for several observable instruments
/// (any of the seven kinds, made by meters of one provider), using the
/// `otelmetrics_observer_observe_*_for` functions. It runs once per
/// collection. `free_user_data` (may be NULL) runs exactly once, after the
/// registration is unregistered (or when registering fails).
///
/// Returns OK, NULL_POINTER, WRONG_HANDLE (not an observable instrument),
/// INVALID_ARGUMENT (no instruments), SHUTDOWN or REENTRANT_CALL.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_meter_register_callback(
    meter: *const otelmetrics_meter,
    instruments: *const *const c_void,
    instrument_count: usize,
    callback: otelmetrics_observe_fn,
    user_data: *mut c_void,
    free_user_data: otelmetrics_free_fn,
    out: *mut *mut otelmetrics_callback_registration,
) -> otelmetrics_status {
    guard(|| {
        let cb = c_callback(callback, user_data, free_user_data);
        check_out(out, "out")?;
        otelmetrics_meter::borrow(meter)?;
        let cb = cb
            .filter(|_| callback.is_some())
            .ok_or_else(|| Error::new(status::NULL_POINTER, "the callback is NULL"))?;
        let list: Vec<&ObservableInstrument> =
            slice_arg(instruments, instrument_count, "the instrument array")?
                .iter()
                .map(|p| any_observable(*p))
                .collect::<Result<_>>()?;
        let reg = Registration::register(&list, cb)?;
        write_out(out, otelmetrics_callback_registration::into_raw(reg));
        Ok(())
    })
}

/// Stops the callback: it is not called again, and its user data is
/// released once a running call has returned. Idempotent.
/// Returns OK, NULL_POINTER, WRONG_HANDLE or REENTRANT_CALL.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_callback_registration_unregister(
    registration: *const otelmetrics_callback_registration,
) -> otelmetrics_status {
    guard(|| otelmetrics_callback_registration::borrow(registration)?.unregister())
}

/// Unregisters (if still registered) and frees the registration handle.
/// NULL is a no-op. Must not be called from inside a callback.
#[no_mangle]
pub unsafe extern "C" fn otelmetrics_callback_registration_free(
    registration: *mut otelmetrics_callback_registration,
) {
    guard_value((), || {
        if registration.is_null() {
            return Ok(());
        }
        otelmetrics_callback_registration::borrow(registration)?.unregister()?;
        otelmetrics_callback_registration::free(registration)
    })
}

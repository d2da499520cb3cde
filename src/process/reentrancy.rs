//! Knows whether the current thread is inside an observable callback, so
//! calls that would deadlock there (flush, shutdown, creating instruments,
//! unregistering) are refused with a status instead.

use crate::error::{status, Error, Result};
use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Marks the thread as inside a callback until dropped.
pub struct InCallback(());

impl InCallback {
    pub fn enter() -> Self {
        DEPTH.with(|d| d.set(d.get() + 1));
        InCallback(())
    }
}

impl Drop for InCallback {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Refuses `what` when called from inside an observable callback.
pub fn refuse_in_callback(what: &str) -> Result<()> {
    if DEPTH.with(|d| d.get()) > 0 {
        return Err(Error::new(
            status::REENTRANT_CALL,
            format!(
                "{what} cannot be called from inside an observable callback (it would deadlock)"
            ),
        ));
    }
    Ok(())
}

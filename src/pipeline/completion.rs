//! Running a blocking SDK call on a helper thread and waiting for it with a
//! deadline: the SDK's own flush and shutdown do not honour their timeouts,
//! ours must.

use crate::error::{status, Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A result that arrives once, possibly after the caller stopped waiting.
pub struct Completion {
    result: Mutex<Option<Result<()>>>,
    ready: Condvar,
}

impl Completion {
    pub fn new() -> Arc<Self> {
        Arc::new(Completion { result: Mutex::new(None), ready: Condvar::new() })
    }

    fn complete(&self, r: Result<()>) {
        *self.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        self.ready.notify_all();
    }

    pub fn is_done(&self) -> bool {
        self.result.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Waits until the work is done, for work that ends by its own deadline.
    pub fn wait_done(&self) -> Result<()> {
        let mut guard = self.result.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = guard.as_ref() {
                return r.clone();
            }
            guard = self.ready.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits up to `timeout`; `None` when the work is still running.
    pub fn wait(&self, timeout: Duration) -> Option<Result<()>> {
        let deadline = Instant::now() + timeout;
        let mut guard = self.result.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = guard.as_ref() {
                return Some(r.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            guard = self.ready.wait_timeout(guard, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// Starts `work` on a named helper thread; its result (or its panic, as a
/// status) lands in the returned completion.
pub fn spawn(name: &str, work: impl FnOnce() -> Result<()> + Send + 'static) -> Result<Arc<Completion>> {
    let completion = Completion::new();
    let done = completion.clone();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            super::sigpipe::block_in_this_thread();
            let r = catch_unwind(AssertUnwindSafe(work))
                .unwrap_or_else(|_| Err(Error::new(status::PANIC, "the SDK panicked; the host process is unaffected")));
            done.complete(r);
        })
        .map_err(|e| Error::new(status::INTERNAL, format!("cannot start a helper thread: {e}")))?;
    Ok(completion)
}

/// Runs `work` on a helper thread and returns its result, or TIMEOUT.
pub fn run_bounded(name: &str, timeout: Duration, work: impl FnOnce() -> Result<()> + Send + 'static) -> Result<()> {
    spawn(name, work)?.wait(timeout).unwrap_or_else(|| Err(timed_out(name, timeout)))
}

pub fn timed_out(what: &str, timeout: Duration) -> Error {
    Error::new(
        status::TIMEOUT,
        format!("{what} did not finish within {} ms; it goes on in the background", timeout.as_millis()),
    )
}

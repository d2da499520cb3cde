//! Running a blocking SDK call on a helper thread and waiting for it with a
//! deadline: the SDK's own flush and shutdown do not honour their timeouts,
//! ours must.

use crate::error::{status, Error, Result};
use crate::process::fork::generation;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A result that arrives once, possibly after the caller stopped waiting.
///
/// Safe across fork: the result is read without a lock, and a forked
/// child never waits on (nor locks) a completion of the parent's that was
/// not done at the fork: its work ran on a thread the child does not have.
pub struct Completion {
    result: OnceLock<Result<()>>,
    /// The process generation whose thread does the work.
    worked_in: u64,
    /// Only for sleeping until `result` is set.
    wake: Mutex<()>,
    ready: Condvar,
}

impl Completion {
    pub fn new() -> Arc<Self> {
        Arc::new(Completion {
            result: OnceLock::new(),
            worked_in: generation(),
            wake: Mutex::new(()),
            ready: Condvar::new(),
        })
    }

    pub(crate) fn complete(&self, r: Result<()>) {
        let _ = self.result.set(r);
        drop(self.wake.lock().unwrap_or_else(|e| e.into_inner()));
        self.ready.notify_all();
    }

    pub fn is_done(&self) -> bool {
        self.result.get().is_some()
    }

    /// Waits until the work is done, for work that ends by its own deadline.
    pub fn wait_done(&self) -> Result<()> {
        self.wait_until(None).expect("waits without a deadline")
    }

    /// Waits up to `timeout`; `None` when the work is still running.
    pub fn wait(&self, timeout: Duration) -> Option<Result<()>> {
        self.wait_until(Some(Instant::now() + timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Option<Result<()>> {
        loop {
            if let Some(r) = self.result.get() {
                return Some(r.clone());
            }
            if generation() != self.worked_in {
                return Some(Err(Error::new(
                    status::SHUTDOWN,
                    "this was under way in the parent process when it forked; it goes on there only",
                )));
            }
            let guard = self.wake.lock().unwrap_or_else(|e| e.into_inner());
            if self.result.get().is_some() {
                continue;
            }
            match deadline {
                None => drop(self.ready.wait(guard)),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return None;
                    }
                    drop(self.ready.wait_timeout(guard, deadline - now));
                }
            }
        }
    }
}

/// Starts `work` on a named helper thread; its result (or its panic, as a
/// status) lands in the returned completion.
pub fn spawn(
    name: &str,
    work: impl FnOnce() -> Result<()> + Send + 'static,
) -> Result<Arc<Completion>> {
    let completion = Completion::new();
    spawn_into(&completion, name, work)?;
    Ok(completion)
}

/// Starts `work` on a named helper thread; its result lands in `completion`.
pub fn spawn_into(
    completion: &Arc<Completion>,
    name: &str,
    work: impl FnOnce() -> Result<()> + Send + 'static,
) -> Result<()> {
    let done = completion.clone();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            crate::process::sigpipe::block_in_this_thread();
            let r = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|_| {
                Err(Error::new(status::PANIC, "the SDK panicked; the host process is unaffected"))
            });
            done.complete(r);
        })
        .map_err(|e| Error::new(status::INTERNAL, format!("cannot start a helper thread: {e}")))?;
    Ok(())
}

/// Runs `work` on a helper thread and returns its result, or TIMEOUT.
pub fn run_bounded(
    name: &str,
    timeout: Duration,
    work: impl FnOnce() -> Result<()> + Send + 'static,
) -> Result<()> {
    spawn(name, work)?.wait(timeout).unwrap_or_else(|| Err(timed_out(name, timeout)))
}

pub fn timed_out(what: &str, timeout: Duration) -> Error {
    Error::new(
        status::TIMEOUT,
        format!(
            "{what} did not finish within {} ms; it goes on in the background",
            timeout.as_millis()
        ),
    )
}

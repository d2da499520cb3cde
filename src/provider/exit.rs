//! Providers the application never shut down still export their last data
//! when the process exits, each bounded by its export timeout.

use super::Provider;
use crate::process::fork_safe::Lock;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

// Both safe across fork (fork_safe.rs): a `Once` would leave a child forked
// mid-registration waiting forever.
static LIVE: Lock<Vec<Arc<Provider>>> = Lock::new(Vec::new());
static HOOK_REGISTERED: AtomicBool = AtomicBool::new(false);

pub fn register(provider: &Arc<Provider>) {
    if !HOOK_REGISTERED.swap(true, Ordering::SeqCst) {
        // SAFETY: `at_exit` is an `extern "C"` function that lives as long
        // as the process and lets no panic out.
        unsafe { libc::atexit(at_exit) };
    }
    LIVE.lock().push(provider.clone());
}

pub fn unregister(provider: &Arc<Provider>) {
    LIVE.lock().retain(|p| !Arc::ptr_eq(p, provider));
}

extern "C" fn at_exit() {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let live: Vec<Arc<Provider>> = LIVE.lock().drain(..).collect();
        // Start every shutdown first, then wait: the waits overlap.
        let pending: Vec<_> = live
            .iter()
            .filter_map(|p| {
                p.begin_shutdown().ok().map(|c| (c, Instant::now() + p.export_timeout()))
            })
            .collect();
        let mut finished = true;
        for (completion, deadline) in pending {
            finished &=
                completion.wait(deadline.saturating_duration_since(Instant::now())).is_some();
        }
        if !finished {
            // A provider still exporting past its deadline is left to the
            // process teardown: dropping it here could block.
            std::mem::forget(live);
        }
    }));
}

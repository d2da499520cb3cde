//! The library's own tokio runtime, which the gRPC and HTTP transports need.
//! The application never sees it: exports run on the SDK's reader thread,
//! which blocks on this runtime with a deadline. A forked child gets a new
//! runtime (the parent's worker thread does not exist there), also when the
//! parent was still creating its own at the fork (no one-time lock).

use super::fork::Lazy;
use std::future::Future;
use std::time::Duration;
use tokio::runtime::Runtime;

static RUNTIME: Lazy<Runtime> = Lazy::new();

fn build() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otelmetrics-io")
        .on_thread_start(super::sigpipe::block_in_this_thread)
        .enable_all()
        .build()
        .expect("otelmetrics: cannot start the I/O runtime")
}

/// The runtime of this process (one I/O worker thread), created on first use.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(build)
}

/// Drives `fut` to completion on the runtime, giving up after `timeout`.
/// Must not be called from inside a tokio runtime.
pub fn block_on_with_timeout<F: Future>(fut: F, timeout: Duration) -> Option<F::Output> {
    runtime().block_on(async { tokio::time::timeout(timeout, fut).await.ok() })
}

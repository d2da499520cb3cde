//! The library's own tokio runtime, which the gRPC and HTTP transports need.
//! The application never sees it: exports run on the SDK's reader thread,
//! which blocks on this runtime with a deadline.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared runtime, created on first use (one I/O worker thread).
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otelmetrics-io")
            .enable_all()
            .build()
            .expect("otelmetrics: cannot start the I/O runtime")
    })
}

/// Drives `fut` to completion on the runtime, giving up after `timeout`.
/// Must not be called from inside a tokio runtime.
pub fn block_on_with_timeout<F: Future>(fut: F, timeout: Duration) -> Option<F::Output> {
    runtime().block_on(async { tokio::time::timeout(timeout, fut).await.ok() })
}

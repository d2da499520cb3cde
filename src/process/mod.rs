//! Process concerns, below every other layer: what `fork()`, `exit()` and
//! signals do to a library that owns threads, and the library's own threads.
//! Nothing here knows about providers, exporters or the C API; layers above
//! join what they need (a forked child's hooks, descriptors a child closes).
//!
//! - `fork`: the fork generation, per-generation and lazy one-time values,
//!   the handlers, and the registries of child hooks and inherited descriptors;
//! - `fork_safe`: locks and user-code cells that a forked child finds usable,
//!   and writing to stdout/stderr without std's locks;
//! - `reentrancy`: whether this thread is inside an application callback,
//!   where calls that would deadlock are refused;
//! - `sigpipe`: the library's threads block SIGPIPE;
//! - `runtime`: the tokio runtime (one I/O thread) the transports run on;
//! - `completion`: a blocking call run on a helper thread and awaited with
//!   a deadline (the SDK's flush and shutdown do not honour theirs).

pub(crate) mod completion;
pub(crate) mod fork;
pub(crate) mod fork_safe;
pub(crate) mod reentrancy;
pub(crate) mod runtime;
pub(crate) mod sigpipe;

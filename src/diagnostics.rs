//! Diagnostics from places that cannot return a status (the export thread,
//! process exit): sent to the application's hook when one is registered,
//! otherwise to stderr at the level chosen by `OTEL_LOG_LEVEL`.
//!
//! Never silent (errors reach stderr by default), never noisy (a message
//! repeated back to back is counted, not reprinted).

use crate::process::fork_safe::{Lock, UserCode};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Severity, ordered from most to least severe. Values are ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }

    /// Parses an `OTEL_LOG_LEVEL` value; `None` means "off".
    pub fn parse_threshold(value: &str) -> Option<Option<Level>> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" | "off" => Some(None),
            "error" | "fatal" => Some(Some(Level::Error)),
            "warn" | "warning" => Some(Some(Level::Warn)),
            "info" => Some(Some(Level::Info)),
            "debug" | "trace" | "all" => Some(Some(Level::Debug)),
            _ => None,
        }
    }
}

/// The application's hook: called with the level and the message.
pub type Hook = Box<HookFn>;
pub type HookFn = dyn Fn(Level, &str) + Send + Sync;

// Safe across fork (process/fork_safe.rs): the hook is called with no lock
// held, and stderr is written with write(2), not through std's stderr lock,
// which a child forked mid-message would find held.
static HOOK: UserCode<HookFn> = UserCode::new();
/// `OTEL_LOG_LEVEL` as read: 0 not yet, 1 none, else the level + 1.
static THRESHOLD: AtomicU8 = AtomicU8::new(0);
/// The last message printed, when, and how many repeats of it were held back.
type LastPrinted = Option<(String, Instant, u64)>;
static LAST_PRINTED: Lock<LastPrinted> = Lock::new(None);

/// How long an identical stderr message is folded into a repeat count.
const REPEAT_WINDOW: Duration = Duration::from_secs(60);

/// Replaces the hook (`None` restores stderr output), once no call of the
/// previous one is running.
pub fn set_hook(hook: Option<Hook>) {
    HOOK.replace(hook.map(Arc::from));
}

/// Sets the stderr threshold (`None`: off) in place of `OTEL_LOG_LEVEL`:
/// the configuration file's `log_level`.
pub fn set_threshold(threshold: Option<Level>) {
    THRESHOLD.store(encoded(threshold), Ordering::Relaxed);
}

/// A threshold as `THRESHOLD` holds it: 1 none, else the level + 1.
fn encoded(threshold: Option<Level>) -> u8 {
    threshold.map_or(1, |l| l as u8 + 1)
}

fn stderr_threshold() -> Option<Level> {
    const LEVELS: [Level; 4] = [Level::Error, Level::Warn, Level::Info, Level::Debug];
    let mut read = THRESHOLD.load(Ordering::Relaxed);
    if read == 0 {
        // Read at most a few times if threads race; never waited for.
        let threshold = match std::env::var("OTEL_LOG_LEVEL") {
            Ok(v) => Level::parse_threshold(&v).unwrap_or(Some(Level::Info)),
            Err(_) => Some(Level::Info),
        };
        read = encoded(threshold);
        THRESHOLD.store(read, Ordering::Relaxed);
    }
    LEVELS.get(usize::from(read).wrapping_sub(2)).copied()
}

/// Reports one diagnostic. Never panics, never blocks on I/O beyond stderr.
pub fn emit(level: Level, message: &str) {
    let message = &*crate::error::escape_controls(message);
    // A panicking hook must not take the export thread down with it.
    let called = HOOK.call(|hook| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(level, message)))
    });
    if called.is_some() {
        return;
    }
    match stderr_threshold() {
        Some(threshold) if level <= threshold => print_folded(level, message),
        _ => {}
    }
}

fn print_folded(level: Level, message: &str) {
    let mut out = String::new();
    {
        let mut last = LAST_PRINTED.lock();
        let now = Instant::now();
        if let Some((text, since, repeats)) = last.as_mut() {
            if text == message && now.duration_since(*since) < REPEAT_WINDOW {
                *repeats += 1;
                return;
            }
            if *repeats > 0 {
                out = format!(
                    "otelmetrics: [{}] previous message repeated {} more times\n",
                    level.name(),
                    repeats
                );
            }
        }
        *last = Some((message.to_owned(), now, 0));
    }
    out.push_str(&format!("otelmetrics: [{}] {}\n", level.name(), message));
    let _ = crate::process::fork_safe::write_fd(2, out.as_bytes());
}

pub fn error(message: &str) {
    emit(Level::Error, message)
}
pub fn warn(message: &str) {
    emit(Level::Warn, message)
}
pub fn debug(message: &str) {
    emit(Level::Debug, message)
}

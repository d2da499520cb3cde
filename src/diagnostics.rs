//! Diagnostics from places that cannot return a status (the export thread,
//! process exit): sent to the application's hook when one is registered,
//! otherwise to stderr at the level chosen by `OTEL_LOG_LEVEL`.
//!
//! Never silent (errors reach stderr by default), never noisy (a message
//! repeated back to back is counted, not reprinted).

use std::sync::{Mutex, OnceLock, RwLock};
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
pub type Hook = Box<dyn Fn(Level, &str) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);
static THRESHOLD: OnceLock<Option<Level>> = OnceLock::new();
static LAST_PRINTED: Mutex<Option<(String, Instant, u64)>> = Mutex::new(None);

/// How long an identical stderr message is folded into a repeat count.
const REPEAT_WINDOW: Duration = Duration::from_secs(60);

/// Replaces the hook (`None` restores stderr output).
pub fn set_hook(hook: Option<Hook>) {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = hook;
}

fn stderr_threshold() -> Option<Level> {
    *THRESHOLD.get_or_init(|| match std::env::var("OTEL_LOG_LEVEL") {
        Ok(v) => Level::parse_threshold(&v).unwrap_or(Some(Level::Info)),
        Err(_) => Some(Level::Info),
    })
}

/// Reports one diagnostic. Never panics, never blocks on I/O beyond stderr.
pub fn emit(level: Level, message: &str) {
    let message = &*crate::error::escape_controls(message);
    let hook = HOOK.read().unwrap_or_else(|e| e.into_inner());
    if let Some(hook) = hook.as_ref() {
        // A panicking hook must not take the export thread down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(level, message)));
        return;
    }
    drop(hook);
    match stderr_threshold() {
        Some(threshold) if level <= threshold => print_folded(level, message),
        _ => {}
    }
}

fn print_folded(level: Level, message: &str) {
    let mut last = LAST_PRINTED.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    if let Some((text, since, repeats)) = last.as_mut() {
        if text == message && now.duration_since(*since) < REPEAT_WINDOW {
            *repeats += 1;
            return;
        }
        if *repeats > 0 {
            eprintln!("otelmetrics: [{}] previous message repeated {} more times", level.name(), repeats);
        }
    }
    eprintln!("otelmetrics: [{}] {}", level.name(), message);
    *last = Some((message.to_owned(), now, 0));
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

//! The library's error type: a status code the C API returns plus a message
//! that says what went wrong and which setting or argument caused it.

use std::borrow::Cow;
use std::fmt;

/// `text` with control characters escaped (`\n`, `\u{1b}`, ...): messages
/// quote names, values and peers' answers, and must stay one line that
/// cannot forge log entries or terminal sequences.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// Status codes. Values are part of the ABI: only ever append.
pub(crate) mod status {
    pub(crate) const OK: u32 = 0;
    pub(crate) const NULL_POINTER: u32 = 1;
    pub(crate) const INVALID_UTF8: u32 = 2;
    pub(crate) const INVALID_ARGUMENT: u32 = 3;
    pub(crate) const INVALID_NAME: u32 = 4;
    pub(crate) const INVALID_VALUE: u32 = 5;
    pub(crate) const INVALID_CONFIG: u32 = 6;
    pub(crate) const WRONG_HANDLE: u32 = 7;
    pub(crate) const SHUTDOWN: u32 = 8;
    pub(crate) const TIMEOUT: u32 = 9;
    pub(crate) const EXPORT_FAILED: u32 = 10;
    pub(crate) const REENTRANT_CALL: u32 = 11;
    pub(crate) const PANIC: u32 = 12;
    pub(crate) const INTERNAL: u32 = 13;

    /// The symbolic name of a status code, for messages and bindings.
    pub(crate) fn name(code: u32) -> &'static str {
        match code {
            OK => "OK",
            NULL_POINTER => "NULL_POINTER",
            INVALID_UTF8 => "INVALID_UTF8",
            INVALID_ARGUMENT => "INVALID_ARGUMENT",
            INVALID_NAME => "INVALID_NAME",
            INVALID_VALUE => "INVALID_VALUE",
            INVALID_CONFIG => "INVALID_CONFIG",
            WRONG_HANDLE => "WRONG_HANDLE",
            SHUTDOWN => "SHUTDOWN",
            TIMEOUT => "TIMEOUT",
            EXPORT_FAILED => "EXPORT_FAILED",
            REENTRANT_CALL => "REENTRANT_CALL",
            PANIC => "PANIC",
            INTERNAL => "INTERNAL",
            _ => "UNKNOWN",
        }
    }
}

/// A failure with its status code and a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub status: u32,
    pub message: String,
}

impl Error {
    pub fn new(status: u32, message: impl Into<String>) -> Self {
        Error { status, message: message.into() }
    }
    pub fn config(setting: &str, message: impl fmt::Display) -> Self {
        Error::new(status::INVALID_CONFIG, format!("invalid configuration `{setting}`: {message}"))
    }
    pub fn argument(message: impl Into<String>) -> Self {
        Error::new(status::INVALID_ARGUMENT, message)
    }
    pub fn value(message: impl Into<String>) -> Self {
        Error::new(status::INVALID_VALUE, message)
    }
    /// Cold and out of line: recording paths test for shutdown on every
    /// call and must not carry the message's construction inline.
    #[cold]
    #[inline(never)]
    pub fn shutdown() -> Self {
        Error::new(status::SHUTDOWN, "the meter provider has been shut down")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", status::name(self.status), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

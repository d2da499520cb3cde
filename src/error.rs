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

/// One table of the status codes, their names and what each means: the
/// constants below, `status::name` and the C API's `otelmetrics_status_name`
/// come from it, and `ffi::types` checks at compile time that the header's
/// `OTELMETRICS_STATUS_*` (literal there, because cbindgen reads them as
/// written) have the same values. Values are part of the ABI: only ever append.
macro_rules! status_table {
    ($($name:ident = $code:literal,)*) => {
        /// Status codes (see `status_table!`).
        pub(crate) mod status {
            use std::ffi::CStr;
            $(pub(crate) const $name: u32 = $code;)*

            /// Every name, NUL-terminated, indexed by code (codes are dense from 0).
            const NAMES: &[&CStr] = &[$(
                match CStr::from_bytes_with_nul(concat!(stringify!($name), "\0").as_bytes()) {
                    Ok(name) => name,
                    Err(_) => panic!("a status name holds no NUL"),
                },
            )*];
            /// How many codes there are.
            pub(crate) const COUNT: usize = NAMES.len();
            const _: () = {
                let codes = [$($code),*];
                let mut i = 0;
                while i < codes.len() {
                    assert!(codes[i] == i as u32, "status codes are dense from 0, in order");
                    i += 1;
                }
            };

            /// The symbolic name of a status code, NUL-terminated with static
            /// storage (for the C API); "UNKNOWN" for a code this version lacks.
            pub(crate) fn c_name(code: u32) -> &'static CStr {
                NAMES.get(code as usize).copied().unwrap_or(c"UNKNOWN")
            }

            /// The symbolic name of a status code, for messages and bindings.
            pub(crate) fn name(code: u32) -> &'static str {
                // Built from `stringify!` of identifiers: always ASCII.
                c_name(code).to_str().unwrap_or("UNKNOWN")
            }
        }
    };
}

status_table! {
    OK = 0,
    NULL_POINTER = 1,
    INVALID_UTF8 = 2,
    INVALID_ARGUMENT = 3,
    INVALID_NAME = 4,
    INVALID_VALUE = 5,
    INVALID_CONFIG = 6,
    WRONG_HANDLE = 7,
    SHUTDOWN = 8,
    TIMEOUT = 9,
    EXPORT_FAILED = 10,
    REENTRANT_CALL = 11,
    PANIC = 12,
    INTERNAL = 13,
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

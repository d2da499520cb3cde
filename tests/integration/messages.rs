//! Error messages quote what the caller passed; they stay one printable line
//! whatever it held (no forged log lines, no terminal escape sequences).

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use crate::common::*;
use otelmetrics::ffi::instruments_api::*;
use otelmetrics::ffi::*;
use std::ptr::null_mut;

#[test]
fn control_characters_in_names_are_escaped_in_the_last_error() {
    unsafe {
        let (p, m) = in_memory_provider(|_| {});
        let mut c = null_mut();
        let status =
            otelmetrics_meter_create_counter_u64(m, s("bad\nname\u{1b}[31m"), s(""), s(""), &mut c);
        assert_eq!(status, OTELMETRICS_STATUS_INVALID_NAME);
        let message = last_error();
        assert!(!message.chars().any(char::is_control), "{message:?}");
        assert!(message.contains("bad\\nname\\u{1b}[31m"), "{message:?}");
        close(p, m);
    }
}

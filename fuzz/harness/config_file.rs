//! The configuration file: arbitrary bytes as the YAML text a program
//! passes to `otelmetrics_provider_builder_set_config_yaml` (or names with
//! `OTEL_CONFIG_FILE`), read and resolved by the library's one resolver
//! against a map (the process environment is never touched). Text that is
//! not UTF-8 is refused by the C setter with INVALID_UTF8. Otherwise
//! resolution succeeds or fails with INVALID_CONFIG and a message, and a
//! substituted header value (`${SECRET}`) never appears in that message.

use super::check;
use super::values::view;
use otelmetrics::config::{resolve, ConfigSource, MapEnv, Settings};
use otelmetrics::ffi::builder::*;
use otelmetrics::ffi::*;

/// What `${SECRET}` substitutes: must never be quoted in a message.
const SECRET: &str = "hunter2-fuzz-secret";

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        let mut builder = std::ptr::null_mut();
        check::status(
            unsafe { otelmetrics_provider_builder_new(&mut builder) },
            &[],
            "builder_new",
        );
        let status = unsafe { otelmetrics_provider_builder_set_config_yaml(builder, view(data)) };
        assert_eq!(
            status,
            OTELMETRICS_STATUS_INVALID_UTF8,
            "set_config_yaml: {}",
            check::last_error()
        );
        unsafe { otelmetrics_provider_builder_free(builder) };
        return;
    };
    // Certificate paths are read by the resolver: keep the fuzzer away from
    // devices and FIFOs that would block (files are read up to 4 MiB).
    if ["/dev", "/proc", "/sys"].iter().any(|p| text.contains(p)) {
        return;
    }
    let env = MapEnv::default().with("PORT", "4318").with("SECRET", SECRET).with("EMPTY", "");
    let settings =
        Settings { config_file: Some(ConfigSource::Yaml(text.to_owned())), ..Settings::default() };
    if let Err(e) = resolve(&settings, &env) {
        assert_eq!(e.status, OTELMETRICS_STATUS_INVALID_CONFIG, "{e}");
        assert!(!e.message.is_empty());
        // Unless the text itself spells the secret (then a key or a
        // message may legitimately quote it).
        if !text.contains("hunter2") {
            assert!(!e.message.contains(SECRET), "a substituted value in: {}", e.message);
        }
    }
}

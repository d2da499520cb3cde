//! Environment values: any set of `OTEL_*` variables with arbitrary values,
//! resolved by the library's configuration resolver against a map (the
//! process environment is never touched, so this is safe to run on every
//! thread and in any order). Resolution either succeeds or fails with
//! INVALID_CONFIG naming a setting, and never quotes a header's value (a
//! secret) in its message.
//!
//! Certificate and key paths get the builder target's missing-directory
//! prefix, so no file is ever read.

use super::builder::NO_DIR;
use super::input::Input;
use otelmetrics::config::{resolve, MapEnv, Settings};
use otelmetrics::diagnostics::Level;
use otelmetrics::ffi::OTELMETRICS_STATUS_INVALID_CONFIG;

/// Every variable the resolver reads.
const NAMES: &[&str] = &[
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_METRICS_EXPORTER",
    "OTEL_METRIC_EXPORT_INTERVAL",
    "OTEL_METRIC_EXPORT_TIMEOUT",
    "OTEL_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_COMPRESSION",
    "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_INSECURE",
    "OTEL_EXPORTER_OTLP_METRICS_INSECURE",
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    "OTEL_EXPORTER_PROMETHEUS_HOST",
    "OTEL_EXPORTER_PROMETHEUS_PORT",
    "OTEL_EXPORTER_OTLP_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY",
    "OTEL_LOG_LEVEL",
];

fn is_path(name: &str) -> bool {
    name.ends_with("CERTIFICATE") || name.ends_with("CLIENT_KEY")
}

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mut env = MapEnv::default();
    while !input.is_empty() {
        let name = NAMES[input.u8() as usize % NAMES.len()];
        let raw = input.bytes();
        let value = if is_path(name) { [NO_DIR, &raw].concat() } else { raw };
        // The process environment can hold any bytes; the resolver sees
        // what std::env::var would give it: valid UTF-8 only.
        let Ok(value) = String::from_utf8(value) else { continue };
        if name == "OTEL_LOG_LEVEL" {
            let _ = Level::parse_threshold(&value);
        }
        env = env.with(name, &value);
    }
    if let Err(e) = resolve(&Settings::default(), &env) {
        assert_eq!(e.status, OTELMETRICS_STATUS_INVALID_CONFIG, "{e}");
        assert!(!e.message.is_empty());
        let (keys, values) = header_pairs(&env);
        // A value long enough that finding it is no accident, and that is
        // not also part of a header name or of another variable.
        let shown_elsewhere = |secret: &str| {
            keys.iter().any(|k| k.contains(secret))
                || env.0.iter().any(|(k, v)| !k.ends_with("HEADERS") && v.contains(secret))
        };
        for secret in values.iter().filter(|v| v.len() >= 8 && !shown_elsewhere(v)) {
            assert!(!e.message.contains(secret.as_str()), "a header value appears in the error: {e}");
        }
    }
}

/// The names and values of the header variables' entries; an entry
/// without `=` (e.g. `Authorization: Bearer ...`) counts as a value whole.
fn header_pairs(env: &MapEnv) -> (Vec<String>, Vec<String>) {
    let entries = env.0.iter().filter(|(k, _)| k.ends_with("HEADERS")).flat_map(|(_, v)| v.split(','));
    entries.map(|kv| kv.split_once('=').unwrap_or(("", kv))).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).unzip()
}

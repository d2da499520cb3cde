//! Environment values: any set of `OTEL_*` variables with arbitrary values,
//! resolved by the library's configuration resolver against a map (the
//! process environment is never touched, so this is safe to run on every
//! thread and in any order). Resolution either succeeds or fails with
//! INVALID_CONFIG naming a setting, and never quotes a header's value (a
//! secret) in its message: a value found in the message must still be there
//! when the value is blanked out (then it came from elsewhere, e.g. the
//! setting's name).
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
    "OTELMETRICS_OTLP_MAX_REQUEST_BYTES",
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
        for secret in
            header_values(&env).iter().filter(|v| v.len() >= 8 && e.message.contains(v.as_str()))
        {
            // Shown because of the value itself, or only because the same
            // text is also in a setting's name or elsewhere? Blank it out and
            // ask again: a message that no longer holds it had quoted it.
            let blanked = with_header_value_blanked(&env, secret);
            let again = resolve(&Settings::default(), &blanked)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(again.contains(secret.as_str()), "a header value appears in the error: {e}");
        }
    }
}

/// `env` with every header entry whose value is `secret` given `X`s for a
/// value instead (names untouched: they may be quoted).
fn with_header_value_blanked(env: &MapEnv, secret: &str) -> MapEnv {
    let blank = "X".repeat(secret.len());
    let blank_entry = |entry: &str| match entry.split_once('=') {
        Some((k, v)) if v.trim() == secret => format!("{k}={blank}"),
        None if entry.trim() == secret => blank.clone(),
        _ => entry.to_owned(),
    };
    let mut out = MapEnv::default();
    for (k, v) in &env.0 {
        let v = if k.ends_with("HEADERS") {
            v.split(',').map(blank_entry).collect::<Vec<_>>().join(",")
        } else {
            v.clone()
        };
        out = out.with(k, &v);
    }
    out
}

/// The values of the header variables' entries; an entry without `=`
/// (e.g. `Authorization: Bearer ...`) counts as a value whole.
fn header_values(env: &MapEnv) -> Vec<String> {
    let entries =
        env.0.iter().filter(|(k, _)| k.ends_with("HEADERS")).flat_map(|(_, v)| v.split(','));
    entries.map(|kv| kv.split_once('=').map_or(kv, |(_, v)| v).trim().to_owned()).collect()
}

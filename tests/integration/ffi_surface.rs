//! Mechanical checks of the C surface: every export goes through the panic
//! guard, every export is declared in the header, and the version constants
//! match Cargo.toml.

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::fs;
use std::path::Path;

fn ffi_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// Name and the start of the body of each `extern "C" fn` definition.
fn exported_functions(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(pos) = rest.find("extern \"C\" fn ") {
        let after = &rest[pos + "extern \"C\" fn ".len()..];
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // Function-pointer types (`Option<unsafe extern "C" fn(...)>`) have no name.
        if !name.is_empty() {
            // Skip the parameter list (balanced parentheses), then the body
            // starts at the next `{`.
            let mut depth = 0;
            let mut sig_end = None;
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            sig_end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(end) = sig_end {
                if let Some(b) = after[end..].find('{') {
                    found
                        .push((name, after[end + b + 1..].trim_start().chars().take(60).collect()));
                }
            }
        }
        rest = &after[1..];
    }
    found
}

const GUARDS: [&str; 7] = [
    "guard(",
    "guard_fast(",
    "guard_value(",
    "with_settings(",
    "with_prometheus_options(",
    "with_provider(",
    "with_view(",
];

#[test]
fn every_export_runs_inside_the_panic_guard() {
    let mut count = 0;
    for (file, source) in ffi_sources() {
        for (name, body) in exported_functions(&source) {
            count += 1;
            let body = body.trim_start_matches("super::");
            assert!(
                GUARDS.iter().any(|g| body.starts_with(g)),
                "{file}: `{name}` does not start its body with the guard: `{body}`"
            );
        }
    }
    assert!(count > 80, "found only {count} exports: the scanner is broken");
}

#[test]
fn wrappers_used_by_exports_are_themselves_guarded() {
    for (_, source) in ffi_sources() {
        for wrapper in ["fn with_settings(", "fn with_provider(", "fn with_view("] {
            if let Some(pos) = source.find(wrapper) {
                let body = &source[pos..];
                let open =
                    body.find(") -> otelmetrics_status {").expect("wrapper returns a status");
                let inside = body[open + ") -> otelmetrics_status {".len()..].trim_start();
                assert!(inside.starts_with("guard("), "{wrapper} must start with guard(");
            }
        }
    }
}

#[test]
fn every_export_is_declared_in_the_header() {
    let header =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/otelmetrics.h"))
            .unwrap();
    for (file, source) in ffi_sources() {
        for (name, _) in exported_functions(&source) {
            assert!(name.starts_with("otelmetrics_"), "{file}: export `{name}` lacks the prefix");
            assert!(
                header.contains(&format!("{name}(")),
                "{file}: `{name}` is missing from the header"
            );
        }
    }
}

#[test]
fn version_constants_match_cargo_toml() {
    use otelmetrics::ffi::*;
    assert_eq!(OTELMETRICS_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
    assert_eq!(OTELMETRICS_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
    assert_eq!(OTELMETRICS_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
    let runtime =
        unsafe { std::ffi::CStr::from_ptr(otelmetrics::ffi::errors::otelmetrics_version()) };
    assert_eq!(runtime.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

//! The fuzz targets' bodies, shared by the cargo-fuzz binaries
//! (fuzz_targets/*.rs) and by the corpus replay test
//! (tests/integration/fuzz_corpus_replay.rs), which both include this folder with
//! `#[path]`. Each target decodes arbitrary bytes into calls of the C entry
//! points (the same `extern "C"` functions a C program links to) and checks
//! what must hold whatever the input: no panic (libFuzzer aborts on any,
//! even one the library would catch), never `PANIC` or `INTERNAL`, only
//! the statuses the header documents for that call, and a last-error message
//! with every failure.

pub mod check;
pub mod input;
pub mod session;
pub mod values;

pub mod attributes;
pub mod builder;
pub mod config_file;
pub mod env;
pub mod instruments;
pub mod meter;
pub mod views;

/// A fuzz target: its corpus folder's name and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target by the name of its corpus folder (fuzz/corpus/<name>/).
pub const TARGETS: &[Target] = &[
    ("attributes", attributes::run),
    ("instruments", instruments::run),
    ("meter", meter::run),
    ("builder", builder::run),
    ("views", views::run),
    ("env", env::run),
    ("config_file", config_file::run),
];

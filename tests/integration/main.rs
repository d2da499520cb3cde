//! The Rust integration tests, one module per subject, in one test binary:
//! each binary links the whole dependency tree with thin LTO (about 35 s of
//! a 2-core machine apiece), so eight binaries cost CI minutes and one does
//! not. A test that needs a process of its own (process-wide state it must
//! see untouched) is a file of its own in tests/ instead, as
//! tests/exemplars_thread_exit.rs is.
//!
//! One subject: `cargo test --release --test integration views::`.

mod common;

mod exemplars;
mod ffi_surface;
mod fuzz_corpus_replay;
mod messages;
mod observables;
mod pipeline;
mod prometheus;
mod views;

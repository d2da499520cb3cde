//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/) through
//! the same harness the cargo-fuzz targets run (fuzz/harness/), so plain
//! `cargo test` on stable Rust keeps every seed and every past finding
//! passing, without cargo-fuzz or libFuzzer.
//!
//! Findings not fixed yet are listed in fuzz/known-findings.txt. Each runs
//! in a child process (some abort the process, past any catch_unwind) and
//! must still fail there, so a fix is noticed and the line removed.

// Test code calls the C API with pointers it has just made, valid for the
// call; a SAFETY comment on each of those blocks would say only that.
#![allow(clippy::undocumented_unsafe_blocks)]

#[allow(dead_code)]
#[path = "../../fuzz/harness/mod.rs"]
mod harness;

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TEST_NAME: &str = "every_committed_corpus_file_replays_cleanly";
/// Set in a child process: replay only this `<target>/<file>`.
const ONE_FILE: &str = "OTELMETRICS_FUZZ_REPLAY_ONE";

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn known_findings() -> BTreeSet<String> {
    let text = std::fs::read_to_string(fuzz_dir().join("known-findings.txt"))
        .expect("fuzz/known-findings.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().expect("a corpus path").to_owned())
        .collect()
}

fn target_fn(target: &str) -> fn(&[u8]) {
    harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, run)| *run)
        .expect("a known target")
}

/// Every corpus file as `<target>/<file>`, sorted.
fn corpus_files() -> Vec<String> {
    let mut all = Vec::new();
    for (target, _) in harness::TARGETS {
        let dir = fuzz_dir().join("corpus").join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| {
                entry
                    .expect("a readable corpus entry")
                    .file_name()
                    .into_string()
                    .expect("a UTF-8 name")
            })
            .collect();
        assert!(!files.is_empty(), "no corpus for target {target}");
        files.sort();
        all.extend(files.into_iter().map(|f| format!("{target}/{f}")));
    }
    all
}

fn replay(name: &str) {
    let (target, _) = name.split_once('/').expect("<target>/<file>");
    let data = std::fs::read(fuzz_dir().join("corpus").join(name)).expect("a readable corpus file");
    target_fn(target)(&data);
}

/// Replays one file in a child process; true when it failed there (a
/// panic, or an abort the parent could not have survived).
fn fails_in_a_child(name: &str) -> bool {
    // The harness names a test by its path below the crate: <module>::<fn>.
    let (_crate, module) = module_path!().split_once("::").expect("a module of the test crate");
    let status = Command::new(std::env::current_exe().expect("the test binary"))
        .args([&format!("{module}::{TEST_NAME}"), "--exact", "--test-threads=1"])
        .env(ONE_FILE, name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the test binary runs");
    !status.success()
}

#[test]
fn every_committed_corpus_file_replays_cleanly() {
    if let Ok(one) = std::env::var(ONE_FILE) {
        replay(&one);
        return;
    }
    let known = known_findings();
    let files = corpus_files();
    let (mut unexpected, mut fixed) = (Vec::new(), Vec::new());
    for name in &files {
        if known.contains(name) {
            if !fails_in_a_child(name) {
                fixed.push(name.clone());
            }
        } else if catch_unwind(AssertUnwindSafe(|| replay(name))).is_err() {
            unexpected.push(name.clone());
        }
    }
    let missing: Vec<_> = known.iter().filter(|k| !files.contains(k)).collect();
    eprintln!("replayed {} corpus files ({} known findings)", files.len(), known.len());
    assert!(
        unexpected.is_empty(),
        "corpus files that fail their target's checks:\n{}",
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "fixed (remove them from fuzz/known-findings.txt):\n{}",
        fixed.join("\n")
    );
    assert!(
        missing.is_empty(),
        "fuzz/known-findings.txt lists files not in the corpus: {missing:?}"
    );
}

/// The targets are written in three places cargo-fuzz and this test each
/// need: the harness's `TARGETS`, fuzz/Cargo.toml's `[[bin]]`s (which
/// fuzz/run-short.sh runs, through `cargo fuzz list`) and fuzz_targets/.
#[test]
fn the_harness_cargo_fuzz_and_fuzz_targets_list_the_same_targets() {
    let mut harness: Vec<String> = harness::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    harness.sort();
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut bins: Vec<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|bin| {
            let line = bin.lines().find(|l| l.trim_start().starts_with("name"))?;
            Some(line.split('"').nth(1)?.to_owned())
        })
        .collect();
    bins.sort();
    let mut sources: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .map(|e| {
            e.expect("an entry").file_name().to_string_lossy().trim_end_matches(".rs").to_owned()
        })
        .collect();
    sources.sort();
    assert_eq!(bins, harness, "fuzz/Cargo.toml's [[bin]]s against the harness's TARGETS");
    assert_eq!(sources, harness, "fuzz/fuzz_targets/ against the harness's TARGETS");
}

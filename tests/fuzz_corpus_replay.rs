//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/) through
//! the same harness the cargo-fuzz targets run (fuzz/harness/), so plain
//! `cargo test` on stable Rust keeps every seed and every past finding
//! passing, without cargo-fuzz or libFuzzer. Findings not fixed yet are
//! listed in fuzz/known-findings.txt and must still fail, so a fix is
//! noticed (and the line removed).

#[allow(dead_code)]
#[path = "../fuzz/harness/mod.rs"]
mod harness;

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

fn known_findings(fuzz: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(fuzz.join("known-findings.txt")).expect("fuzz/known-findings.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().expect("a corpus path").to_owned())
        .collect()
}

#[test]
fn every_committed_corpus_file_replays_cleanly() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let known = known_findings(&fuzz);
    let (mut unexpected, mut fixed, mut replayed) = (Vec::new(), Vec::new(), 0);
    // The harness asserts by panicking; the panic message is part of the
    // report, the default hook prints it.
    for (target, run) in harness::TARGETS {
        let dir = fuzz.join("corpus").join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable corpus entry").file_name().into_string().expect("an ASCII name"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for target {target}");
        for file in files {
            let data = std::fs::read(dir.join(&file)).expect("a readable corpus file");
            let name = format!("{target}/{file}");
            let failed = catch_unwind(AssertUnwindSafe(|| run(&data))).is_err();
            replayed += 1;
            match (failed, known.contains(&name)) {
                (true, false) => unexpected.push(name),
                (false, true) => fixed.push(name),
                _ => {}
            }
        }
    }
    eprintln!("replayed {replayed} corpus files ({} known findings)", known.len());
    assert!(unexpected.is_empty(), "corpus files that fail their target's checks:\n{}", unexpected.join("\n"));
    assert!(fixed.is_empty(), "fixed (remove them from fuzz/known-findings.txt):\n{}", fixed.join("\n"));
}

#!/usr/bin/env bash
# Runs every fuzz target for a short while, as CI can:
#   bash fuzz/run-short.sh [SECONDS_PER_TARGET]   (default 60)
# Works on stable Rust: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly
# flags (-Zsanitizer=address). Installs the pinned cargo-fuzz if missing. The run
# starts from a scratch copy of the committed corpus, so what libFuzzer adds
# never lands in the repository;
# a crash leaves its reproducer in fuzz/artifacts/<target>/, the other
# targets still run, and the script fails at the end. Prints how long each
# step took.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-60}
# OTELMETRICS_FUZZ_SEED fixes libFuzzer's random seed: a CI run then tries a
# prefix of the inputs a longer local run with the same seed tried.
SEED_FLAG=${OTELMETRICS_FUZZ_SEED:+-seed=$OTELMETRICS_FUZZ_SEED}
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

start=$(date +%s)
CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  t=$(date +%s)
  bash ../tests/peers/cargo-install-tool.sh cargo-fuzz "$CARGO_FUZZ_VERSION"
  echo "installed cargo-fuzz in $(elapsed "$t")"
fi
# Resolve the library's dependencies exactly as the main build does: start
# from its lock file (cargo adds libFuzzer's few crates to it).
[ -f Cargo.lock ] || cp ../Cargo.lock Cargo.lock
t=$(date +%s)
cargo fuzz build -O
echo "built the fuzz targets in $(elapsed "$t")"

# The targets are the [[bin]]s of fuzz/Cargo.toml (the replay test checks
# they match fuzz/harness/mod.rs's TARGETS and fuzz_targets/).
mapfile -t TARGETS < <(cargo fuzz list)
[ "${#TARGETS[@]}" -gt 0 ] || { echo "cargo fuzz list named no target" >&2; exit 1; }
failed=()
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${TARGETS[@]}"; do
  # Seeds: the committed corpus minus the findings not fixed yet (those
  # would stop the run at once; the replay test keeps an eye on them).
  mkdir -p "$scratch/$target"
  for f in corpus/"$target"/*; do
    grep -q "^$target/$(basename "$f") " known-findings.txt || cp "$f" "$scratch/$target/"
  done
  t=$(date +%s)
  # -timeout: one input taking this long is a hang, reported as a finding.
  rc=0
  cargo fuzz run -O "$target" "$scratch/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 ${SEED_FLAG} >"$scratch/$target.log" 2>&1 || rc=$?
  grep -aE "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|panicked at|==[0-9]+==ERROR|Test unit written|^SUMMARY" \
    "$scratch/$target.log" || true
  grep -aA1 "panicked at" "$scratch/$target.log" | tail -1 || true
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $target found a problem; reproducer in fuzz/artifacts/$target/"
    failed+=("$target")
  fi
  echo "ran $target for $(elapsed "$t")"
done
echo "total $(elapsed "$start")"
if [ ${#failed[@]} -gt 0 ]; then
  echo "targets with findings: ${failed[*]}"
  exit 1
fi

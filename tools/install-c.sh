#!/usr/bin/env bash
# Installs otelmetrics for C and C++ into a prefix:
#   bash tools/install-c.sh --prefix=/usr/local [more `cargo cinstall` options]
# giving <libdir>/libotelmetrics.so.X.Y.Z with its soname link and dev link,
# libotelmetrics.a, <libdir>/pkgconfig/otelmetrics.pc (Libs.private from
# rustc's native static libraries), <includedir>/otelmetrics.h and the CMake
# package <datadir>/cmake/otelmetrics/ (find_package(otelmetrics CONFIG)).
#
# The install itself is cargo-c's (`cargo cinstall`, installed by
# `cargo install cargo-c`). This script adds the one thing cargo-c does not do
# on Linux: the installed libraries are stripped and the shared library's
# debug info is installed beside it (libotelmetrics.so.X.Y.Z.debug, linked by
# .gnu_debuglink; tools/split-debuginfo.sh). So it lets cargo-c install into a
# staging directory, strips there, then copies files and links into place
# (never changing existing directories). `--destdir=DIR` is honoured as by
# cargo cinstall.
set -euo pipefail
caller=$PWD
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo cinstall --version >/dev/null 2>&1; then
  echo "tools/install-c.sh: cargo-c is missing; install it with: cargo install --locked cargo-c --version 0.10.24" >&2
  exit 1
fi

root=""
args=()
for arg in "$@"; do
  case "$arg" in
    --destdir=*) root=$(absolute "${arg#--destdir=}") ;;
    --prefix=*) args+=("--prefix=$(absolute "${arg#--prefix=}")") ;;
    --destdir|--prefix) echo "tools/install-c.sh: write $arg=DIR" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cargo cinstall --release --destdir="$stage" "${args[@]}"

while IFS= read -r -d '' library; do
  tools/split-debuginfo.sh "$library"
done < <(find "$stage" \( -name 'libotelmetrics.so.*' -o -name 'libotelmetrics.a' \) -type f ! -name '*.debug' -print0)

cd "$stage"
while IFS= read -r -d '' entry; do
  mkdir -p "$root/$(dirname "$entry")"
  cp -P --preserve=mode,timestamps --remove-destination "$entry" "$root/$entry"
done < <(find . \( -type f -o -type l \) -print0)

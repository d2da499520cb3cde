#!/usr/bin/env bash
# Strips a library we ship and keeps its debug info beside it, as distributions
# do (debug file + .gnu_debuglink, so gdb and crash tools find it):
#   tools/split-debuginfo.sh libotelmetrics.so.0.1.0 [DEBUG_FILE]
#     -> DEBUG_FILE (default: the library's path + ".debug") holds the debug
#        info and the full symbol table; the library keeps only what it needs
#        to load and a debuglink naming DEBUG_FILE (found by gdb in the same
#        directory, or under /usr/lib/debug/<dir>).
#   tools/split-debuginfo.sh libotelmetrics.a
#     -> debug info removed (a static library's debug info belongs to the
#        program it is linked into; none is kept).
# Used by tools/install-c.sh (C installs and the Julia artifact) and the
# Python wheel build (bindings/python/setup.py), so every shipped copy is
# stripped the same way.
set -euo pipefail
library=$1
case "$library" in
  *.a)
    objcopy --strip-debug "$library"
    ;;
  *)
    debug=${2:-$library.debug}
    objcopy --only-keep-debug --compress-debug-sections=zlib "$library" "$debug"
    chmod 0644 "$debug"
    objcopy --strip-unneeded --remove-section=.comment --add-gnu-debuglink="$debug" "$library"
    ;;
esac

# BinaryBuilder recipe for OtelMetrics_jll, to be submitted to Yggdrasil as
# O/OtelMetrics/build_tarballs.jl when otelmetrics is published (the source
# address and release commit below are filled in then). It builds the same
# artifact bindings/julia/artifact/make_artifact.py makes locally: the shared
# library with its soname, the header and the license, for every platform
# Rust and BinaryBuilder share.
#
# Run locally with `julia build_tarballs.jl --debug --verbose`.
using BinaryBuilder, Pkg

name = "OtelMetrics"
version = v"0.1.0"

sources = [
    # GitSource("<public repository of otelmetrics>", "<commit of the v0.1.0 tag>"),
    DirectorySource("../../../../.."; target="otelmetrics"),
]

# cargo builds the cdylib for ${rust_target}; BinaryBuilder's audit gives it
# a soname and checks that it links only what the platform provides.
script = raw"""
cd ${WORKSPACE}/srcdir/otelmetrics
cargo build --release --locked --lib --target ${rust_target} -j${nproc}
install -Dvm 0755 "target/${rust_target}/release/libotelmetrics.${dlext}" "${libdir}/libotelmetrics.${dlext}"
install -Dvm 0644 include/otelmetrics.h "${includedir}/otelmetrics.h"
install_license LICENSE
"""

# 64-bit POSIX platforms: the library's fork handling (pthread_atfork) and
# signal masks are POSIX; 32-bit targets are untested.
platforms = supported_platforms(; exclude = p -> nbits(p) == 32 || Sys.iswindows(p))

products = [
    LibraryProduct("libotelmetrics", :libotelmetrics),
    FileProduct("include/otelmetrics.h", :otelmetrics_h),
]

dependencies = Dependency[]

build_tarballs(ARGS, name, version, sources, script, platforms, products, dependencies;
               compilers = [:c, :rust], julia_compat = "1.9", preferred_gcc_version = v"8")

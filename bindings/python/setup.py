"""Builds the Rust library into the wheel (metadata: pyproject.toml).

setuptools-rust runs ``cargo rustc --lib --crate-type cdylib --locked`` on
``crate/Cargo.toml`` and copies the library into the package as
``otelmetrics/libotelmetrics.abi3.so``, which ``otelmetrics._library`` loads
with ctypes. The library uses no Python API at all, so one wheel serves every
CPython from 3.9 on: it is tagged ``cp39-abi3`` (setuptools' limited-API
option), then ``auditwheel repair`` gives it its ``manylinux_*`` tag.

Two additions to setuptools-rust:
- the shipped library is stripped by ``tools/split-debuginfo.sh`` (the one
  used for the C install), which keeps its debug info in
  ``$OTELMETRICS_DEBUGINFO_DIR`` (default ``build/debuginfo`` here) as
  ``libotelmetrics.abi3.so.debug``, named by the library's .gnu_debuglink;
- in a checkout, ``crate/`` holds links into the repository, and cargo is
  given the resolved manifest, so it builds in the repository's own
  ``target/`` (an up-to-date build costs nothing) rather than a second tree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools_rust import Binding, RustExtension
from setuptools_rust.build import build_rust

HERE = Path(__file__).resolve().parent
CRATE = HERE / "crate"
MANIFEST = (CRATE / "Cargo.toml").resolve()          # the repository's in a checkout
SPLIT_DEBUGINFO = (CRATE / "tools" / "split-debuginfo.sh").resolve()


class build_rust_stripped(build_rust):
    """setuptools-rust's build, then the shipped copy stripped with its debug info kept aside."""

    def install_extension(self, ext, dylib_paths, build_artifact_dir):
        super().install_extension(ext, dylib_paths, build_artifact_dir)
        if self._is_debug_build(ext):
            return
        debug_dir = Path(os.environ.get("OTELMETRICS_DEBUGINFO_DIR", HERE / "build" / "debuginfo"))
        debug_dir.mkdir(parents=True, exist_ok=True)
        for module_name, _ in dylib_paths:
            shipped = Path(self.get_dylib_ext_path(ext, module_name))
            subprocess.run(["bash", str(SPLIT_DEBUGINFO), str(shipped), str(debug_dir / f"{shipped.name}.debug")],
                           check=True)


setup(
    rust_extensions=[
        RustExtension("otelmetrics.libotelmetrics", path=str(MANIFEST), binding=Binding.NoBinding,
                      args=["--locked"], py_limited_api="auto"),
    ],
    cmdclass={"build_rust": build_rust_stripped},
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
)

"""Build hook: compiles the Rust library with cargo and ships
``libotelmetrics.so`` inside the package, so ``import otelmetrics`` needs no
environment variable.

The crate is the repository containing this directory (``../..``), found by
walking up from this file; ``OTELMETRICS_CARGO_DIR`` names it explicitly
(e.g. when the package directory was copied elsewhere). The build uses the
crate's own ``target/`` directory (``CARGO_TARGET_DIR`` is respected), so an
up-to-date build costs nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LIBRARY = "libotelmetrics.so"


def crate_dir() -> Path:
    explicit = os.environ.get("OTELMETRICS_CARGO_DIR")
    if explicit:
        return Path(explicit).resolve()
    for parent in HERE.parents:
        if (parent / "Cargo.toml").is_file() and (parent / "include" / "otelmetrics.h").is_file():
            return parent
    raise SystemExit(f"otelmetrics: no Cargo.toml above {HERE}; set OTELMETRICS_CARGO_DIR to the crate")


def cargo() -> str:
    found = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    if not Path(found).exists():
        raise SystemExit("otelmetrics: cargo not found (install Rust: https://rustup.rs)")
    return found


class BuildWithLibrary(build_py):
    """build_py, plus ``cargo build --release`` and a copy of the library."""

    def run(self) -> None:
        super().run()
        crate = crate_dir()
        subprocess.run([cargo(), "build", "--release", "--lib"], cwd=crate, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", crate / "target"))
        if not target.is_absolute():
            target = crate / target
        built = target / "release" / LIBRARY
        destination = Path(self.build_lib) / "otelmetrics" / LIBRARY
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, destination)


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)

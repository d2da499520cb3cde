"""Finds, loads and version-checks the shared library, once per process.

Lookup order (as bindings/python/README.md, Install, says): ``OTELMETRICS_LIB``, the copy shipped inside
this package (``libotelmetrics.abi3.so``, the name setuptools-rust gives it:
the library uses no Python API, so the wheel is tagged for every CPython),
then a development build in the repository (``target/release``). The library's ``otelmetrics_version()`` must have the
major and minor version of the header the declarations were written for.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import List, Optional

from ._ffi import HEADER_VERSION, Functions
from .errors import LibraryVersionError

LIBRARY_FILE = "libotelmetrics.so"            # cargo's name (target/release)
PACKAGED_FILE = "libotelmetrics.abi3.so"      # the wheel's copy (setup.py)
_PACKAGE_DIR = Path(__file__).resolve().parent


def candidate_paths() -> List[Path]:
    """Where the library is looked for, in order."""
    found: List[Path] = []
    explicit = os.environ.get("OTELMETRICS_LIB")
    if explicit:
        return [Path(explicit)]   # an explicit choice is never silently replaced
    found.append(_PACKAGE_DIR / PACKAGED_FILE)
    for parent in _PACKAGE_DIR.parents:   # a source checkout: bindings/python/src/otelmetrics
        if (parent / "Cargo.toml").is_file():
            found.append(parent / "target" / "release" / LIBRARY_FILE)
            break
    return found


def _check_version(lib: ctypes.CDLL, path: Path) -> str:
    """Checked before anything else is bound, so a library of another version
    fails with this message rather than a missing symbol."""
    version_fn = lib.otelmetrics_version
    version_fn.restype, version_fn.argtypes = ctypes.c_char_p, []
    raw = version_fn()
    version = raw.decode("utf-8", "replace") if raw else ""
    try:
        got = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        got = ()
    if got != HEADER_VERSION[:2]:
        want = ".".join(map(str, HEADER_VERSION))
        raise LibraryVersionError(
            f"{path} is otelmetrics {version!r}, but this Python package was made for {want} "
            f"(same major.minor needed): reinstall the package or point OTELMETRICS_LIB at a matching build")
    return version


def load(paths: Optional[List[Path]] = None) -> "tuple[Functions, str, Path]":
    """Loads the first library that exists; returns its functions, version and path."""
    tried = paths if paths is not None else candidate_paths()
    for path in tried:
        if path.is_file():
            # CDLL (not PyDLL) releases the GIL during calls, so the export thread can
            # run Python callbacks while this thread waits in force_flush/shutdown.
            lib = ctypes.CDLL(str(path))
            version = _check_version(lib, path)
            return Functions(lib), version, path
    raise ImportError("otelmetrics: shared library not found; looked at "
                      + ", ".join(str(p) for p in tried)
                      + " (pip install the package, build with `cargo build --release`, or set OTELMETRICS_LIB)")


FNS, LIBRARY_VERSION, LIBRARY_PATH = load()

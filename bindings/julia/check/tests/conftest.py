"""Fixtures for the Julia binding's checker tests.

- ``repo`` (session): the checks' inputs for the real package (every .jl
  file of bindings/julia and examples/julia, the real header, the built
  library's exports).
- ``fixture_problems(name, check, ...)``: runs one check on a deliberately
  broken fixture from ``fixtures/`` and returns the problems it found there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CHECK_DIR = Path(__file__).resolve().parent.parent
if str(CHECK_DIR) not in sys.path:
    sys.path.insert(0, str(CHECK_DIR))

from jlcheck import julia_source as js  # noqa: E402
from jlcheck.checks import CHECKS, Inputs  # noqa: E402
from jlcheck.header import exported_symbols, load_header  # noqa: E402
from jlcheck.repo import FIXTURES, HEADER, LIBRARY, LOW_LEVEL_MODULE, repo_inputs  # noqa: E402


@pytest.fixture(scope="session")
def repo() -> Inputs:
    if not LIBRARY.is_file():
        pytest.fail(f"{LIBRARY} is missing: build it with `cargo build --release` first")
    return repo_inputs()


@pytest.fixture(scope="session")
def fixture_problems():
    exports = exported_symbols(LIBRARY)

    def run(name: str, check: str, *, header: str | None = None, with_package: bool = True):
        """Problems `check` finds in fixture `name`. With `with_package`, the
        real LibOtelMetrics.jl is read too (for the types it defines), and
        only problems located in the fixture count."""
        fixture = FIXTURES / name
        header_path = FIXTURES / header if header else HEADER
        files = [fixture] + ([LOW_LEVEL_MODULE] if with_package else [])
        inputs = Inputs(files=js.load(files), header=load_header(header_path), header_path=header_path,
                        exports=exports)
        problems = CHECKS[check](inputs)
        return [p for p in problems if p.where.startswith(str(fixture)) or p.where in inputs.header.records]

    return run

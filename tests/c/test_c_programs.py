"""Builds every C test program in tests/c (C11, -Wall -Wextra -Werror
-pedantic) against the release library and runs it three ways: plain,
under valgrind memcheck, and built with AddressSanitizer + UBSan (see
c_memory_checkers.py for what counts as a report). A program checks its
own behaviour (exit status 0 and an "<name>: ok" line); the memory checkers
must report nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(HERE))
from c_memory_checkers import (SANITIZE, assert_sanitizers_clean, assert_valgrind_clean,  # noqa: E402
                               run_plain, run_sanitized, run_valgrind)
from peers.cprog import compile_c  # noqa: E402

PROGRAMS = sorted(p.stem for p in HERE.glob("*.c"))
STRICT = ("-std=c11", "-pedantic", "-pthread", "-I", str(HERE))
LIBS = ("-lm",)


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """build(program, sanitized) -> executable, compiled once per session."""
    built: dict[tuple[str, bool], Path] = {}

    def get(program: str, sanitized: bool) -> Path:
        key = (program, sanitized)
        if key not in built:
            out = tmp_path_factory.mktemp(f"{Path(program).name}-{'asan' if sanitized else 'plain'}")
            extra = STRICT + (SANITIZE if sanitized else ()) + LIBS
            built[key] = compile_c(HERE / f"{program}.c", out, *extra)
        return built[key]

    return get


def assert_passed(r: subprocess.CompletedProcess, program: str) -> None:
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-8000:]}"
    assert f"{program}: ok" in r.stdout, r.stdout[-4000:]


@pytest.mark.parametrize("program", PROGRAMS)
def test_plain(build, program, tmp_path):
    assert_passed(run_plain(build(program, False), [str(tmp_path)]), program)


@pytest.mark.parametrize("program", PROGRAMS)
def test_valgrind_memcheck(build, program, tmp_path):
    r = run_valgrind(build(program, False), [str(tmp_path)])
    assert_passed(r, program)
    assert_valgrind_clean(r)


@pytest.mark.parametrize("program", PROGRAMS)
def test_asan_ubsan(build, program, tmp_path):
    r = run_sanitized(build(program, True), [str(tmp_path)])
    assert_passed(r, program)
    assert_sanitizers_clean(r)


@pytest.mark.parametrize("checker", ["valgrind", "asan"])
def test_the_memory_checkers_catch_a_deliberate_leak(build, checker, tmp_path):
    """Proves the two runs above can fail: a program leaking a block of its
    own and a library attribute set is reported by each checker."""
    if checker == "valgrind":
        r = run_valgrind(build("selftest/leaks_on_purpose", False), [str(tmp_path)])
        assert r.returncode == 99, r.stderr[-4000:]
        assert "definitely lost" in r.stderr and "otelmetrics_attributes_new" in r.stderr, r.stderr[-4000:]
    else:
        r = run_sanitized(build("selftest/leaks_on_purpose", True), [str(tmp_path)])
        assert r.returncode != 0, r.stderr[-4000:]
        assert "ERROR: LeakSanitizer" in r.stderr and "otelmetrics_attributes_new" in r.stderr, r.stderr[-4000:]

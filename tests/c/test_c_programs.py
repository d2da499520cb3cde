"""Builds every C test program in tests/c (C11, -Wall -Wextra -Werror
-pedantic) against the release library and runs it three ways: plain,
under valgrind memcheck, and built with AddressSanitizer + UBSan. A program
checks its own behaviour (exit status 0 and an "<name>: ok" line); the
memory checkers must report nothing.

Valgrind: only definite leaks and errors fail. The Rust runtime's threads
(the export thread, the background shutdown thread) can legitimately be
alive at exit, which valgrind counts as "possibly lost" or "still
reachable"; those are not the program's or the library's leaks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from peers.cprog import compile_c  # noqa: E402

PROGRAMS = sorted(p.stem for p in HERE.glob("*.c"))
STRICT = ("-std=c11", "-pedantic", "-pthread", "-I", str(HERE))
SANITIZE = ("-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g")
LIBS = ("-lm",)
TIMEOUT_S = 120

VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--track-origins=no"]
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


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


def run(cmd: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs with the work directory as argument and no OTEL_* settings from
    the caller's environment (the programs configure what they test)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    full_env = {**clean, "OTEL_LOG_LEVEL": "error", **(env or {})}
    return subprocess.run(cmd + [str(tmp_path)], capture_output=True, text=True, timeout=TIMEOUT_S, env=full_env)


def run_valgrind(exe: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    assert shutil.which("valgrind"), "valgrind is missing (tests/peers/install-tools.sh installs it)"
    return run(VALGRIND + [str(exe)], tmp_path)


def run_sanitized(exe: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return run([str(exe)], tmp_path, SANITIZER_ENV)


def assert_passed(r: subprocess.CompletedProcess, program: str) -> None:
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-8000:]}"
    assert f"{program}: ok" in r.stdout, r.stdout[-4000:]


@pytest.mark.parametrize("program", PROGRAMS)
def test_plain(build, program, tmp_path):
    assert_passed(run([str(build(program, False))], tmp_path), program)


@pytest.mark.parametrize("program", PROGRAMS)
def test_valgrind_memcheck(build, program, tmp_path):
    r = run_valgrind(build(program, False), tmp_path)
    assert_passed(r, program)
    # Definite leaks count in this summary too (--errors-for-leak-kinds=definite).
    assert "ERROR SUMMARY: 0 errors" in r.stderr, r.stderr[-8000:]


@pytest.mark.parametrize("program", PROGRAMS)
def test_asan_ubsan(build, program, tmp_path):
    r = run_sanitized(build(program, True), tmp_path)
    assert_passed(r, program)
    for report in SANITIZER_REPORTS:
        assert report not in r.stderr, r.stderr[-8000:]


@pytest.mark.parametrize("checker", ["valgrind", "asan"])
def test_the_memory_checkers_catch_a_deliberate_leak(build, checker, tmp_path):
    """Proves the two runs above can fail: a program leaking a block of its
    own and a library attribute set is reported by each checker."""
    if checker == "valgrind":
        r = run_valgrind(build("selftest/leaks_on_purpose", False), tmp_path)
        assert r.returncode == 99, r.stderr[-4000:]
        assert "definitely lost" in r.stderr and "otelmetrics_attributes_new" in r.stderr, r.stderr[-4000:]
    else:
        r = run_sanitized(build("selftest/leaks_on_purpose", True), tmp_path)
        assert r.returncode != 0, r.stderr[-4000:]
        assert "ERROR: LeakSanitizer" in r.stderr and "otelmetrics_attributes_new" in r.stderr, r.stderr[-4000:]

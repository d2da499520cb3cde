"""Running a C program plainly, under valgrind memcheck, or built with
AddressSanitizer + UBSan, and judging what the checkers report. Shared by
test_c_programs.py and test_examples.py.

Valgrind: only definite leaks and errors count. The Rust runtime's threads
(the export thread, the background shutdown thread) can legitimately be
alive at exit, which valgrind calls "possibly lost" or "still reachable";
those are neither the program's leaks nor the library's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Compiler flags of the sanitized build (the library itself is the normal
# release build: only the C side is instrumented, ASan still sees every
# allocation the library makes through malloc).
SANITIZE = ("-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g")
VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--track-origins=no"]
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
TIMEOUT_S = 120


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's OTEL_* settings (programs
    configure what they test), quiet diagnostics, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return {**env, "OTEL_LOG_LEVEL": "error", **extra}


def run_plain(exe: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=clean_env(**env))


def run_valgrind(exe: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    assert shutil.which("valgrind"), "valgrind is missing (tests/peers/install-tools.sh installs it)"
    return subprocess.run([*VALGRIND, str(exe), *args], capture_output=True, text=True, timeout=TIMEOUT_S,
                          env=clean_env(**env))


def run_sanitized(exe: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Runs an executable built with SANITIZE."""
    return run_plain(exe, args, **SANITIZER_ENV, **env)


def assert_valgrind_clean(r: subprocess.CompletedProcess) -> None:
    # Definite leaks count in this summary too (--errors-for-leak-kinds=definite).
    assert "ERROR SUMMARY: 0 errors" in r.stderr, r.stderr[-8000:]


def assert_sanitizers_clean(r: subprocess.CompletedProcess) -> None:
    for report in SANITIZER_REPORTS:
        assert report not in r.stderr, r.stderr[-8000:]

"""Builds the C test programs against the repository's header and release
library (rpath set, so they run without LD_LIBRARY_PATH)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def compile_c(source: str | Path, out_dir: Path, *extra: str) -> Path:
    """Compiles ``source`` (absolute, or relative to the repository) with
    ``-Wall -Wextra -Werror`` into ``out_dir`` and returns the executable."""
    src = Path(source) if Path(source).is_absolute() else ROOT / source
    exe = Path(out_dir) / src.stem
    lib = ROOT / "target" / "release"
    subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", str(src), "-I", str(ROOT / "include"), "-L", str(lib),
                    "-lotelmetrics", f"-Wl,-rpath,{lib}", "-o", str(exe), *extra], check=True)
    return exe


def program_env(**settings: str) -> dict[str, str]:
    """The environment for a program under test: this process's, without
    any OTEL_* variable of the caller's (the test sets what it tests), plus
    ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(settings)
    return env

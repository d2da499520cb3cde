"""Where the real inputs live in the repository."""

from __future__ import annotations

from pathlib import Path

from . import julia_source as js
from .checks import Inputs
from .header import exported_symbols, load_header

CHECK_DIR = Path(__file__).resolve().parent.parent          # bindings/julia/check
ROOT = CHECK_DIR.parents[2]
HEADER = ROOT / "include" / "otelmetrics.h"
LIBRARY = ROOT / "target" / "release" / "libotelmetrics.so"
FIXTURES = CHECK_DIR / "tests" / "fixtures"
LOW_LEVEL_MODULE = ROOT / "bindings" / "julia" / "OtelMetrics" / "src" / "LibOtelMetrics.jl"


def julia_files() -> list[Path]:
    """Every .jl file of the binding and the examples, except the checker's
    own deliberately broken fixtures."""
    found = []
    for top in (ROOT / "bindings" / "julia", ROOT / "examples" / "julia"):
        found += [p for p in sorted(top.rglob("*.jl")) if FIXTURES not in p.parents]
    return found


def repo_inputs(files: list[Path] | None = None) -> Inputs:
    return Inputs(files=js.load(files if files is not None else julia_files()), header=load_header(HEADER),
                  header_path=HEADER, exports=exported_symbols(LIBRARY))

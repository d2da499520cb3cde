#!/usr/bin/env python3
"""Fails when a module of src/ reaches up a layer (docs/architecture.md).

The crate's top-level modules form layers; code may use its own layer and
the ones below it (`crate::<module>` paths and `use crate::...` lines), never
one above. The list below is the architecture document's diagram, bottom
first; a new top-level module must be placed in it. Run by `make lint`.
"""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "src"

# Bottom first; modules on one line are one layer.
LAYERS = [
    ["error"],          # status codes and the error type
    ["process"],        # fork, exit, signals, the library's threads
    ["diagnostics"],    # the library's messages to the application
    ["limits", "views"],  # attribute limits; view selectors and stream changes
    ["config"],         # settings from code and OTEL_* resolved in one place
    ["export"],         # readers and exporters, and their contract with the provider
    ["provider"],       # the meter provider: assemble, lifecycle, flush, shutdown, exit
    ["instruments"],    # instruments, bound series, observables
    ["ffi"],            # the C API
]
RANK = {module: rank for rank, layer in enumerate(LAYERS) for module in layer}
USE = re.compile(r"\bcrate::(\w+)")
COMMENT = re.compile(r"//.*")


def module_of(path: pathlib.Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".rs")


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.rs")):
        here = module_of(path)
        if here == "lib":
            continue
        if here not in RANK:
            problems.append(f"{path.relative_to(ROOT.parent)}: module `{here}` is in no layer (tools/check_layers.py)")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for used in USE.findall(COMMENT.sub("", line)):
                if used in RANK and RANK[used] > RANK[here]:
                    problems.append(f"{path.relative_to(ROOT.parent)}:{number}: `{here}` uses `{used}`, a layer above it")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

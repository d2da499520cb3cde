"""The C compiler's view of the struct layouts the Julia package mirrors:
a generated C program prints `sizeof`, `_Alignof` and `offsetof` of every
struct and union the header defines, compiled against the real header."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .header import Header


@dataclass
class CLayout:
    size: int
    align: int
    offsets: dict[str, int]


def layout_program(header: Header) -> str:
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "otelmetrics.h"', "int main(void) {"]
    for rec in header.records.values():
        kind = "union" if rec.is_union else "struct"
        t = f"{kind} {rec.name}"
        lines.append(f'  printf("record {rec.name} %zu %zu\\n", sizeof({t}), _Alignof({t}));')
        for field, _ in rec.fields:
            lines.append(f'  printf("field {rec.name} {field} %zu\\n", offsetof({t}, {field}));')
    lines += ["  return 0;", "}"]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=None)
def _compiled_layouts(header_path: str, mtime: float, program: str) -> dict[str, CLayout]:
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "layout.c", Path(tmp) / "layout"
        src.write_text(program)
        subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", "-I", str(Path(header_path).parent), str(src),
                        "-o", str(exe)], check=True, capture_output=True)
        out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    layouts: dict[str, CLayout] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "record":
            layouts[parts[1]] = CLayout(int(parts[2]), int(parts[3]), {})
        else:
            layouts[parts[1]].offsets[parts[2]] = int(parts[3])
    return layouts


def c_layouts(header: Header, header_path: Path) -> dict[str, CLayout]:
    return _compiled_layouts(str(header_path), Path(header_path).stat().st_mtime, layout_program(header))

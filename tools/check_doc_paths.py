#!/usr/bin/env python3
"""Fails when the documentation cites a repository file that does not exist.

Reads every Markdown file we ship as documentation and every backquoted span
in it that is a path inside this repository: one word starting with a
top-level folder (a command line in backquotes is not a citation), its
`::test` suffix dropped; paths with placeholders or globs are skipped. A
path is looked up from the repository root and from the document's folder.
Run by `make lint` (and so by CI).
"""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ["README.md", "CONTRIBUTING.md", "BENCHMARKS.md", "docs/*.md", "bindings/*/README.md",
        "fuzz/README.md", "bindings/julia/check/README.md"]
TOP = ("src/", "tests/", "tools/", "bindings/", "benches/", "examples/", "fuzz/", "include/",
       "cmake/", "docs/", ".ci/")
SPAN = re.compile(r"`([^`\n]+)`")


def cited_paths(text: str) -> set[str]:
    paths = set()
    for span in SPAN.findall(text):
        if len(span.split()) != 1:
            continue
        word = span.split("::", 1)[0].rstrip(".,;:)")
        if word.startswith(TOP) and not any(c in word for c in "<>*{}$?"):
            paths.add(word)
    return paths


def main() -> int:
    missing = []
    for pattern in DOCS:
        for doc in sorted(ROOT.glob(pattern)):
            for path in sorted(cited_paths(doc.read_text())):
                if not (ROOT / path).exists() and not (doc.parent / path).exists():
                    missing.append(f"{doc.relative_to(ROOT)}: cites {path}, which does not exist")
    for line in missing:
        print(line, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

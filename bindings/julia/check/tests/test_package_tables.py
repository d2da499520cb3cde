"""The high-level package reaches the instrument functions through tables
generated from (kind, C name stem, verb, value variants) tuples in
instruments.jl and observables.jl. Julia cannot run here, so this reads
those tuples and checks that every C name they generate exists, and that
the high-level API uses every header function one way or another."""

import re

import pytest

from jlcheck import julia_source as js
from jlcheck.repo import ROOT

SRC = ROOT / "bindings" / "julia" / "OtelMetrics" / "src"


def kinds_table(path, const_name):
    """The string literals of each entry of `const <const_name> = (...)`."""
    f = js.load([path])[0]
    for node in js.walk(f.tree.root_node):
        if node.type == "const_statement" and const_name in f.text(node).split("=")[0]:
            table = node.named_children[0].named_children[-1]
            entries = []
            for entry in table.named_children:
                strings = [f.text(s).strip('"') for s in js.walk(entry) if s.type == "string_literal"]
                entries.append(strings)
            return entries
    raise AssertionError(f"{const_name} not found in {path}")


@pytest.fixture(scope="module")
def generated_names(repo):
    functions, types = set(), set()
    for stem, verb, *suffixes in kinds_table(SRC / "instruments.jl", "SYNC_KINDS"):
        for suffix in suffixes:
            c = f"{stem}_{suffix}"
            functions |= {f"otelmetrics_meter_create_{c}", f"otelmetrics_{c}_{verb}", f"otelmetrics_{c}_{verb}_with_set",
                          f"otelmetrics_{c}_bind", f"otelmetrics_{c}_enabled", f"otelmetrics_{c}_free",
                          f"otelmetrics_bound_{c}_{verb}", f"otelmetrics_{c}_{verb}_in_span",
                          f"otelmetrics_{c}_{verb}_with_set_in_span", f"otelmetrics_bound_{c}_{verb}_in_span",
                          f"otelmetrics_bound_{c}_free"}
            types |= {f"otelmetrics_{c}", f"otelmetrics_bound_{c}"}
    for stem, *suffixes in kinds_table(SRC / "observables.jl", "OBSERVABLE_KINDS"):
        for suffix in suffixes:
            c = f"{stem}_{suffix}"
            functions |= {f"otelmetrics_meter_create_{c}", f"otelmetrics_{c}_free"}
            types.add(f"otelmetrics_{c}")
    return functions, types


def test_tables_cover_every_instrument_variant_of_the_header(repo, generated_names):
    functions, types = generated_names
    assert functions <= set(repo.header.functions), sorted(functions - set(repo.header.functions))
    assert types <= repo.header.opaque, sorted(types - repo.header.opaque)
    instrument_functions = {n for n in repo.header.functions
                            if re.match(r"otelmetrics_(meter_create_|bound_)?(observable_)?(counter|up_down_counter|histogram|gauge)_", n)
                            or re.match(r"otelmetrics_(bound_)?(observable_)?(up_down_counter|counter|histogram|gauge)_[uif]64_", n)}
    assert instrument_functions <= functions, sorted(instrument_functions - functions)


def test_the_high_level_api_uses_every_header_function(repo, generated_names):
    functions, _ = generated_names
    called = set()
    for f in repo.files:
        if f.path.name == "LibOtelMetrics.jl":
            continue
        for node in js.walk(f.tree.root_node):
            if node.type in ("identifier",) and f.text(node) in repo.header.functions:
                called.add(f.text(node))
    unused = set(repo.header.functions) - called - functions
    assert unused == set(), sorted(unused)

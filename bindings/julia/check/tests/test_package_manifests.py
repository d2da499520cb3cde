"""Project.toml files declare what the Julia code loads (Pkg would refuse
to load an undeclared package), and the package's own metadata is what the
task asks for: Julia 1.9 or newer, a UUID, Test in the test target."""

import tomllib
import uuid

from jlcheck import julia_source as js
from jlcheck.repo import ROOT

PACKAGE = ROOT / "bindings" / "julia" / "OtelMetrics"
EXAMPLES = ROOT / "examples" / "julia"
ALWAYS_THERE = {"Base", "Core"}


def loaded_packages(paths):
    """Top-level package names of every `using`/`import` (relative `.X` modules excluded)."""
    names = set()
    for f in js.load(paths):
        for node in js.walk(f.tree.root_node):
            if node.type not in ("using_statement", "import_statement"):
                continue
            for target in node.named_children:
                text = f.text(target).split(":")[0].strip()
                if not text.startswith("."):
                    names.add(text.split(".")[0])
    return names


def project(path):
    with open(path / "Project.toml", "rb") as fh:
        return tomllib.load(fh)


def test_package_metadata():
    p = project(PACKAGE)
    assert p["name"] == "OtelMetrics"
    uuid.UUID(p["uuid"])
    assert p["compat"]["julia"] == "1.9"
    assert "Test" in p["targets"]["test"] and "Test" in p["extras"]


def test_package_sources_load_only_declared_packages():
    p = project(PACKAGE)
    used = loaded_packages(sorted((PACKAGE / "src").glob("*.jl")))
    assert "Libdl" in used
    assert used - ALWAYS_THERE <= set(p["deps"]), used


def test_package_tests_load_only_declared_packages():
    p = project(PACKAGE)
    used = loaded_packages(sorted((PACKAGE / "test").glob("*.jl")))
    assert {"Test", "Sockets", "OtelMetrics"} <= used
    allowed = set(p["deps"]) | set(p["targets"]["test"]) | {p["name"]}
    assert used - ALWAYS_THERE <= allowed, used - allowed
    assert set(p["targets"]["test"]) <= set(p["extras"])


def test_examples_load_only_declared_packages():
    p = project(EXAMPLES)
    used = loaded_packages(sorted(EXAMPLES.glob("*.jl")))
    assert {"OtelMetrics", "Random"} <= used
    assert used - ALWAYS_THERE <= set(p["deps"]), used
    assert p["deps"]["OtelMetrics"] == project(PACKAGE)["uuid"]


def test_package_extensions_are_declared_and_load_only_their_trigger():
    """Each `[extensions]` entry has its `ext/<name>.jl`, triggered by a weak
    dependency (OpenTelemetryAPI.jl: exemplars from its current span), and
    the extension loads nothing else but the package itself."""
    p = project(PACKAGE)
    assert p["extensions"] == {"OtelMetricsOpenTelemetryAPIExt": "OpenTelemetryAPI"}
    assert p["weakdeps"]["OpenTelemetryAPI"] == "4f63ef3d-5940-44e7-a611-2d97696cffc9"   # OpenTelemetryAPI.jl's UUID
    assert "OpenTelemetryAPI" in p["compat"]
    for name, trigger in p["extensions"].items():
        source = PACKAGE / "ext" / f"{name}.jl"
        assert source.is_file(), source
        used = loaded_packages([source])
        assert used - ALWAYS_THERE == {trigger, p["name"]}, used
    assert sorted(f.stem for f in (PACKAGE / "ext").glob("*.jl")) == sorted(p["extensions"])

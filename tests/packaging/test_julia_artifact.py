"""The Julia artifact (bindings/julia/artifact/make_artifact.py): a tarball
in the JLL layout made from the C install, and an Artifacts.toml entry whose
hashes are recomputed here independently -- sha256 with hashlib, the
git-tree-sha1 by git itself (`git add` + `git write-tree` of the unpacked
tarball) -- and the package code that picks the library agrees with it.
(Julia cannot run here; bindings/julia/check checks the package's code.)"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bindings" / "julia" / "artifact" / "make_artifact.py"
PACKAGE = ROOT / "bindings" / "julia" / "OtelMetrics"
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
URL = "https://downloads.invalid/otelmetrics/OtelMetrics.tar.gz"


@pytest.fixture(scope="module")
def artifact(c_prefix, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("artifact")
    toml = out / "Artifacts.toml"
    depot = out / "depot"
    r = subprocess.run([sys.executable, str(SCRIPT), "--prefix", str(c_prefix), "--out", str(out), "--url", URL,
                        "--artifacts-toml", str(toml), "--depot", str(depot)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    (tarball,) = out.glob("OtelMetrics.v*.tar.gz")
    unpacked = out / "unpacked"
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    with open(toml, "rb") as fh:
        entries = tomllib.load(fh)
    return {"out": out, "tarball": tarball, "unpacked": unpacked, "entries": entries, "depot": depot,
            "printed": r.stdout}


def files_of(tree: Path) -> dict[str, str]:
    """relative path -> "link:<target>" or "file" for every non-directory."""
    found = {}
    for p in tree.rglob("*"):
        if p.is_symlink():
            found[p.relative_to(tree).as_posix()] = "link:" + os.readlink(p)
        elif p.is_file():
            found[p.relative_to(tree).as_posix()] = "file"
    return found


def git_write_tree(tree: Path, scratch: Path) -> str:
    """git's own tree hash of a directory: a throw-away repository whose work tree it is."""
    env = dict(os.environ, GIT_DIR=str(scratch / "git"), GIT_WORK_TREE=str(tree), GIT_INDEX_FILE=str(scratch / "index"))
    for k in ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"):
        env.pop(k, None)
    subprocess.run(["git", "init", "-q"], env=env, check=True)
    subprocess.run(["git", "-c", "core.fileMode=true", "-c", "core.symlinks=true", "add", "-A", "-f", "."],
                   env=env, check=True, cwd=tree)
    return subprocess.run(["git", "write-tree"], env=env, check=True, capture_output=True, text=True).stdout.strip()


def test_tarball_has_the_jll_layout_and_nothing_else(artifact):
    soname = f"libotelmetrics.so.0.{VERSION.split('.')[1]}" if VERSION.startswith("0.") else \
        f"libotelmetrics.so.{VERSION.split('.')[0]}"
    assert files_of(artifact["unpacked"]) == {
        f"lib/libotelmetrics.so.{VERSION}": "file",
        f"lib/{soname}": f"link:libotelmetrics.so.{VERSION}",
        "lib/libotelmetrics.so": f"link:libotelmetrics.so.{VERSION}",
        "include/otelmetrics.h": "file",
        "share/licenses/OtelMetrics/LICENSE": "file",
    }
    assert (artifact["unpacked"] / "include" / "otelmetrics.h").read_bytes() == (ROOT / "include" / "otelmetrics.h").read_bytes()
    assert (artifact["unpacked"] / "share/licenses/OtelMetrics/LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert artifact["tarball"].name == f"OtelMetrics.v{VERSION}.x86_64-linux-gnu.tar.gz"


def test_shipped_library_is_stripped_and_its_debug_info_stays_outside(artifact):
    library = artifact["unpacked"] / "lib" / f"libotelmetrics.so.{VERSION}"
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], capture_output=True, text=True, check=True).stdout
    assert ".debug_info" not in sections and ".gnu_debuglink" in sections
    assert (artifact["out"] / f"libotelmetrics.so.{VERSION}.debug").is_file()


def test_artifacts_toml_hashes_match_independent_computations(artifact, tmp_path):
    (entry,) = artifact["entries"]["libotelmetrics"]
    assert (entry["os"], entry["arch"], entry["libc"]) == ("linux", "x86_64", "glibc")
    (download,) = entry["download"]
    assert download["url"] == URL
    assert download["sha256"] == hashlib.sha256(artifact["tarball"].read_bytes()).hexdigest()
    assert entry["git-tree-sha1"] == git_write_tree(artifact["unpacked"], tmp_path)
    assert entry["git-tree-sha1"] in artifact["printed"]


def test_depot_holds_the_tree_under_its_hash_where_julia_looks(artifact):
    (entry,) = artifact["entries"]["libotelmetrics"]
    installed = artifact["depot"] / "artifacts" / entry["git-tree-sha1"]
    assert files_of(installed) == files_of(artifact["unpacked"])


def test_tarball_is_reproducible(artifact, c_prefix, tmp_path):
    r = subprocess.run([sys.executable, str(SCRIPT), "--prefix", str(c_prefix), "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / artifact["tarball"].name).read_bytes() == artifact["tarball"].read_bytes()


def test_package_selects_the_library_through_this_artifact():
    """The package's library lookup names the artifact the script writes, the
    Artifacts.toml beside Project.toml, the library inside the artifact's lib/,
    a preference keyed by the package's own UUID, and OTELMETRICS_LIB first."""
    source = (PACKAGE / "src" / "LibOtelMetrics.jl").read_text()
    with open(PACKAGE / "Project.toml", "rb") as fh:
        project = tomllib.load(fh)
    body = source[source.index("function find_library()"):]
    body = body[:body.index("\nend\n")]
    assert f'Base.UUID("{project["uuid"]}")' in source
    assert 'artifact_hash("libotelmetrics", ARTIFACTS_TOML)' in body
    assert 'joinpath(@__DIR__, "..", "Artifacts.toml")' in source
    assert 'joinpath(artifact_path(hash), "lib", LIBRARY_FILE)' in body
    order = [body.index(s) for s in ('"OTELMETRICS_LIB"', 'load_preference(PACKAGE_UUID, "libotelmetrics"',
                                     "artifact_exists(hash)", '"target", "release"')]
    assert order == sorted(order), "lookup order: OTELMETRICS_LIB, preference, artifact, development build"
    assert {"Artifacts", "Preferences"} <= set(project["deps"]) and "Preferences" in project["compat"]

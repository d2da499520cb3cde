"""fork() without exec in C: parent and child each export their own data,
from their own threads, once; nothing is exported twice; nothing hangs."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from peers.cprog import compile_c  # noqa: E402


def build(tmp_path):
    return compile_c("tests/lifecycle/fork_without_exec.c", tmp_path)


def exports(path):
    """One dict per exported line: metric name -> list of values."""
    out = []
    for line in path.read_text().splitlines():
        found = {}
        for rm in json.loads(line)["resourceMetrics"]:
            for sm in rm["scopeMetrics"]:
                for m in sm["metrics"]:
                    data = m.get("sum") or m.get("gauge")
                    found[m["name"]] = [int(p["asInt"]) for p in data["dataPoints"]]
        out.append(found)
    return out


def test_parent_and_child_each_export_their_own_data_once(tmp_path):
    exe = build(tmp_path)
    out = tmp_path / "exports.jsonl"
    r = subprocess.run([str(exe), str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    parent_pid, child_pid = map(int, r.stdout.split())
    lines = exports(out)
    assert len(lines) == 2, lines
    child, parent = lines  # the child shuts down (and exports) first
    assert child["work"] == [7], "the child exports only what it recorded"
    assert parent["work"] == [6], "the parent's data is exported by the parent"
    assert child["bound_work"] == [7], "a bound instrument records into the child's own SDK"
    assert parent["bound_work"] == [6], "and into the parent's in the parent"
    assert child["pid"] == [child_pid], "callbacks run in the child for the child"
    assert parent["pid"] == [parent_pid]

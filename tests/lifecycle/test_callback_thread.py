"""A runtime that ends an observable callback's thread under it
(pthread_exit, what CPython does at interpreter exit) ends that thread only:
no abort, the collection goes on, and the next one calls the callback again."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from peers.cprog import compile_c, program_env  # noqa: E402


def exports(path):
    """Each export's {metric name: [values]}, in export order."""
    found = []
    for line in path.read_text().splitlines():
        export = {}
        for rm in json.loads(line)["resourceMetrics"]:
            for sm in rm["scopeMetrics"]:
                for m in sm["metrics"]:
                    points = (m.get("sum") or m.get("gauge"))["dataPoints"]
                    export.setdefault(m["name"], []).extend(int(p["asInt"]) for p in points)
        found.append(export)
    return found


def test_thread_ended_under_a_callback_does_not_abort(tmp_path):
    program = compile_c("tests/lifecycle/callback_thread_exit.c", tmp_path, "-pthread")
    out = tmp_path / "export.jsonl"
    r = subprocess.run([str(program), str(out)], env=program_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"rc {r.returncode}: {r.stderr}"
    assert r.stdout.strip() == "calls 2"
    first, second = exports(out)[:2]
    assert first == {"beside": [5]}   # the callback's thread ended under it: no observation
    assert second == {"beside": [5], "calls": [2]}   # called again, on a new thread

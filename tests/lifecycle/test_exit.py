"""A provider the application never shut down still exports its last data
when the process exits (and a provider freed without shutdown too)."""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from peers.cprog import compile_c  # noqa: E402


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return compile_c("tests/lifecycle/exit_without_shutdown.c", tmp_path_factory.mktemp("exit"))


def exported_values(path):
    values = []
    for line in path.read_text().splitlines():
        request = json.loads(line)
        for rm in request["resourceMetrics"]:
            for sm in rm["scopeMetrics"]:
                for m in sm["metrics"]:
                    if m["name"] == "last_words":
                        values += [int(p["asInt"]) for p in m["sum"]["dataPoints"]]
    return values


@pytest.mark.parametrize("how", ["return", "free"])
def test_last_data_is_exported_at_exit(program, tmp_path, how):
    out = tmp_path / "export.jsonl"
    r = subprocess.run([str(program), how, str(out)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert out.exists(), "nothing was exported at exit"
    assert exported_values(out) == [42]

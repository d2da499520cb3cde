"""fork() without exec, pushing OTLP to the real collector: the child builds
its own export thread and I/O runtime, and parent and child each deliver
their own totals once (nothing exported twice, nothing hangs)."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel, eventually  # noqa: E402

@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_parent_and_child_push_their_own_totals(tmp_path, protocol):
    exe = compile_c("tests/lifecycle/fork_without_exec.c", tmp_path)
    with Rotel() as rotel:
        env = program_env(OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
                   OTEL_EXPORTER_OTLP_ENDPOINT=rotel.grpc_url if protocol == "grpc" else rotel.http_url,
                   OTEL_METRIC_EXPORT_INTERVAL="3600000")
        r = subprocess.run([str(exe), "--from-env"], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        parent_pid, child_pid = map(int, r.stdout.split())

        def each_exported_once():
            pids = [p.value for b in rotel.batches() for m in b.metrics("pid") for p in m.data_points]
            assert sorted(pids) == sorted([parent_pid, child_pid])
            work = sorted(p.value for p in rotel.points("work", {"role": "any"}))
            assert work == [6, 7], "child exports 7, parent 6; the parent's 5 is never sent twice"

        # rotel logs both exports after answering them: wait for what is read.
        eventually(each_exported_once, timeout_s=20)

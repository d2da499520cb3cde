"""fork() at the two moments a child used to hang, each timed exactly by
tests/lifecycle/fork_races.c: while the export thread runs an observable
callback (the callback's lock was inherited locked: read_json and every
export blocked forever), and while the first export creates the I/O runtime
(its one-time initialiser was inherited half-run: the child never exported).
Every child must read its own data back, flush and shut down with OK, and
its data must reach the real collector (rotel); a stuck child is killed by
the program's deadline and reported, and the whole run by subprocess's.
Plain and with AddressSanitizer (the C side instrumented)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "c"))
from c_memory_checkers import SANITIZE, SANITIZER_ENV, assert_sanitizers_clean  # noqa: E402
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.rotel import Rotel  # noqa: E402

CALLBACK_FORKS = 10
FIRST_EXPORT_RUNS = 5
# Each child has 40 s (fork_races.c); a run of several children more.
RUN_TIMEOUT_S = 300


@pytest.fixture(scope="module", params=["plain", "asan"])
def program(request, tmp_path_factory):
    flags = SANITIZE if request.param == "asan" else ()
    exe = compile_c("tests/lifecycle/fork_races.c", tmp_path_factory.mktemp(request.param), *flags, "-pthread", "-ldl")
    return exe, (SANITIZER_ENV if request.param == "asan" else {})


def run(program, rotel, *args):
    exe, extra_env = program
    env = program_env(OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_EXPORTER_OTLP_ENDPOINT=rotel.http_url,
                      OTEL_LOG_LEVEL="error", **extra_env)
    r = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr[-6000:]}"
    assert r.stdout.splitlines()[-1] == "ok", r.stdout
    if extra_env:
        assert_sanitizers_clean(r)
    return [int(line.split()[1]) for line in r.stdout.splitlines() if line.startswith("child ")]


def assert_children_delivered(rotel, children, since=0):
    """Each child's own counter (child=<i>, value i+1) reached rotel in the
    batches after `since`."""
    wanted = {str(i): i + 1 for i in children}

    def delivered(batches):
        got = {}
        for b in batches:
            for m in b.metrics("child.work"):
                for p in m.data_points:
                    got[p.attributes.get("child")] = p.value
        return got if all(got.get(k) == v for k, v in wanted.items()) else None

    got = rotel.wait_for(delivered, since=since, what=f"child.work of children {sorted(wanted)}")
    assert {k: got[k] for k in wanted} == wanted


def test_fork_inside_an_observable_callback(program):
    with Rotel() as rotel:
        children = run(program, rotel, "callback", str(CALLBACK_FORKS))
        assert children == list(range(CALLBACK_FORKS))
        assert_children_delivered(rotel, children)


def test_fork_inside_the_first_export(program):
    with Rotel() as rotel:
        for _ in range(FIRST_EXPORT_RUNS):
            # Every run's child is child 0: look only at this run's batches.
            since = rotel.mark()
            assert run(program, rotel, "first-export") == [0]
            assert_children_delivered(rotel, [0], since)

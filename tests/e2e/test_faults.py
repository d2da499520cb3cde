"""Faults of the network and of the collector, against real processes on
127.0.0.1: a C program (programs/faults.c) records and exports to the
programmable receiver while it never answers, answers after the export
timeout, throttles (429/503 with Retry-After, shorter and longer than the
export timeout), rejects (400), or while the
endpoint's host name does not resolve; and a second provider is created
after the first was shut down.

For each fault: recording never waits for the stuck export, force_flush and
shutdown return within their timeouts, resident memory does not grow with
the failed exports, cumulative totals arrive exact once the receiver
recovers, and every dropped batch is reported through the diagnostic hook
with its number of data points.

(Covered elsewhere, not repeated here: collector absent at start, killed and
restarted (test_otlp_c.py); TLS failures (test_otlp_receiver.py); fork
(test_fork_otlp.py, tests/lifecycle); exit without shutdown (tests/lifecycle).)
"""

import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.receiver import Response, request_to_batch  # noqa: E402
from peers.rotel import eventually, wait_until  # noqa: E402

PROTOCOLS = ["grpc", "http/protobuf"]
EXPORT_TIMEOUT_MS = 1000
# Bounds for calls that take a timeout: the timeout plus room for a loaded
# machine. A correctness bound (the call honours its timeout), not a benchmark.
MARGIN_S = 3.0
# Adds made while an export is stuck: if recording waited on the export, this
# many could not all finish before the stuck flush gives up.
ADDS_WHILE_STUCK = 100_000
# How long a diagnostic may take to reach the test's stderr reader thread.
DIAGNOSTIC_WAIT_S = 10.0
# Resident memory may wander (allocator, thread stacks); a queue of pending
# batches growing every interval would exceed this quickly.
RSS_DRIFT_KIB = 16 * 1024
DROPPED = re.compile(r"dropped a batch of (\d+) data points")


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return compile_c("tests/e2e/programs/faults.c", tmp_path_factory.mktemp("faults"), "-pthread")


class App:
    """The fault program, driven one command at a time; its diagnostics are
    collected from stderr as they arrive."""

    def __init__(self, program):
        self.proc = subprocess.Popen([str(program)], env=program_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer, f"no answer to {line!r}; stderr: {self.stderr[-20:]}"
        return answer

    def timed(self, line: str) -> tuple[str, float]:
        started = time.monotonic()
        answer = self.ask(line)
        return answer, time.monotonic() - started

    def start(self, url, protocol, *, interval_ms, service="faults", timeout_ms=EXPORT_TIMEOUT_MS):
        assert self.ask(f"start {url} {protocol} {interval_ms} {timeout_ms} {service}") == "OK"

    def add(self, n: int, command: str = "add") -> str:
        answer = self.ask(f"{command} {n}")
        assert answer.startswith("ok "), f"recording failed: {answer}"
        return answer

    def rss_kib(self) -> int:
        """Resident memory, read between commands (the program is idle)."""
        status = pathlib.Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))

    def dropped(self) -> list[int]:
        """The data point counts of the dropped batches reported so far."""
        return [int(m.group(1)) for line in list(self.stderr) if (m := DROPPED.search(line))]

    def assert_dropped(self, expected: list[int]):
        """Waits until the dropped batches reported are exactly `expected`: a
        diagnostic is written before the call that caused it returns, but this
        test reads stderr on a thread of its own, which may still be behind."""
        def check():
            assert self.dropped() == expected, self.stderr[-20:]
        eventually(check, DIAGNOSTIC_WAIT_S)

    def assert_stderr_has(self, text: str):
        """Waits until a line of stderr contains `text` (see assert_dropped)."""
        def check():
            assert any(text in line for line in list(self.stderr)), self.stderr[-10:]
        eventually(check, DIAGNOSTIC_WAIT_S)

    def quit(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        assert self.proc.wait(timeout=30) == 0
        self._reader.join(10)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def app(program):
    a = App(program)
    yield a
    a.close()


def endpoint(rx, protocol):
    # The builder takes the signal URL itself (no /v1/metrics appended).
    return rx.grpc_url if protocol == "grpc" else rx.metrics_url


def _metrics(request):
    return request_to_batch(request.message).metrics() if request.message is not None else []


def points_in(request) -> int:
    return sum(len(m.data_points) for m in _metrics(request))


def wait_for_total(rx, total, since=0, timeout_s=20):
    """Waits until the receiver accepted (200) a batch whose cumulative
    /checkout total is `total`."""
    def probe():
        for r in rx.requests[since:]:
            if r.status == 200 and r.response is not None and not r.response.delay_s and r.message is not None:
                for m in _metrics(r):
                    for p in m.data_points:
                        if m.name == "faults.requests" and p.attributes == {"route": "/checkout"} and p.value == total:
                            return r
        return None
    return wait_until(probe, timeout_s, describe=lambda: f"an accepted batch with /checkout = {total}")


def assert_every_failed_request_reported(app, rx, failed):
    """Each request the receiver failed (by `failed(response)`) was reported
    once as a dropped batch, with that request's number of data points."""
    bad = [r for r in rx.requests if r.response is not None and failed(r.response)]
    assert bad, "the fault never happened"
    app.assert_dropped([points_in(r) for r in bad])


STUCK = {
    "never answers": Response(black_hole=True),
    "answers after the timeout": Response(delay_s=3 * EXPORT_TIMEOUT_MS / 1000),
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("fault", list(STUCK))
def test_stuck_receiver(app, make_receiver, protocol, fault):
    rx = make_receiver()
    rx.set_default(STUCK[fault])
    app.start(endpoint(rx, protocol), protocol, interval_ms=300)
    app.add(1000)
    total = 1000

    # An export is stuck on the wire; a flush queues behind it. Many adds
    # finish while that flush has not returned: recording never waits.
    rx.wait_for_requests(1)
    assert app.ask("flush_bg 1500") == "started"
    started = time.monotonic()
    assert app.add(ADDS_WHILE_STUCK) == "ok flush_pending=1"
    total += ADDS_WHILE_STUCK
    status = app.ask("flush_wait")
    assert time.monotonic() - started < 1.5 + MARGIN_S
    assert status in ("TIMEOUT", "EXPORT_FAILED"), status

    # Several more stuck exports: memory stays flat (no queue of batches).
    rss = [app.rss_kib()]
    for _ in range(4):
        seen = len(rx.requests)
        app.add(1000)
        total += 1000
        rx.wait_for_requests(seen + 1, timeout_s=10)
        rss.append(app.rss_kib())
    print(f"{fault} over {protocol}: RSS during stuck exports {rss} KiB")
    assert max(rss) - min(rss) < RSS_DRIFT_KIB, rss

    # Recovery: the cumulative total arrives exact; shutdown is prompt.
    mark = len(rx.requests)
    rx.set_default(Response())
    wait_for_total(rx, total, since=mark)
    status, took = app.timed("shutdown 5000")
    assert status == "OK" and took < 5 + MARGIN_S
    app.quit()
    assert_every_failed_request_reported(app, rx, lambda resp: resp.black_hole or resp.delay_s > 0)


THROTTLES = {
    "429": Response(429, retry_after=1, message="slow down"),
    "503": Response(503, retry_after=1, message="overloaded"),
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("code", list(THROTTLES))
def test_throttled_export_retries_after_the_delay_asked(app, make_receiver, protocol, code):
    """Retry-After within the export timeout: the exporter waits as asked,
    retries, and the batch arrives; nothing is dropped."""
    rx = make_receiver()
    rx.program(THROTTLES[code], THROTTLES[code])
    app.start(endpoint(rx, protocol), protocol, interval_ms=60000, timeout_ms=5000)
    app.add(10)
    # Recording goes on while the export waits to retry.
    assert app.ask("flush_bg 8000") == "started"
    rx.wait_for_requests(1)
    assert app.add(ADDS_WHILE_STUCK) == "ok flush_pending=1"
    assert app.ask("flush_wait") == "OK"
    requests = rx.requests
    assert [r.status for r in requests] == [int(code), int(code), 200]
    # Each retry came no sooner than the Retry-After the receiver asked for.
    gaps = [b.received_at - a.answered_at for a, b in zip(requests, requests[1:])]
    assert all(gap >= 0.9 for gap in gaps), gaps
    # The retried batch is the one collected before the adds; the last
    # export, at shutdown, has everything.
    wait_for_total(rx, 10)
    assert app.ask("shutdown 3000") == "OK"
    wait_for_total(rx, 10 + ADDS_WHILE_STUCK)
    app.quit()
    assert app.dropped() == [], "a batch that arrived after retries is not reported as dropped"


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("code", list(THROTTLES))
def test_throttled_longer_than_the_timeout_drops_reports_and_recovers(app, make_receiver, protocol, code):
    """Retry-After beyond the export timeout: the export gives up in time,
    the batch is reported dropped, the next export carries the exact
    cumulative total."""
    rx = make_receiver()
    rx.program(Response(int(code), retry_after=3 * EXPORT_TIMEOUT_MS / 1000, message="wait"))
    app.start(endpoint(rx, protocol), protocol, interval_ms=60000)
    app.add(10)
    status, took = app.timed("flush 5000")
    assert status in ("EXPORT_FAILED", "TIMEOUT") and took < EXPORT_TIMEOUT_MS / 1000 + MARGIN_S, status
    app.add(5)
    assert app.ask("flush 5000") == "OK"
    wait_for_total(rx, 15)
    assert app.ask("shutdown 3000") == "OK"
    app.quit()
    assert_every_failed_request_reported(app, rx, lambda resp: resp.status != 200)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_bad_request_is_dropped_reported_and_export_continues(app, make_receiver, protocol):
    """400 is permanent: no retry, the batch is dropped and reported, and the
    next periodic export goes on with the exact cumulative total."""
    rx = make_receiver()
    rx.program(Response(400, message="malformed"))
    app.start(endpoint(rx, protocol), protocol, interval_ms=1000, timeout_ms=5000)
    app.add(10)
    # One programmed 400 only: a retry would have been accepted, so a failed
    # flush shows there was none.
    status, took = app.timed("flush 5000")
    assert status == "EXPORT_FAILED" and took < 5 + MARGIN_S, status
    app.add(5)
    mark = len(rx.requests)
    wait_for_total(rx, 15, since=mark)
    assert app.ask("shutdown 3000") == "OK"
    app.quit()
    assert [r.status for r in rx.requests].count(400) == 1
    assert_every_failed_request_reported(app, rx, lambda resp: resp.status != 200)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unresolvable_host(app, protocol):
    port = 4317 if protocol == "grpc" else 4318
    app.start(f"http://nonexistent.invalid:{port}" + ("" if protocol == "grpc" else "/v1/metrics"), protocol, interval_ms=200)
    app.add(1000)
    status, took = app.timed("flush 2000")
    assert status in ("EXPORT_FAILED", "TIMEOUT") and took < 2 + MARGIN_S, status
    # Exports keep failing every interval: each is reported, memory is flat.
    rss = [app.rss_kib()]
    for _ in range(4):
        seen = len(app.dropped())
        app.add(1000)
        wait_until(lambda seen=seen: len(app.dropped()) > seen, 10, describe=lambda: "another failed export reported")
        rss.append(app.rss_kib())
    print(f"unresolvable host over {protocol}: RSS during failing exports {rss} KiB")
    assert max(rss) - min(rss) < RSS_DRIFT_KIB, rss
    status, took = app.timed("shutdown 2000")
    assert status in ("OK", "EXPORT_FAILED", "TIMEOUT") and took < 2 + MARGIN_S, status
    app.quit()
    # Every failed export dropped the batch of two series, and said so.
    dropped = app.dropped()
    assert len(dropped) >= 5 and set(dropped) == {2}, dropped
    app.assert_stderr_has("nonexistent.invalid")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_second_provider_after_the_first_was_shut_down(app, make_receiver, protocol):
    rx = make_receiver()
    url = endpoint(rx, protocol)
    app.start(url, protocol, interval_ms=60000, service="first")
    app.add(5)
    # The first provider's last export gets stuck: its shutdown gives up in
    # time and goes on in the background.
    rx.program(Response(black_hole=True))
    status, took = app.timed("shutdown 500")
    assert status == "TIMEOUT" and took < 0.5 + MARGIN_S
    assert app.ask("add_old 1") == "SHUTDOWN", "the first provider records nothing after shutdown"

    # A second provider works normally alongside the first one's stuck shutdown.
    app.start(url, protocol, interval_ms=60000, service="second")
    app.add(7)
    assert app.ask("flush 3000") == "OK"
    second = [r for r in rx.requests if r.status == 200]
    assert len(second) == 1
    batch = _metrics(second[0])
    assert batch[0].resource.attributes["service.name"] == "second"
    assert {p.attributes["route"]: p.value for m in batch for p in m.data_points} == {"/checkout": 7, "/health": 1}
    assert app.ask("shutdown 3000") == "OK"
    # The first provider's stuck export is reported as dropped once its
    # export timeout passes; then its shutdown is complete.
    wait_until(lambda: app.dropped(), 10, describe=lambda: "the first provider's dropped batch reported")
    wait_until(lambda: app.ask("shutdown_old 100") == "SHUTDOWN", 10,
               describe="a second shutdown of the first provider saying it is done")
    app.quit()
    first = [r for r in rx.requests if r.response is not None and r.response.black_hole]
    assert len(first) == 1
    app.assert_dropped([points_in(first[0])])


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_final_export_slower_than_five_seconds_is_awaited(app, make_receiver, protocol):
    """The SDK waits at most 5 s for the export it makes at shutdown, then
    reports a failure while the export goes on. The library waits for it by
    the export timeout instead: a slow final export that succeeds is OK."""
    rx = make_receiver()
    rx.program(Response(delay_s=6.5))
    app.start(endpoint(rx, protocol), protocol, interval_ms=600_000, timeout_ms=10_000)
    app.add(10)
    status, took = app.timed("shutdown 15000")
    assert status == "OK", (status, app.stderr[-5:])
    assert 6.0 <= took < 10 + MARGIN_S, took
    [request] = rx.requests
    assert request.status == 200
    points = {tuple(p.attributes.items()): p.value for m in _metrics(request) for p in m.data_points}
    assert points[(("route", "/checkout"),)] == 10
    app.quit()
    assert app.dropped() == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_points_a_receiver_rejects_in_a_partial_success_are_reported(app, make_receiver, protocol):
    """A 200 whose partial success rejects data points: the export is not
    retried (the receiver took it), the rejected count is reported with the
    receiver's message, and the flush says not everything arrived."""
    rx = make_receiver()
    rx.program(Response(partial_success=(1, "the /health series is refused")))
    app.start(endpoint(rx, protocol), protocol, interval_ms=600_000, timeout_ms=5000)
    app.add(10)
    assert app.ask("flush 5000") == "EXPORT_FAILED"
    assert app.ask("flush 5000") == "OK"
    assert [r.status for r in rx.requests] == [200, 200]
    app.assert_dropped([1])
    app.assert_stderr_has("partly rejected by the receiver: the /health series is refused")
    app.quit()


@pytest.mark.parametrize("claimed", [10**9, 2**63 - 1])
@pytest.mark.parametrize("protocol", PROTOCOLS + ["http/json"])
def test_a_partial_success_claiming_more_points_than_were_sent_is_clamped(app, make_receiver, protocol, claimed):
    """A receiver's rejected count is its word only: at most the points the
    request carried are reported lost, and the claim is quoted. Over
    HTTP/JSON the receiver writes the int64 count as a string ("1000000000",
    the protobuf JSON mapping), which must be read, not ignored."""
    rx = make_receiver()
    rx.program(Response(partial_success=(claimed, "everything and more")))
    app.start(endpoint(rx, protocol), protocol, interval_ms=600_000, timeout_ms=5000)
    app.add(10)
    assert app.ask("flush 5000") == "EXPORT_FAILED"
    [request] = rx.requests
    sent = sum(len(m.data_points) for m in _metrics(request))
    assert sent >= 1
    app.assert_dropped([sent])
    app.assert_stderr_has(f"it claimed {claimed} rejected of the {sent} sent")
    app.quit()

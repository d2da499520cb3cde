"""Clients that connect to the Prometheus endpoint and then send nothing, or
trickle a request head one byte at a time, cannot keep a real scraper out:
while a hundred idle sockets and ten trickling ones are held against the
endpoint for longer than a per-read timeout would ever close them, a real
Prometheus (Debian's binary) keeps scraping successfully, which the test
reads back from Prometheus itself (every `up` sample of that time is 1).
A trickling client on its own is cut off by the request-head deadline."""

from __future__ import annotations

import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers.cprog import compile_c, program_env  # noqa: E402
from peers.prometheus import Prometheus  # noqa: E402
from peers.rotel import wait_until  # noqa: E402

# The hostile clients are held this long: past the 10 s a per-read timeout
# (the hand-written server's) would give an idle socket.
HOLD_S = 15
IDLE_CLIENTS = 100
TRICKLING_CLIENTS = 10
TRICKLE_EVERY_S = 0.3
REOPEN_AFTER_S = 1.0
# A request head that never ends: one long header, sent a byte at a time.
ENDLESS_HEAD = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100_000


class HostileClients:
    """`idle` sockets that send nothing and `trickling` sockets that send one
    byte of an endless request head every `TRICKLE_EVERY_S`, all kept open by
    one thread: a socket the server closes is opened again (after
    `REOPEN_AFTER_S`, so that the test does not turn into a connect flood)."""

    def __init__(self, port: int, idle: int, trickling: int):
        self.port = port
        self.kinds = ["idle"] * idle + ["trickling"] * trickling
        self.socks: list[socket.socket | None] = [None] * len(self.kinds)
        self.sent = [0] * len(self.kinds)
        self.next_action = [0.0] * len(self.kinds)
        self.connects = 0
        self.selector = selectors.DefaultSelector()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, i: int) -> None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            self.next_action[i] = time.monotonic() + REOPEN_AFTER_S
            return
        self.connects += 1
        s.setblocking(False)
        self.socks[i], self.sent[i] = s, 0
        self.next_action[i] = time.monotonic() + TRICKLE_EVERY_S
        self.selector.register(s, selectors.EVENT_READ, i)

    def _close(self, i: int) -> None:
        s = self.socks[i]
        if s is not None:
            self.selector.unregister(s)
            s.close()
            self.socks[i] = None
            self.next_action[i] = time.monotonic() + REOPEN_AFTER_S

    def start(self) -> "HostileClients":
        for i in range(len(self.kinds)):
            self._open(i)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            for key, _ in self.selector.select(timeout=0.05):
                i = key.data
                try:
                    data = self.socks[i].recv(65536)
                except OSError:
                    data = b""
                if not data:                     # closed (or refused with an answer and closed)
                    self._close(i)
            now = time.monotonic()
            for i, kind in enumerate(self.kinds):
                if now < self.next_action[i]:
                    continue
                if self.socks[i] is None:
                    self._open(i)
                elif kind == "trickling":
                    try:
                        self.socks[i].send(ENDLESS_HEAD[self.sent[i]:self.sent[i] + 1])
                        self.sent[i] += 1
                    except OSError:
                        self._close(i)
                        continue
                    self.next_action[i] = now + TRICKLE_EVERY_S
                else:
                    self.next_action[i] = float("inf")

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        for i in range(len(self.kinds)):
            self._close(i)


@pytest.fixture(scope="module")
def exe(tmp_path_factory) -> Path:
    return compile_c("tests/e2e/programs/prometheus_producer.c", tmp_path_factory.mktemp("prom-hostile"))


@pytest.fixture
def producer(exe):
    proc = subprocess.Popen([str(exe), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=program_env(OTEL_METRICS_EXPORTER="prometheus",
                                                       OTEL_EXPORTER_PROMETHEUS_PORT="0"))
    try:
        line = proc.stdout.readline()
        assert line.startswith("ready "), f"producer did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield int(line.split()[1])
        out, err = proc.communicate("quit\n", timeout=30)
        assert out.strip() == "shutdown OK", out + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def up_samples(prom: Prometheus, start: float, end: float) -> list[tuple[float, float]]:
    """The `up` samples (timestamp, value) Prometheus recorded for the target
    from `start` to `end` (wall-clock seconds), raw, as scraped."""
    window = int(end - start) + 2
    data = prom.api("query", query=f'up{{job="otelmetrics"}}[{window}s]', time=f"{end:.3f}")
    samples = [(float(t), float(v)) for series in data["result"] for t, v in series["values"]]
    return [(t, v) for t, v in samples if start <= t <= end]


def test_idle_and_trickling_clients_do_not_keep_prometheus_out(producer, tmp_path):
    with Prometheus([f"127.0.0.1:{producer}"], workdir=tmp_path, scrape_interval="2s") as prom:
        wait_until(lambda: prom.query('up{job="otelmetrics"} == 1'), timeout_s=30,
                   describe=lambda: f"a first successful scrape; targets: {prom.targets_health()}")
        hostile = HostileClients(producer, IDLE_CLIENTS, TRICKLING_CLIENTS).start()
        try:
            assert hostile.connects == IDLE_CLIENTS + TRICKLING_CLIENTS
            start = time.time()
            # Wait for exactly what is asserted: Prometheus's record of its
            # scrapes up to HOLD_S after the hostile clients connected.
            wait_until(lambda: any(t >= start + HOLD_S for t, _ in up_samples(prom, start, time.time())),
                       timeout_s=HOLD_S + 60, interval_s=0.5,
                       describe=lambda: f"a scrape {HOLD_S} s after the hostile clients came; "
                                        f"targets: {prom.targets_health()}")
            end = time.time()
        finally:
            hostile.stop()
        samples = up_samples(prom, start, end)
        failed = [t - start for t, v in samples if v != 1]
        assert not failed, (f"scrapes failed at {failed} s of {HOLD_S} s with hostile clients held "
                            f"({len(samples)} scrapes); targets: {prom.targets_health()}")
        assert len(samples) >= 3, samples
        # The trickling clients really trickled (and were let in).
        assert sum(hostile.sent) >= TRICKLING_CLIENTS, hostile.sent


def test_a_trickling_client_is_cut_off_by_the_head_deadline(producer):
    """One byte every 200 ms keeps any per-read timeout from firing; the
    deadline for the whole head closes the connection anyway, without an
    answer (the test waits up to 60 s: several times the deadline)."""
    with socket.create_connection(("127.0.0.1", producer), timeout=5) as s:
        s.setblocking(False)
        answer, closed, sent = b"", False, 0

        def closed_yet() -> bool:
            nonlocal answer, closed, sent
            try:
                data = s.recv(65536)
                answer += data
                closed = not data
            except BlockingIOError:
                try:
                    sent += s.send(ENDLESS_HEAD[sent:sent + 1])
                except OSError:
                    closed = True
            except OSError:
                closed = True
            return closed

        wait_until(closed_yet, timeout_s=60, interval_s=0.2,
                   describe=lambda: f"the server to close a connection that sent {sent} bytes of a head")
    assert sent < len(ENDLESS_HEAD)
    assert b"200 OK" not in answer, answer

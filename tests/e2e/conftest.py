"""Fixtures for end-to-end tests against real and programmable OTLP peers.

- ``repo_root`` (session): the repository's root directory.
- ``pki`` (session): throw-away CA and certificates (``peers.certs.Pki``).
- ``rotel``: a fresh rotel collector per test (blackhole exporter, detailed debug log
  parsed into batches); ``rotel_module``: one shared by a whole test module (use
  ``rotel_module.mark()`` / ``since=`` to look only at what a test sent).
- ``make_rotel(**kwargs)``: more rotels with other options (e.g. ``exporter="otlp"``);
  started, and stopped after the test.
- ``receiver``: a programmable OTLP receiver (HTTP and gRPC, no TLS) per test;
  ``make_receiver(**kwargs)`` for TLS/mTLS or other options.

When a test fails, the tail of every rotel's output and a summary of what every
receiver got are added to the report. Run with the virtualenv from
``tests/peers/install.sh``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")   # grpcio's C core logs every failed TLS handshake
E2E_DIR = Path(__file__).resolve().parent
if str(E2E_DIR) not in sys.path:
    sys.path.insert(0, str(E2E_DIR))

from peers.certs import Pki, make_pki  # noqa: E402
from peers.receiver import Receiver  # noqa: E402
from peers.rotel import Rotel  # noqa: E402

_PEERS = pytest.StashKey[list]()


def _find_repo_root() -> Path:
    for d in [E2E_DIR, *E2E_DIR.parents]:
        if (d / "Cargo.toml").is_file() and (d / "tests").is_dir():
            return d
    raise RuntimeError(f"no repository root (Cargo.toml) above {E2E_DIR}")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return _find_repo_root()


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _register(node, peer) -> None:
    node.stash.setdefault(_PEERS, []).append(peer)


@pytest.fixture
def make_rotel(request, tmp_path):
    made: list[Rotel] = []

    def make(**kwargs) -> Rotel:
        kwargs.setdefault("workdir", tmp_path / f"rotel-{len(made)}")
        r = Rotel(**kwargs)
        made.append(r)
        _register(request.node, r)
        return r.start()

    yield make
    for r in made:
        r.close()


@pytest.fixture
def rotel(make_rotel) -> Rotel:
    return make_rotel()


@pytest.fixture(scope="module")
def rotel_module(tmp_path_factory):
    r = Rotel(workdir=tmp_path_factory.mktemp("rotel-module"))
    with r:
        yield r


@pytest.fixture
def make_receiver(request):
    made: list[Receiver] = []

    def make(**kwargs) -> Receiver:
        rx = Receiver(**kwargs)
        made.append(rx)
        _register(request.node, rx)
        return rx.start()

    yield make
    for rx in made:
        rx.stop()


@pytest.fixture
def receiver(make_receiver) -> Receiver:
    return make_receiver()


def _receiver_summary(rx: Receiver) -> str:
    lines = [f"receiver http={rx.metrics_url if rx.enable_http else '-'} "
             f"grpc={rx.grpc_url if rx.enable_grpc else '-'}: {len(rx.requests)} request(s)"]
    for r in rx.requests[-20:]:
        names = sorted({m.name for rm in r.message.resource_metrics for sm in rm.scope_metrics
                        for m in sm.metrics}) if r.message else []
        lines.append(f"  {r.transport} {r.path} ctype={r.content_type!r} enc={r.content_encoding!r} "
                     f"status={r.status} grpc={r.grpc_code} error={r.error} metrics={names}")
    if rx.tls_errors:
        lines.append(f"  tls errors: {rx.tls_errors[-5:]}")
    return "\n".join(lines)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    peers = list(item.stash.get(_PEERS, []))
    peers += [v for v in getattr(item, "funcargs", {}).values()
              if isinstance(v, (Rotel, Receiver)) and v not in peers]
    for peer in peers:
        try:
            if isinstance(peer, Rotel):
                rep.sections.append((f"rotel {peer.grpc_endpoint}/{peer.http_endpoint}", peer.output_tail(60)))
            else:
                rep.sections.append(("receiver", _receiver_summary(peer)))
        except Exception as e:  # a report must never fail because of this
            rep.sections.append(("peer", f"could not describe {peer!r}: {e}"))

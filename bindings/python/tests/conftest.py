"""Fixtures for the Python package's tests (helpers: ``pkg_helpers``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import otelmetrics  # noqa: E402
from pkg_helpers import E2E  # noqa: E402


@pytest.fixture
def provider() -> Iterator[otelmetrics.MeterProvider]:
    with otelmetrics.MeterProvider(exporters=["none"], in_memory=True, service_name="pytest") as p:
        yield p


@pytest.fixture
def meter(provider: otelmetrics.MeterProvider) -> otelmetrics.Meter:
    return provider.get_meter("tests")


@pytest.fixture(scope="session")
def e2e_peers():
    """The end-to-end harness of tests/e2e/peers (rotel, receiver)."""
    if str(E2E) not in sys.path:
        sys.path.insert(0, str(E2E))
    from peers import rotel
    return rotel

"""Interpreter exit: shut every live provider down while Python still runs
(their last export may call observable callbacks and the diagnostics hook),
then unregister every callback and remove the hook, so the library never
calls into a finalising interpreter."""

from __future__ import annotations

import atexit
import os

from . import _diagnostics, _observable, provider

EXIT_TIMEOUT_MILLIS = int(os.environ.get("OTELMETRICS_PYTHON_EXIT_TIMEOUT_MS", "10000"))


def at_exit() -> None:
    provider.shutdown_all(EXIT_TIMEOUT_MILLIS)
    _observable.close_all(EXIT_TIMEOUT_MILLIS)
    _diagnostics.uninstall()


def install() -> None:
    _diagnostics.install()
    atexit.register(at_exit)

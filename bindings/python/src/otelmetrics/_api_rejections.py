"""Rate-limited warnings for measurements the API layer drops.

The OpenTelemetry error-handling rule: an API call never raises into the
application; a bad measurement is dropped and logged. An application that
gets one wrong usually gets it wrong on every request, so each (instrument,
kind of problem) is logged at most once per ``INTERVAL_S``; the next message
says how many were dropped silently in between.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Dict, List, Tuple

logger = logging.getLogger("otelmetrics.api")
INTERVAL_S = 60.0
_MAX_KEYS = 4096   # bounded: instrument names come from the application

_lock = threading.Lock()
_seen: Dict[Tuple[str, str], List[float]] = {}   # key -> [time last logged, dropped since]


def report(instrument: str, problem: str, message: str) -> None:
    """Logs ``message`` (which names the instrument) unless the same problem of
    the same instrument was logged less than ``INTERVAL_S`` ago."""
    key = (instrument, problem)
    now = time.monotonic()
    with _lock:
        entry = _seen.get(key)
        if entry is not None and now - entry[0] < INTERVAL_S:
            entry[1] += 1
            return
        silent = int(entry[1]) if entry is not None else 0
        if entry is None and len(_seen) >= _MAX_KEYS:
            _seen.clear()
        _seen[key] = [now, 0]
    if silent:
        message += f" ({silent} more dropped for the same reason since the last message)"
    logger.warning("%s", message)


def reset() -> None:
    """Forgets what was logged (tests)."""
    with _lock:
        _seen.clear()

"""Routes the library's diagnostics (failed exports, recoveries, errors at
exit) to ``logging.getLogger("otelmetrics")``. The hook runs on the library's
export threads; it is removed at interpreter exit (the library then falls
back to stderr)."""

from __future__ import annotations

import logging
from ctypes import c_void_p, string_at
from typing import Optional

from . import _ffi
from ._library import FNS

logger = logging.getLogger("otelmetrics")
LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


@_ffi.DIAGNOSTIC_FN
def _hook(level: int, message: _ffi.Str, _user_data: Optional[int]) -> None:
    try:
        # read the pointer raw: the view need not be NUL-terminated
        address = c_void_p.from_buffer(message, 0).value
        text = string_at(address, message.len).decode("utf-8", "replace") if address else ""
        logger.log(LEVELS.get(level, logging.WARNING), "%s", text)
    except BaseException:   # nothing may propagate into the library's thread
        pass


def install() -> None:
    FNS.otelmetrics_set_diagnostic_hook(_hook, None)


def uninstall() -> None:
    FNS.otelmetrics_set_diagnostic_hook(_ffi.DIAGNOSTIC_FN(), None)

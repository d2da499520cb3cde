"""The one place where a status code becomes an exception."""

from __future__ import annotations

import ctypes

from ._library import FNS
from .errors import ERROR_BY_STATUS, OtelmetricsError


def last_error_message() -> str:
    """The library's message for the latest failure on this thread."""
    length = ctypes.c_size_t(0)
    ptr = FNS.otelmetrics_last_error_message(ctypes.byref(length))
    if not ptr:
        return ""
    return ctypes.string_at(ptr, length.value).decode("utf-8", "replace")


def error_for(status: int) -> OtelmetricsError:
    """The exception for a failed call (call right after it, on the same thread)."""
    message = last_error_message()
    cls = ERROR_BY_STATUS.get(status)
    if cls is not None:
        return cls(message or cls.status_name)
    name = (FNS.otelmetrics_status_name(status) or b"UNKNOWN").decode()
    return OtelmetricsError(message or name, status, name)


def check(status: int) -> None:
    """Raises the exception for ``status`` unless it is OK (0)."""
    if status:
        raise error_for(status)

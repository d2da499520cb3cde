"""Exceptions for the library's status codes.

Every failing call raises a subclass of ``OtelmetricsError`` chosen by its
status code, carrying the library's own message (its thread-local last
error). Unknown codes (from a newer library) raise ``OtelmetricsError``.
Argument mistakes that Python can see before the call raise the usual
``TypeError``/``ValueError`` instead.
"""

from __future__ import annotations

from typing import Dict, Type


class OtelmetricsError(Exception):
    """A call into the library failed; ``status`` is the code, ``status_name`` its name."""

    status = -1
    status_name = "UNKNOWN"

    def __init__(self, message: str, status: int | None = None, status_name: str | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if status_name is not None:
            self.status_name = status_name


class NullPointerError(OtelmetricsError):
    status, status_name = 1, "NULL_POINTER"


class InvalidUtf8Error(OtelmetricsError, ValueError):
    status, status_name = 2, "INVALID_UTF8"


class InvalidArgumentError(OtelmetricsError, ValueError):
    status, status_name = 3, "INVALID_ARGUMENT"


class InvalidNameError(OtelmetricsError, ValueError):
    status, status_name = 4, "INVALID_NAME"


class InvalidValueError(OtelmetricsError, ValueError):
    status, status_name = 5, "INVALID_VALUE"


class InvalidConfigError(OtelmetricsError, ValueError):
    status, status_name = 6, "INVALID_CONFIG"


class WrongHandleError(OtelmetricsError):
    status, status_name = 7, "WRONG_HANDLE"


class ShutdownError(OtelmetricsError):
    """The provider was shut down (or the handle closed)."""

    status, status_name = 8, "SHUTDOWN"


class FlushTimeoutError(OtelmetricsError, TimeoutError):
    status, status_name = 9, "TIMEOUT"


class ExportFailedError(OtelmetricsError):
    status, status_name = 10, "EXPORT_FAILED"


class ReentrantCallError(OtelmetricsError):
    """A call that is not allowed inside an observable callback."""

    status, status_name = 11, "REENTRANT_CALL"


class PanicError(OtelmetricsError):
    status, status_name = 12, "PANIC"


class InternalError(OtelmetricsError):
    status, status_name = 13, "INTERNAL"


class LibraryVersionError(ImportError):
    """The shared library found is not the version this package was made for."""


ERROR_BY_STATUS: Dict[int, Type[OtelmetricsError]] = {
    cls.status: cls for cls in (
        NullPointerError, InvalidUtf8Error, InvalidArgumentError, InvalidNameError,
        InvalidValueError, InvalidConfigError, WrongHandleError, ShutdownError, FlushTimeoutError,
        ExportFailedError, ReentrantCallError, PanicError, InternalError)
}

"""Ownership of one library handle: an explicit, idempotent ``close()``,
``with`` support, and a ``weakref.finalize`` that only frees memory.

Finalizers are switched off at interpreter exit (``atexit = False``): the
package's own exit hook shuts providers down first (see ``_lifecycle``), and
freeing memory while the process ends is pointless.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Optional, TypeVar

_T = TypeVar("_T", bound="Handle")


class Handle:
    """Base of every object that owns a library handle (``_h``, an int address)."""

    __slots__ = ("_h", "_finalizer", "__weakref__")

    def _own(self, address: Optional[int], free: Callable[[Any], None]) -> None:
        if not address:
            raise RuntimeError("the library returned OK but no handle")
        self._h: Optional[int] = address
        self._finalizer = weakref.finalize(self, free, address)
        # typeshed declares finalize with __slots__ that omit its documented `atexit`.
        self._finalizer.atexit = False  # type: ignore[misc]

    @property
    def closed(self) -> bool:
        return getattr(self, "_h", None) is None

    def close(self) -> None:
        """Frees the handle now; later calls on this object fail. Idempotent.
        Must not race with calls on this object from other threads."""
        finalizer = getattr(self, "_finalizer", None)
        self._h = None
        # detach(), not finalizer(): once weakref's own exit hook has run
        # (before the package's, which registered earlier), calling a finalizer
        # does nothing, and the exit hook's close() must still free.
        detached = finalizer.detach() if finalizer is not None else None
        if detached is not None:
            _, free, args, _ = detached
            free(*args)

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Observable instruments: Python callbacks the library calls once per
collection, on its export thread (or the thread calling ``read_json``).

One module-level ctypes trampoline serves every instrument; the library's
``user_data`` is a registry id, removed from the registry once the handle's
free has returned (the library waits for a running call there, and calls it
no more). No ``free_user_data`` is given to the library: it would call it
after a running call returned, which at interpreter exit may be after
Python has finalised. So a callback stays alive exactly as long as the
library may call it. An exception in a callback, or a bad observation, is
logged on the ``otelmetrics`` logger and skips only that callback (or
observation).
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
import weakref
from ctypes import byref, c_void_p
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _ffi
from ._attributes import Attributes, encode
from ._handle import Handle
from ._library import FNS
from ._status import check, last_error_message
from ._values import ValueType, coerce

logger = logging.getLogger("otelmetrics")


@dataclass(frozen=True)
class Observation:
    """One value reported by an observable callback, with its attributes."""

    value: Union[int, float]
    attributes: Optional[Union[Mapping[str, Any], Attributes]] = None


@dataclass(frozen=True)
class CallbackOptions:
    """Passed to every callback, as in the OpenTelemetry Python API."""

    timeout_millis: float = 10_000


Callback = Callable[[CallbackOptions], Iterable[Observation]]


class _Registration:
    """The callbacks of one registration and how their observations reach the
    library (here: the callback's own instrument)."""

    __slots__ = ("name", "callbacks", "vt", "observe")
    options = CallbackOptions   # what each callback is passed

    def __init__(self, name: str, callbacks: List[Callback], vt: ValueType) -> None:
        self.name, self.callbacks, self.vt = name, callbacks, vt
        self.observe = getattr(FNS, f"otelmetrics_observer_observe_{vt.suffix}")

    def report(self, observer: int, observation: Any) -> None:
        if not isinstance(observation, Observation):
            raise TypeError(f"a callback must yield Observation objects, not {type(observation).__name__}")
        value = observation.value
        if not (type(value) in self.vt.fast and self.vt.low <= value <= self.vt.high):
            value = coerce(self.vt, value)
        attributes = observation.attributes or {}
        if isinstance(attributes, Attributes):
            attributes = attributes.to_dict()
        array, keep = encode(attributes)
        status = self.observe(observer, value, array, len(attributes))
        del keep
        if status:
            logger.warning("observable %r: observation %r rejected: %s", self.name, observation,
                           last_error_message())


_registry: Dict[int, _Registration] = {}
_ids = itertools.count(1)
_enabled = True   # switched off at interpreter exit: no Python code runs from C after that


def _run_callbacks(observer: int, user_data: Optional[int]) -> None:
    reg = _registry.get(user_data or 0)
    if reg is None or not _enabled:
        return
    options = reg.options()
    for callback in reg.callbacks:
        try:
            observations = iter(callback(options))
        except Exception:
            logger.exception("observable %r: callback %r failed", reg.name, callback)
            continue
        while True:
            try:
                observation = next(observations)
            except StopIteration:
                break
            except Exception:
                logger.exception("observable %r: callback %r failed", reg.name, callback)
                break
            try:
                reg.report(observer, observation)
            except Exception:
                logger.exception("observable %r: bad observation from %r", reg.name, callback)


@_ffi.OBSERVE_FN
def _observe_trampoline(observer: int, user_data: Optional[int]) -> None:
    try:
        _run_callbacks(observer, user_data)
    except BaseException:   # nothing may propagate into the library's thread
        logger.exception("observable callback dispatch failed")


def _free_registered(free: Any, key: int, address: int) -> None:
    """Frees a handle whose callbacks are registered under ``key``, then forgets them."""
    try:
        free(address)
    finally:
        _registry.pop(key, None)


def _register(registration: _Registration) -> int:
    key = next(_ids)
    _registry[key] = registration
    return key


def _own_registered(handle: Handle, key: int, create: Callable[[Any], int], free: Any) -> None:
    """Makes the native object with ``create(out)`` for ``handle`` to own, its
    callbacks registered under ``key`` (0: none). The registry entry goes
    when the object is freed, or at once when ``create`` fails."""
    out = c_void_p()
    try:
        check(create(byref(out)))
    except BaseException:
        _registry.pop(key, None)
        raise
    handle._own(out.value, functools.partial(_free_registered, free, key) if key else free)
    _live.add(handle)


_live: "weakref.WeakSet[Handle]" = weakref.WeakSet()


class CallbackRegistration(Handle):
    """One registration reporting for several observable instruments of one
    meter (``otelmetrics_meter_register_callback``): ``registration.report``
    sends each observation to one of them. ``close()`` unregisters it."""

    __slots__ = ("_instruments",)

    def __init__(self, meter: Any, instruments: Sequence[Handle], registration: _Registration) -> None:
        self._instruments = list(instruments)   # the library needs them alive while registered
        key = _register(registration)
        handles = (c_void_p * len(self._instruments))(*(i._h for i in self._instruments))
        _own_registered(self, key, lambda out: FNS.otelmetrics_meter_register_callback(
            meter._h, handles, len(self._instruments), _observe_trampoline, key, _ffi.FREE_FN(), out),
            FNS.otelmetrics_callback_registration_free)


class ObservableInstrument(Handle):
    """Base of the observable instruments; ``close()`` unregisters the callbacks."""

    __slots__ = ("name", "unit", "description", "value_type", "_vt", "_parent")
    _kind = ""

    def __init__(self, meter: Any, name: str, callbacks: Optional[Sequence[Callback]], unit: str,
                 description: str, vt: ValueType) -> None:
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(f"callbacks must be callables, not {type(cb).__name__}")
        self.name, self.unit, self.description = name, unit, description
        self.value_type = float if vt.suffix == "f64" else int
        self._vt = vt
        self._parent = meter
        stem = f"observable_{self._kind}_{vt.suffix}"
        free = getattr(FNS, f"otelmetrics_{stem}_free")
        key = _register(_Registration(name, callbacks, vt)) if callbacks else 0
        # (without callbacks: reported for by a CallbackRegistration only)
        observe = _observe_trampoline if callbacks else _ffi.OBSERVE_FN()
        create = getattr(FNS, f"otelmetrics_meter_create_{stem}")
        _own_registered(self, key, lambda out: create(
            meter._h, _ffi.str_view(name), _ffi.str_view(description), _ffi.str_view(unit),
            observe, key or None, _ffi.FREE_FN(), out), free)

    def close(self) -> None:
        """Unregisters the callbacks (waiting for a running call) and frees the instrument."""
        Handle.close(self)
        try:
            self._parent._observables.remove(self)
        except (AttributeError, ValueError):
            pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, value_type={self.value_type.__name__})"


class ObservableCounter(ObservableInstrument):
    __slots__ = ()
    _kind = "counter"


class ObservableUpDownCounter(ObservableInstrument):
    __slots__ = ()
    _kind = "up_down_counter"


class ObservableGauge(ObservableInstrument):
    __slots__ = ()
    _kind = "gauge"


def close_all(timeout_millis: float) -> None:
    """Unregisters every live callback (interpreter exit), each on a thread of
    its own: unregistering waits for a running call, and a callback still
    running when ``timeout_millis`` have passed is abandoned (the library
    calls no Python code for it after it returns, and none for the others)."""
    global _enabled
    handles = list(_live)
    done = [threading.Event() for _ in handles]

    def close(handle: Handle, done: threading.Event) -> None:
        try:
            handle.close()
        except Exception:
            logger.exception("closing %r at exit failed", handle)
        finally:
            done.set()

    # (Thread.start returns once its thread runs: the deadline counts from
    # when every close is under way.)
    for args in zip(handles, done):
        threading.Thread(target=close, args=args, name="otelmetrics-exit", daemon=True).start()
    deadline = time.monotonic() + timeout_millis / 1000
    for event, handle in zip(done, handles):
        if not event.wait(max(0.0, deadline - time.monotonic())):
            logger.warning("a callback of %r was still running at exit; abandoned", handle)
    _enabled = False

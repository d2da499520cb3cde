"""``MeterProvider``: owns the pipeline (readers, exporters, export thread).

Shut it down (``shutdown()``, ``with``, or at interpreter exit, which the
package does for every live provider) to export the last data.
"""

from __future__ import annotations

import json
import logging
import weakref
from ctypes import byref, c_size_t, c_uint16, c_void_p, string_at
from os import PathLike
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _config, _ffi
from ._attributes import encode
from ._handle import Handle
from ._library import FNS
from ._status import check
from .errors import ExportFailedError, FlushTimeoutError, ShutdownError
from .meter import Meter
from .view import View

logger = logging.getLogger("otelmetrics")
_live: "weakref.WeakSet[MeterProvider]" = weakref.WeakSet()


def _optional_text(what: str, value: Optional[str]) -> _ffi.Str:
    if value is None:
        return _ffi.str_view("")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str or None, not {type(value).__name__}")
    return _ffi.str_view(value)


class MeterProvider(Handle):
    """A meter provider configured in code; every setting left ``None`` comes
    from the ``OTEL_*`` environment variables, then the defaults.

    ``exporters``: a list of "otlp", "console", "none", "prometheus".
    ``in_memory=True`` adds a reader for ``read_json()``/``read_metrics()``.
    ``otlp_max_request_bytes`` caps one OTLP request (encoded, before
    compression; default 4 MiB) and ``max_export_batch_size`` its number of
    data points (no limit by default): larger exports are split into several.
    ``otlp_compression``: "none", "gzip" or "zstd".
    ``cardinality_limits`` maps instrument kinds ("counter", "up_down_counter",
    "histogram", "gauge", "observable_counter", "observable_up_down_counter",
    "observable_gauge") to their default cardinality limit, over
    ``cardinality_limit``; a view's own limit still wins.
    ``self_metrics=True`` records the semantic conventions' SDK metrics
    (``otel.sdk.exporter.*``, ``otel.sdk.metric_reader.collection.duration``)
    and exports them with the rest (``OTELMETRICS_SELF_METRICS``).
    ``meter_configurator`` maps meter name patterns (``*``, ``?``) to enabled
    (True) or disabled (False); the first matching pattern, in order, decides
    and unmatched meters are enabled. A disabled meter's instruments record
    nothing and their ``enabled()`` is False.
    The Prometheus endpoint (``exporters=["prometheus"]``):
    ``prometheus_translation_strategy`` is "underscore_escaping_with_suffixes"
    (default), "underscore_escaping_without_suffixes",
    "no_utf8_escaping_with_suffixes" or "no_translation" (UTF-8 names reach
    only scrapers that ask for them); ``prometheus_without_units`` and
    ``prometheus_without_type_suffix`` drop those suffixes;
    ``prometheus_scope_info=False`` drops the ``otel_scope_*`` labels,
    ``prometheus_target_info=False`` the ``target_info`` metric;
    ``prometheus_resource_constant_labels={"included": ["service.*"],
    "excluded": [...]}`` copies matching resource attributes onto every series.
    ``exemplar_filter``: "trace_based" (the default: measurements made in a
    sampled span), "always_on" or "always_off" (``OTEL_METRICS_EXEMPLAR_FILTER``).
    """

    __slots__ = ("_is_shut_down",)

    def __init__(self, *, service_name: Optional[str] = None,
                 resource_attributes: Optional[Mapping[str, Any]] = None,
                 exporters: Optional[Sequence[str]] = None,
                 otlp_endpoint: Optional[str] = None, otlp_protocol: Optional[str] = None,
                 otlp_headers: Optional[Mapping[str, str]] = None, otlp_timeout_millis: Optional[float] = None,
                 otlp_compression: Optional[str] = None, otlp_max_request_bytes: Optional[int] = None,
                 max_export_batch_size: Optional[int] = None, self_metrics: Optional[bool] = None,
                 otlp_certificate_file: Union[str, PathLike, None] = None,
                 otlp_client_certificate_file: Union[str, PathLike, None] = None,
                 otlp_client_key_file: Union[str, PathLike, None] = None,
                 otlp_insecure: Optional[bool] = None,
                 console_format: Optional[str] = None, console_path: Union[str, PathLike, None] = None,
                 prometheus_host: Optional[str] = None, prometheus_port: Optional[int] = None,
                 prometheus_translation_strategy: Optional[str] = None,
                 prometheus_without_units: Optional[bool] = None,
                 prometheus_without_type_suffix: Optional[bool] = None,
                 prometheus_scope_info: Optional[bool] = None, prometheus_target_info: Optional[bool] = None,
                 prometheus_resource_constant_labels: Optional[Mapping[str, Sequence[str]]] = None,
                 export_interval_millis: Optional[float] = None, export_timeout_millis: Optional[float] = None,
                 temporality: Optional[str] = None, exemplar_filter: Optional[str] = None,
                 views: Sequence[View] = (),
                 cardinality_limit: Optional[int] = None,
                 cardinality_limits: Optional[Mapping[str, int]] = None, in_memory: bool = False,
                 meter_configurator: Optional[Mapping[str, bool]] = None,
                 config_file: Union[str, PathLike, None] = None, config_yaml: Optional[str] = None) -> None:
        settings = dict(locals())
        del settings["self"]
        out = c_void_p()
        check(FNS.otelmetrics_provider_builder_new(byref(out)))
        builder = out.value or 0
        try:
            _config.apply(builder, settings)
            provider = c_void_p()
            check(FNS.otelmetrics_provider_builder_build(builder, byref(provider)))
        finally:
            FNS.otelmetrics_provider_builder_free(builder)
        self._adopt(provider.value)

    @classmethod
    def from_env(cls) -> "MeterProvider":
        """A provider configured by the ``OTEL_*`` environment variables alone."""
        self = cls.__new__(cls)
        out = c_void_p()
        check(FNS.otelmetrics_provider_new_from_env(byref(out)))
        self._adopt(out.value)
        return self

    def _adopt(self, address: Optional[int]) -> None:
        self._is_shut_down = False
        self._own(address, FNS.otelmetrics_provider_free)
        _live.add(self)

    def get_meter(self, name: str, version: Optional[str] = None, schema_url: Optional[str] = None,
                  attributes: Optional[Mapping[str, Any]] = None) -> Meter:
        """The meter of one instrumentation scope (library name, version, schema URL, scope attributes)."""
        if not isinstance(name, str):
            raise TypeError(f"name must be str, not {type(name).__name__}")
        array, keep = encode(attributes or {})
        out = c_void_p()
        check(FNS.otelmetrics_provider_get_meter(
            self._h, _ffi.str_view(name), _optional_text("version", version),
            _optional_text("schema_url", schema_url), array, len(array), byref(out)))
        del keep
        return Meter(self, out.value or 0, name, version or "", schema_url or "")

    def force_flush(self, timeout_millis: float = 30_000) -> bool:
        """Collects and exports now; returns True, or raises (``FlushTimeoutError``,
        ``ExportFailedError``, ``ShutdownError``) with the library's message."""
        check(FNS.otelmetrics_provider_force_flush(self._h, _timeout(timeout_millis)))
        return True

    def shutdown(self, timeout_millis: float = 30_000) -> None:
        """Exports what is left and stops the export thread, within the timeout.
        A second call does nothing. Raises like ``force_flush`` when the last
        export failed or timed out (the provider is shut down anyway)."""
        if self._is_shut_down or self._h is None:
            return
        self._is_shut_down = True
        check(FNS.otelmetrics_provider_shutdown(self._h, _timeout(timeout_millis)))

    def read_json(self) -> str:
        """What the in-memory reader holds now, as one OTLP-JSON
        ``ExportMetricsServiceRequest`` (needs ``in_memory=True``)."""
        out, length = c_void_p(), c_size_t()
        check(FNS.otelmetrics_provider_read_json(self._h, byref(out), byref(length)))
        try:
            return string_at(out.value or 0, length.value).decode("utf-8")
        finally:
            FNS.otelmetrics_string_free(out.value)

    def read_metrics(self) -> Dict[str, Any]:
        """``read_json()`` parsed."""
        return json.loads(self.read_json())

    @property
    def prometheus_port(self) -> int:
        """The port of the Prometheus endpoint (useful after asking for port 0);
        with several pull readers, the first one's (see ``prometheus_ports``)."""
        port = c_uint16()
        check(FNS.otelmetrics_provider_prometheus_port(self._h, byref(port)))
        return port.value

    @property
    def prometheus_ports(self) -> Tuple[int, ...]:
        """The ports of every Prometheus endpoint, one per pull reader in the
        order of the readers (a configuration file's
        ``meter_provider.readers``), port 0 resolved; ``()`` when there is
        none. Raises ``ShutdownError`` once the provider is shut down."""
        count = c_size_t()
        check(FNS.otelmetrics_provider_prometheus_ports(self._h, None, 0, byref(count)))
        ports = (c_uint16 * count.value)()
        check(FNS.otelmetrics_provider_prometheus_ports(self._h, ports, count.value, byref(count)))
        return tuple(ports[:count.value])

    def close(self) -> None:
        """Shuts down (if not yet) and frees the provider. Idempotent. A failed
        or timed-out last export is logged (``otelmetrics`` logger), not raised:
        call ``shutdown()`` first to handle it."""
        try:
            if self._h is not None:
                self.shutdown()
        except (ExportFailedError, FlushTimeoutError) as e:
            logger.warning("meter provider closed, but its last export failed: %s", e)
        finally:
            Handle.close(self)

    def __exit__(self, *exc: object) -> None:
        self.close()


def _timeout(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"timeout_millis must be a number >= 0; got {value!r}")
    return int(value)


def shutdown_all(timeout_millis: int) -> None:
    """Shuts down every live provider (interpreter exit); failures are logged by the library."""
    for provider in list(_live):
        try:
            provider.shutdown(timeout_millis)
        except (ShutdownError, Exception):
            pass

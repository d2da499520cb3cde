"""Applies ``MeterProvider`` keyword settings to a C provider builder.

Names follow the ``OTEL_*`` variables they override; anything left ``None``
comes from the environment, then the library's defaults.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from . import _ffi, _ffi_generated
from ._attributes import encode
from ._library import FNS
from ._status import check

EXPORTERS = {"otlp": 1, "console": 2, "none": 3, "prometheus": 4}
PROTOCOLS = {"grpc": 1, "http/protobuf": 2, "http/json": 3}
COMPRESSIONS = {"none": 1, "gzip": 2, "zstd": 3}
TEMPORALITIES = {"cumulative": 1, "delta": 2, "low_memory": 3, "lowmemory": 3}
EXEMPLAR_FILTERS = {"always_on": _ffi_generated.EXEMPLAR_FILTER_ALWAYS_ON,
                    "always_off": _ffi_generated.EXEMPLAR_FILTER_ALWAYS_OFF,
                    "trace_based": _ffi_generated.EXEMPLAR_FILTER_TRACE_BASED}
CONSOLE_FORMATS = {"text": 1, "json": 2}
# The configuration schema's `translation_strategy` values.
PROMETHEUS_TRANSLATIONS = {
    name.lower(): getattr(_ffi_generated, "PROMETHEUS_TRANSLATION_" + name)
    for name in ("UNDERSCORE_ESCAPING_WITH_SUFFIXES", "UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES",
                 "NO_UTF8_ESCAPING_WITH_SUFFIXES", "NO_TRANSLATION")
}
# The configuration schema's instrument type names (`cardinality_limits`).
INSTRUMENT_KINDS = {
    name.lower(): getattr(_ffi_generated, "INSTRUMENT_KIND_" + name)
    for name in ("COUNTER", "UP_DOWN_COUNTER", "HISTOGRAM", "GAUGE", "OBSERVABLE_COUNTER",
                 "OBSERVABLE_UP_DOWN_COUNTER", "OBSERVABLE_GAUGE")
}


def _choice(setting: str, table: Dict[str, int], value: Any) -> int:
    if not isinstance(value, str) or value.lower() not in table:
        raise ValueError(f"{setting} must be one of {', '.join(repr(k) for k in table)}; got {value!r}")
    return table[value.lower()]


def _millis(setting: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{setting} must be a positive number of milliseconds; got {value!r}")
    return int(value)


def _text(setting: str, value: Any) -> _ffi.Str:
    if not isinstance(value, str):
        raise TypeError(f"{setting} must be str, not {type(value).__name__}")
    return _ffi.str_view(value)


def apply(builder: int, settings: Mapping[str, Any]) -> None:
    """Calls the builder setter for every setting that is not None."""
    b = builder
    simple: Dict[str, Callable[[Any], int]] = {
        "service_name": lambda v: FNS.otelmetrics_provider_builder_set_service_name(b, _text("service_name", v)),
        "otlp_endpoint": lambda v: FNS.otelmetrics_provider_builder_set_otlp_endpoint(b, _text("otlp_endpoint", v)),
        "otlp_protocol": lambda v: FNS.otelmetrics_provider_builder_set_otlp_protocol(
            b, _choice("otlp_protocol", PROTOCOLS, v)),
        "otlp_timeout_millis": lambda v: FNS.otelmetrics_provider_builder_set_otlp_timeout_ms(
            b, _millis("otlp_timeout_millis", v)),
        "otlp_max_request_bytes": lambda v: FNS.otelmetrics_provider_builder_set_otlp_max_request_bytes(
            b, _positive_int("otlp_max_request_bytes", v)),
        "max_export_batch_size": lambda v: FNS.otelmetrics_provider_builder_set_max_export_batch_size(
            b, _positive_int("max_export_batch_size", v)),
        "self_metrics": lambda v: FNS.otelmetrics_provider_builder_set_self_metrics(b, _flag("self_metrics", v)),
        "otlp_compression": lambda v: FNS.otelmetrics_provider_builder_set_otlp_compression(
            b, _choice("otlp_compression", COMPRESSIONS, v)),
        "otlp_certificate_file": lambda v: FNS.otelmetrics_provider_builder_set_otlp_certificate_file(
            b, _text("otlp_certificate_file", str(v))),
        "otlp_client_certificate_file": lambda v: FNS.otelmetrics_provider_builder_set_otlp_client_certificate_file(
            b, _text("otlp_client_certificate_file", str(v))),
        "otlp_client_key_file": lambda v: FNS.otelmetrics_provider_builder_set_otlp_client_key_file(
            b, _text("otlp_client_key_file", str(v))),
        "otlp_insecure": lambda v: FNS.otelmetrics_provider_builder_set_otlp_insecure(b, bool(v)),
        "console_format": lambda v: FNS.otelmetrics_provider_builder_set_console_format(
            b, _choice("console_format", CONSOLE_FORMATS, v)),
        "config_file": lambda v: FNS.otelmetrics_provider_builder_set_config_file(b, _text("config_file", str(v))),
        "config_yaml": lambda v: FNS.otelmetrics_provider_builder_set_config_yaml(b, _text("config_yaml", v)),
        "console_path": lambda v: FNS.otelmetrics_provider_builder_set_console_path(b, _text("console_path", str(v))),
        "export_interval_millis": lambda v: FNS.otelmetrics_provider_builder_set_export_interval_ms(
            b, _millis("export_interval_millis", v)),
        "export_timeout_millis": lambda v: FNS.otelmetrics_provider_builder_set_export_timeout_ms(
            b, _millis("export_timeout_millis", v)),
        "temporality": lambda v: FNS.otelmetrics_provider_builder_set_temporality(
            b, _choice("temporality", TEMPORALITIES, v)),
        "prometheus_translation_strategy": lambda v:
            FNS.otelmetrics_provider_builder_set_prometheus_translation_strategy(
                b, _choice("prometheus_translation_strategy", PROMETHEUS_TRANSLATIONS, v)),
        "prometheus_without_units": lambda v: FNS.otelmetrics_provider_builder_set_prometheus_without_units(
            b, _flag("prometheus_without_units", v)),
        "prometheus_without_type_suffix": lambda v:
            FNS.otelmetrics_provider_builder_set_prometheus_without_type_suffix(
                b, _flag("prometheus_without_type_suffix", v)),
        "prometheus_scope_info": lambda v: FNS.otelmetrics_provider_builder_set_prometheus_scope_info(
            b, _flag("prometheus_scope_info", v)),
        "prometheus_target_info": lambda v: FNS.otelmetrics_provider_builder_set_prometheus_target_info(
            b, _flag("prometheus_target_info", v)),
        "exemplar_filter": lambda v: FNS.otelmetrics_provider_builder_set_exemplar_filter(
            b, _choice("exemplar_filter", EXEMPLAR_FILTERS, v)),
        "cardinality_limit": lambda v: FNS.otelmetrics_provider_builder_set_cardinality_limit(
            b, _positive_int("cardinality_limit", v)),
    }
    for name, setter in simple.items():
        if settings.get(name) is not None:
            check(setter(settings[name]))
    _apply_collections(b, settings)


def _flag(setting: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{setting} must be True or False, not {type(value).__name__}")
    return value


def _positive_int(setting: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{setting} must be a positive int; got {value!r}")
    return value


def _apply_collections(b: int, settings: Mapping[str, Any]) -> None:
    resource: Optional[Mapping[str, Any]] = settings.get("resource_attributes")
    if resource:
        array, keep = encode(resource)
        check(FNS.otelmetrics_provider_builder_add_resource_attributes(b, array, len(resource)))
        del keep
    exporters: Optional[Sequence[str]] = settings.get("exporters")
    if exporters is not None:
        if isinstance(exporters, str):
            exporters = [exporters]
        for e in exporters:
            check(FNS.otelmetrics_provider_builder_add_exporter(b, _choice("exporters", EXPORTERS, e)))
    for name, value in dict(settings.get("otlp_headers") or {}).items():
        check(FNS.otelmetrics_provider_builder_add_otlp_header(b, _text("header name", name),
                                                               _text("header value", value)))
    host, port = settings.get("prometheus_host"), settings.get("prometheus_port")
    if host is not None or port is not None:
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
            raise ValueError(f"prometheus_port must be an int in 0..65535; got {port!r}")
        check(FNS.otelmetrics_provider_builder_set_prometheus_endpoint(
            b, _text("prometheus_host", host or ""), port or 0))
    _apply_resource_constant_labels(b, settings.get("prometheus_resource_constant_labels"))
    if settings.get("in_memory"):
        check(FNS.otelmetrics_provider_builder_enable_in_memory_reader(b))
    for kind, limit in dict(settings.get("cardinality_limits") or {}).items():
        check(FNS.otelmetrics_provider_builder_set_cardinality_limit_for_kind(
            b, _choice("cardinality_limits", INSTRUMENT_KINDS, kind), _positive_int("cardinality_limits", limit)))
    for pattern, enabled in dict(settings.get("meter_configurator") or {}).items():
        check(FNS.otelmetrics_provider_builder_set_meter_enabled(
            b, _text("meter name pattern", pattern), _flag("meter_configurator value", enabled)))
    for view in settings.get("views") or ():
        if not hasattr(view, "_add_to"):
            raise TypeError(f"views must be otelmetrics.View objects, not {type(view).__name__}")
        view._add_to(b)


def _apply_resource_constant_labels(b: int, chosen: Optional[Mapping[str, Sequence[str]]]) -> None:
    """``{"included": [...], "excluded": [...]}``: resource attribute key
    patterns whose attributes become labels of every Prometheus series."""
    if chosen is None:
        return
    if not isinstance(chosen, Mapping) or set(chosen) - {"included", "excluded"}:
        raise ValueError("prometheus_resource_constant_labels must be a mapping with the keys "
                         f"'included' and/or 'excluded'; got {chosen!r}")
    for key, include in (("included", True), ("excluded", False)):
        patterns = chosen.get(key) or ()
        if isinstance(patterns, str):
            raise TypeError(f"prometheus_resource_constant_labels[{key!r}] must be a list of patterns, not a str")
        for pattern in patterns:
            check(FNS.otelmetrics_provider_builder_add_prometheus_resource_constant_label(
                b, _text("resource label key pattern", pattern), include))

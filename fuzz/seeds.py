#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/<target>/ (run once; the files
are committed). Each seed spells, in the byte format harness/input.rs reads,
a call sequence that reaches deep into its target: valid data of every kind
plus the classic refusals. Findings are added to the corpus as they are."""

import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def s(text):
    """A length-prefixed string (str or raw bytes)."""
    raw = text.encode() if isinstance(text, str) else text
    assert len(raw) < 255
    return bytes([len(raw)]) + raw


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def f64(v):
    return struct.pack("<d", v)


def attrs(*items):
    """items: (key, tag, encoded value)."""
    return bytes([len(items)]) + b"".join(s(k) + bytes([tag]) + v for k, tag, v in items)


EVERY_TYPE = attrs(
    ("s", 1, s("text")), ("b", 2, b"\x01"), ("i", 3, u64(-42)), ("d", 4, f64(2.5)),
    ("sa", 5, b"\x02" + s("a") + s("b")), ("ba", 6, b"\x02\x01\x00"),
    ("ia", 7, b"\x03" + u64(1) + u64(-2) + u64(3)), ("da", 8, b"\x02" + f64(0.5) + f64(1.5)))

EXAMPLE_CONFIG = (CORPUS.parent.parent / "examples" / "config" / "otelmetrics.yaml").read_bytes()

SEEDS = {
    "attributes": {
        "none": attrs() + f64(1.0),
        "one-string": attrs(("method", 1, s("GET"))) + f64(12.5),
        "every-type": EVERY_TYPE + f64(3.0),
        "unknown-tag": attrs(("k", 9, u64(7))) + f64(1.0),
        "tag-zero": attrs(("k", 0, u64(7))) + f64(1.0),
        "bad-utf8-key": attrs((b"\xff\xfe", 1, s("v"))) + f64(1.0),
        "bad-utf8-value": attrs(("k", 1, s(b"\xc3\x28"))) + f64(1.0),
        "empty-key": attrs(("", 3, u64(1))) + f64(1.0),
        "duplicate-keys": attrs(("k", 3, u64(1)), ("k", 3, u64(2))) + f64(1.0),
        "nan-value": attrs(("k", 2, b"\x00")) + f64(float("nan")),
        # Lengths no object can have (harness/input.rs: a length byte 255,
        # then 0 = SIZE_MAX, 1 = the smallest, 2 = a u64 further on; a tag
        # byte 254 gives the key such a length).
        "absurd-count": b"\xff\x00" + s("k") + b"\x03" + u64(1) + f64(1.0),
        "absurd-key": b"\x01" + s("k") + b"\xfe\x01\x03" + u64(1) + f64(1.0),
        "absurd-int-array": attrs(("ia", 7, b"\xff\x02" + u64(12345) + u64(5))) + f64(1.0),
        "absurd-string-array": attrs(("sa", 5, b"\xff\x01" + s("a"))) + f64(1.0),
    },
    "instruments": {
        f"kind-{k}": s("http.server.duration") + s("request latency") + s("ms") + bytes([k])
        + b"\x03" + f64(1) + f64(10) + f64(100) + f64(42.0)
        for k in range(7)
    } | {
        "bad-name": s("1starts.with.digit") + s("") + s("") + b"\x00" + b"\x00" + f64(1),
        "long-name": s("a" * 254) + s("") + s("") + b"\x00" + b"\x00" + f64(1),
        "unit-non-ascii": s("temp") + s("") + s("°C") + b"\x05" + b"\x00" + f64(21.5),
        "unsorted-bounds": s("h") + s("") + s("") + b"\x03" + b"\x02" + f64(10) + f64(1) + f64(5),
        "nan-bound": s("h") + s("") + s("") + b"\x03" + b"\x01" + f64(float("nan")) + f64(5),
        "absurd-bounds": s("h") + s("") + s("") + b"\x04" + b"\xff\x01" + f64(1) + f64(2),
    },
    "meter": {
        "full": s("io.example.shop") + s("1.2.3") + s("https://opentelemetry.io/schemas/1.21.0")
        + attrs(("scope.team", 1, s("payments"))),
        "empty-name": s("") + s("") + s("") + attrs(),
        "bad-utf8-version": s("m") + s(b"\xff") + s("") + attrs(),
        "every-type-scope": s("m") + s("") + s("") + EVERY_TYPE[:1] + EVERY_TYPE[1:],
    },
    "builder": {
        "otlp-grpc": b"\x02" + u32(1) + b"\x03" + s("http://localhost:4317") + b"\x04" + u32(1)
        + b"\x05" + s("api-key") + s("s3cret") + b"\x06" + u64(3000) + b"\x07" + u32(2)
        + b"\x0f" + u64(3_600_000) + b"\x10" + u64(5000) + b"\x11" + u32(2),
        "otlp-http-tls": b"\x02" + u32(1) + b"\x03" + s("https://collector:4318/v1/metrics") + b"\x04" + u32(2)
        + b"\x08" + s("ca.pem") + b"\x09" + s("client.pem") + b"\x0a" + s("client.key"),
        "console-json": b"\x02" + u32(2) + b"\x0c" + u32(2) + b"\x0d" + s("out.jsonl") + b"\x13",
        "zero-interval": b"\x0f" + u64(0) + b"\x10" + u64(0) + b"\x06" + u64(0),
        "huge-durations": b"\x02" + u32(1) + b"\x0f" + u64(-1) + b"\x10" + u64(-1) + b"\x06" + u64(-1),
        "bad-endpoint": b"\x02" + u32(1) + b"\x03" + s("not a url") + b"\x04" + u32(9),
        "bad-header": b"\x02" + u32(1) + b"\x05" + s("bad header\n") + s("x\r\ny"),
        "resource": b"\x00" + s("shop") + b"\x01" + EVERY_TYPE + b"\x12" + u64(10),
        "prometheus-setter": b"\x0e" + s("0.0.0.0") + u32(9464) + b"\x0e" + s("[::1") + u32(0),
        "exporter-none": b"\x02" + u32(3) + b"\x13",
    },
    "views": {
        "rename-and-keys": b"\x01" + b"\x04" + b"\x00" + s("http.*") + b"\x04" + s("renamed")
        + b"\x06" + b"\x01" + s("route") + b"\x05" + s("new description")
        + attrs(("route", 1, s("/cart")), ("user", 1, s("u1"))) + f64(5.0) + b"\x02" + s("http.requests") + b"\x00"
        + s("http.latency") + b"\x01",
        "buckets": b"\x01" + b"\x02" + b"\x01" + u32(3) + b"\x09" + b"\x03" + f64(1) + f64(10) + f64(100) + b"\x01"
        + attrs() + f64(7.0) + b"\x01" + s("latency") + b"\x01",
        "exponential": b"\x01" + b"\x02" + b"\x00" + s("*") + b"\x0a" + u32(160) + u32(20) + b"\x01"
        + attrs() + f64(3.0) + b"\x01" + s("size") + b"\x01",
        "drop-and-limit": b"\x02" + b"\x02" + b"\x00" + s("debug.?") + b"\x08" + b"\x00"
        + b"\x02" + b"\x00" + s("x") + b"\x0b" + u64(1)
        + attrs(("k", 3, u64(1))) + f64(1.0) + b"\x02" + s("debug.1") + b"\x00" + s("x") + b"\x02",
        "no-selector": b"\x01" + b"\x01" + b"\x04" + s("renamed") + attrs() + f64(1.0) + b"\x00",
        "absurd-keys": b"\x01" + b"\x01" + b"\x06" + b"\xff\x00" + s("route") + attrs() + f64(1.0) + b"\x00",
        "absurd-buckets": b"\x01" + b"\x01" + b"\x09" + b"\xff\x01" + f64(1) + b"\x01" + attrs() + f64(1.0) + b"\x00",
        "bad-buckets": b"\x01" + b"\x02" + b"\x00" + s("h") + b"\x09" + b"\x02" + f64(10) + f64(1) + b"\x00"
        + attrs() + f64(1.0) + b"\x01" + s("h") + b"\x01",
    },
    "env": {
        "otlp-full": b"\x08" + s("http://localhost:4318") + b"\x0a" + s("http/protobuf")
        + b"\x0c" + s("api-key=s3cret%20value,tenant=blue") + b"\x0e" + s("5000") + b"\x10" + s("gzip"),
        "signal-specific": b"\x09" + s("http://specific:9999/custom") + b"\x0b" + s("grpc") + b"\x0f" + s("2000"),
        "resource": b"\x01" + s("shop") + b"\x02" + s("deployment.environment=prod,team=core%20metrics"),
        "exporters": b"\x03" + s("otlp,console,none") + b"\x04" + s("1000") + b"\x05" + s("500"),
        "limits": b"\x06" + s("3") + b"\x07" + s("16") + b"\x14" + s("delta"),
        "bad-values": b"\x04" + s("-1") + b"\x0a" + s("carrier-pigeon") + b"\x12" + s("maybe") + b"\x10" + s("brotli"),
        "bad-header-secret": b"\x0c" + s("api-key=topsecretvalue,broken") + b"\x08" + s("http://x:1"),
        "certificates": b"\x08" + s("https://collector:4317") + b"\x17" + s("ca.pem") + b"\x19" + s("c.pem") + b"\x1b" + s("k.pem"),
        "prometheus": b"\x03" + s("prometheus") + b"\x15" + s("::1") + b"\x16" + s("99999"),
        "disabled": b"\x00" + s("true") + b"\x1d" + s("debug"),
    },
    # YAML text as a program passes it (harness/config_file.rs).
    "config_file": {
        "example": EXAMPLE_CONFIG,
        "every-schema-key": b"""file_format: "1.1"
log_level: warn
disabled: false
attribute_limits: {attribute_count_limit: 8, attribute_value_length_limit: 64}
resource:
  attributes:
    - {name: service.name, value: shop}
    - {name: tags, value: [a, b], type: string_array}
    - {name: ids, value: [1, 2], type: int_array}
    - {name: on, value: [true], type: bool_array}
    - {name: r, value: [0.5], type: double_array}
    - {name: gone, value: null}
  attributes_list: "team=core,service.name=other"
meter_provider:
  readers:
    - periodic:
        interval: 1000
        timeout: 0
        max_export_batch_size/development: 100
        cardinality_limits: {default: 50, counter: 5, histogram: 7, observable_gauge: 3}
        exporter:
          otlp_grpc:
            endpoint: http://127.0.0.1:${PORT}
            headers: [{name: api-key, value: "${SECRET}"}, {name: x, value: null}]
            headers_list: "a=b"
            compression: zstd
            timeout: 5000
            temporality_preference: low_memory
            default_histogram_aggregation: base2_exponential_bucket_histogram
            tls: {ca_file: /nonexistent-otelmetrics-fuzz/ca.pem, insecure: true}
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: 9464
            scope_info_enabled: false
            translation_strategy: no_translation/development
  views:
    - selector: {instrument_name: "http.*", instrument_type: histogram, unit: s, meter_name: m, meter_version: "1", meter_schema_url: "https://x"}
      stream:
        name: renamed
        description: d
        aggregation_cardinality_limit: 10
        attribute_keys: {included: [a, b], excluded: [b]}
        aggregation: {base2_exponential_bucket_histogram: {max_size: 20, max_scale: 5, record_min_max: false}}
    - selector: {instrument_type: counter}
      stream: {aggregation: {explicit_bucket_histogram: {boundaries: [1, 2, 3]}}}
  exemplar_filter: always_on
  meter_configurator/development:
    default_config: {enabled: false}
    meters: [{name: "app*", config: {enabled: true}}]
tracer_provider: {processors: []}
""",
        "substitution": b"""file_format: "${FORMAT:-1.0}"
disabled: ${OFF:-false}
resource: {attributes_list: "${env:SECRET},$${literal}"}
meter_provider:
  readers: [{periodic: {interval: ${EMPTY:-250}, exporter: {console: {}}}}]
""",
        "secret-in-a-type-error": b"""file_format: "1.0"
meter_provider:
  readers:
    - periodic: {exporter: {otlp_http: {headers: [{name: k, value: [${SECRET}]}]}}}
""",
        "unsupported-version": b'file_format: "2.0"\n',
        "no-version": b"meter_provider: {readers: []}\n",
        "bad-types": b"""file_format: 1.0
meter_provider:
  readers: [{periodic: {interval: -5, exporter: {otlp_http: {compression: brotli}}}}]
  views: [{selector: {}, stream: {aggregation: {sum: {}, drop: {}}}}]
""",
        "unclosed-reference": b'file_format: "${FORMAT"\n',
        "deep-nesting": b"file_format: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "deep-mapping": b"a: " + b"{b: " * 3000 + b"1" + b"}" * 3000 + b"\n",
        "billion-laughs": b"""a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
file_format: "1.0"
""",
        "not-utf8": b'file_format: "1.0"\nresource: {attributes_list: "\xff\xfe"}\n',
        "tabs-and-garbage": b"\tfile_format: : : [\n- ]]\n",
    },
}

for target, seeds in SEEDS.items():
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / f"seed-{name}").write_bytes(data)
    print(f"{target}: {len(seeds)} seeds")

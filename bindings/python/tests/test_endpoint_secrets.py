"""An endpoint may carry a password (`user:password@`) or a token in its
query string. Whatever the reason an endpoint is refused (scheme, syntax, no
host), wherever it came from (code, OTEL_EXPORTER_OTLP_ENDPOINT,
OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, the Prometheus host), neither secret
may appear in the INVALID_CONFIG message nor in anything the library writes
(diagnostics at OTEL_LOG_LEVEL=debug, on stderr). Each case runs in a fresh
interpreter whose whole stderr is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

USER, PASSWORD, TOKEN = "us3r-NAME", "pa55-SECRET", "t0ken-SECRET"
SECRETS = (USER, PASSWORD, TOKEN)

# Endpoints refused for every reason the library has; each holds all three secrets.
REFUSED = {
    "unsupported scheme": f"ftp://{USER}:{PASSWORD}@collector:4318/v1/metrics?token={TOKEN}",
    "unparsable (bracket)": f"http://{USER}:{PASSWORD}@[::1/v1/metrics?token={TOKEN}",
    "port out of range": f"https://{USER}:{PASSWORD}@collector:99999/v1/metrics?token={TOKEN}",
    "unparsable (slash in the password)": f"https://{USER}:{PASSWORD}/x@collector/v1/metrics?token={TOKEN}",
    "unparsable (space)": f"http://{USER}:{PASSWORD}@col lector/v1/metrics?token={TOKEN}",
    "no host": f"http://{USER}:{PASSWORD}@/v1/metrics?token={TOKEN}",
    "no scheme": f"{USER}:{PASSWORD}@collector:4318/v1/metrics?token={TOKEN}",
}

# Builds a provider for each case of the JSON argument, in order, printing one
# JSON outcome per case on stdout and a marker line before each case on
# stderr, where the library's diagnostics go through logging. Environment
# cases set the variables for the one build (the library reads them then).
SCRIPT = r"""
import json, logging, os, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import otelmetrics
for case in json.loads(sys.argv[1]):
    print(f"=== case {case['id']}", file=sys.stderr, flush=True)
    outcome = {"id": case["id"]}
    os.environ.update(case["env"])
    try:
        if case["kwargs"] is None:
            provider = otelmetrics.MeterProvider.from_env()
        else:
            provider = otelmetrics.MeterProvider(**case["kwargs"])
    except otelmetrics.errors.InvalidConfigError as e:
        outcome["refused"] = str(e)
    else:
        provider.get_meter("secrets").create_counter("c").add(1)
        outcome["built"] = True
        for step, call in (("flush", provider.force_flush), ("shutdown", provider.shutdown)):
            try:
                call(timeout_millis=5000)
            except otelmetrics.errors.OtelmetricsError as e:
                outcome[step] = str(e)
    for name in case["env"]:
        del os.environ[name]
    print(json.dumps(outcome), flush=True)
    print(f"=== end {case['id']}", file=sys.stderr, flush=True)
"""


def case(id: str, kwargs: dict | None = None, **env: str) -> dict:
    """A build from code (`kwargs`) or from the environment alone (None)."""
    return {"id": id, "kwargs": kwargs, "env": env}


def run(cases: list[dict]) -> tuple[dict[str, tuple[dict, str]], str]:
    """Runs `cases` in one fresh interpreter: each case's outcome and the
    stderr written while it ran, and the whole output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    # Exports that fail give up soon (the accepted endpoints lead nowhere).
    environment.update(OTEL_LOG_LEVEL="debug", OTEL_METRIC_EXPORT_TIMEOUT="1000", OTEL_EXPORTER_OTLP_TIMEOUT="1000")
    r = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(cases)], env=environment, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    outcomes = {o["id"]: o for o in map(json.loads, r.stdout.splitlines())}
    stderr = {c["id"]: r.stderr.split(f"=== case {c['id']}\n", 1)[1].split(f"=== end {c['id']}\n", 1)[0]
              for c in cases}
    return {i: (outcomes[i], stderr[i]) for i in outcomes}, r.stdout + r.stderr


def assert_no_secret(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{leaked} shown in:\n{text}"


SOURCES = ["code", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]
PROTOCOLS = ["http/protobuf", "grpc"]
ACCEPTED = f"http://{USER}:{PASSWORD}@127.0.0.1:9/v1/metrics?token={TOKEN}"
PROMETHEUS_HOST = f"http://{USER}:{PASSWORD}@0.0.0.0/?token={TOKEN}"


def endpoint_case(reason: str, source: str, protocol: str) -> dict:
    id = f"{reason}/{source}/{protocol}"
    if source == "code":
        return case(id, {"exporters": ["otlp"], "otlp_endpoint": REFUSED[reason], "otlp_protocol": protocol})
    return case(id, None, OTEL_METRICS_EXPORTER="otlp", OTEL_EXPORTER_OTLP_PROTOCOL=protocol, **{source: REFUSED[reason]})


ALL_CASES = [endpoint_case(r, s, p) for r in REFUSED for s in SOURCES for p in PROTOCOLS] + [
    # Nothing listens on port 9: the export fails and is reported.
    case("accepted", {"exporters": ["otlp"], "otlp_endpoint": ACCEPTED}),
    case("prometheus host/code", {"exporters": ["prometheus"], "prometheus_host": PROMETHEUS_HOST, "prometheus_port": 0}),
    case("prometheus host/env", None, OTEL_METRICS_EXPORTER="prometheus", OTEL_EXPORTER_PROMETHEUS_PORT="0",
         OTEL_EXPORTER_PROMETHEUS_HOST=PROMETHEUS_HOST),
]


@pytest.fixture(scope="module")
def ran():
    return run(ALL_CASES)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("reason", list(REFUSED))
def test_a_refused_endpoint_never_shows_its_secrets(ran, reason, source, protocol):
    outcome, stderr = ran[0][f"{reason}/{source}/{protocol}"]
    if protocol == "grpc" and reason == "no scheme":
        # gRPC takes a scheme-less endpoint (`host:port`, TLS unless
        # insecure): built, its export fails, and its diagnostics are checked.
        assert outcome.get("built") or "refused" in outcome, outcome
    else:
        assert "refused" in outcome, outcome
        assert (source if source != "code" else "otlp endpoint") in outcome["refused"], outcome["refused"]
    assert_no_secret(json.dumps(outcome) + stderr)


def test_an_accepted_endpoint_never_shows_its_secrets_in_export_diagnostics(ran):
    outcome, stderr = ran[0]["accepted"]
    assert outcome.get("built"), outcome
    assert "127.0.0.1:9" in stderr, stderr            # the failure was reported, naming the endpoint
    assert_no_secret(json.dumps(outcome) + stderr)


@pytest.mark.parametrize("source", ["code", "env"])
def test_a_refused_prometheus_host_never_shows_secrets(ran, source):
    outcome, stderr = ran[0][f"prometheus host/{source}"]
    assert "refused" in outcome and "prometheus" in outcome["refused"].lower(), outcome
    assert_no_secret(json.dumps(outcome) + stderr)


def test_nothing_the_library_wrote_shows_a_secret(ran):
    assert_no_secret(ran[1])


def test_a_refused_endpoint_still_says_what_is_wrong(ran):
    """Redaction keeps what helps: the scheme, host and path of a parsable
    endpoint, the scheme of an unparsable one."""
    assert "ftp://<redacted>@collector:4318/v1/metrics?<redacted>" in ran[0]["unsupported scheme/code/grpc"][0]["refused"]
    assert "http://<redacted>" in ran[0]["unparsable (bracket)/code/grpc"][0]["refused"]

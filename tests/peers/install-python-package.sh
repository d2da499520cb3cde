#!/usr/bin/env bash
# Installs bindings/python (with the library in target/release) into the test
# venv given as $1. One copy of this step for tests/run.sh (CI) and the
# Makefile's test targets: the suites test the installed package, so a stale
# install would test old declarations against a new header.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${1:?usage: install-python-package.sh VENV}
# Without build isolation first (offline-friendly: the backend is already in
# the venv); with it if the venv lacks the backend.
"$venv/bin/pip" install --quiet --no-build-isolation ./bindings/python \
  || "$venv/bin/pip" install --quiet ./bindings/python

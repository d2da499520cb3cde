#!/usr/bin/env bash
# Installs what the Julia binding's mechanical checks need into the test
# virtualenv ($OTELMETRICS_TEST_VENV, default <repo>/.venv-test, made by
# tests/peers/install.sh): tree-sitter with the Julia and C grammars, pinned.
# Idempotent (a stamp records what was installed) and quiet on success.
# The checks also need gcc and nm (binutils), which the machine has.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
VENV=${OTELMETRICS_TEST_VENV:-$REPO/.venv-test}
[ -x "$VENV/bin/python" ] || bash "$REPO/tests/peers/install.sh" >/dev/null

REQUIREMENTS=$(cat <<'REQ'
tree-sitter==0.25.2
tree-sitter-julia==0.23.1
tree-sitter-c==0.24.1
REQ
)

stamp="$VENV/.otelmetrics-julia-check-requirements"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$REQUIREMENTS" ] \
   && "$VENV/bin/python" -c 'import tree_sitter, tree_sitter_julia, tree_sitter_c' >/dev/null 2>&1; then
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
req="$VENV/.otelmetrics-julia-check-requirements.txt"
printf '%s\n' "$REQUIREMENTS" >"$req"
if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --quiet --requirement "$req" >"$log" 2>&1 \
   || ! "$VENV/bin/python" -c 'import tree_sitter, tree_sitter_julia, tree_sitter_c' >"$log" 2>&1; then
  cat "$log" >&2
  echo "bindings/julia/check/install.sh: could not install the tree-sitter grammars into $VENV" >&2
  exit 1
fi
printf '%s' "$REQUIREMENTS" >"$stamp"

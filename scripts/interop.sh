#!/usr/bin/env bash
# interop.sh - run the MCP interop suite (Tests/interop) against the gatehouse binary.
#
# Creates or reuses a venv at ${GATEHOUSE_VENV:-.venv} with the official MCP Python SDK, the reference stdio
# server mcp-server-time (an upstream fixture for Tests/interop/test_upstreams.py) and pytest,
# builds .build/debug/gatehouse if it is missing (GATEHOUSE_BIN overrides the binary), then runs
# `pytest -q Tests/interop`. Extra arguments are passed to pytest (e.g. -k sse, -x).
# Exits non-zero when anything fails.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MCP_VERSION=2.3.0
MCP_SERVER_TIME_VERSION=2026.10.19  # requires mcp>=2.3,<3
VENV="${GATEHOUSE_VENV:-.venv}"
PY="$VENV/bin/python"

if [[ ! -x "$PY" ]]; then
  python3 -m venv "$VENV"
fi
# Install only when the pinned versions are not already there (keeps re-runs quiet and offline-safe).
if ! "$PY" - "$MCP_VERSION" "$MCP_SERVER_TIME_VERSION" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
assert version("mcp") == sys.argv[1]
assert version("mcp-server-time") == sys.argv[2]
version("pytest")
PYEOF
then
  "$PY" -m pip install -q --disable-pip-version-check "mcp==$MCP_VERSION" "mcp-server-time==$MCP_SERVER_TIME_VERSION" pytest
fi

export GATEHOUSE_BIN="${GATEHOUSE_BIN:-$ROOT/.build/debug/gatehouse}"
if [[ ! -x "$GATEHOUSE_BIN" ]]; then
  echo "interop: building gatehouse (debug)..." >&2
  swift build --product gatehouse
fi

exec "$PY" -m pytest -q -p no:cacheprovider Tests/interop "$@"

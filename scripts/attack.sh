#!/usr/bin/env bash
# Runs the hostile-load regression set (scripts/attack.py, issue #13) against a release build and prints a table:
# attack, limit, what the attack got, what a well-behaved client from another address saw, RSS. Exit 1 when the
# well-behaved client failed anywhere. Usage: scripts/attack.sh [--bin PATH]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ "${1:-}" != "--bin" ]]; then
  swift build -c release --product gatehouse >&2
fi
exec python3 scripts/attack.py "$@"

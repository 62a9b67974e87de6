#!/usr/bin/env bash
# Runs every test: the Swift suites, the console's end-to-end suite under tmux, then the interoperability suite
# with the official Python MCP SDK against a real `gatehouse serve`. This is the README's test command and what
# CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# The code keeps the repository's .swift-format configuration (fix with: swift format format -i -r Sources Tests Package.swift).
swift format lint --strict -r Sources Tests Package.swift
# Our own code builds without warnings (dependencies' warnings are theirs). An incremental build shows only the
# warnings of the files it recompiled; CI builds cold and so sees all of them.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
root=$(pwd)
package=$(basename "$root")
if grep -E "^($root/)?(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:|^warning: '$package':" -i "$log" | sort -u | grep .; then
  echo "error: the build warns in our own code (above); fix the warnings" >&2
  exit 1
fi
swift test --skip-build --skip ConsoleTmux
# The tmux suite runs in a test process of its own: its tmux servers must not share a process (and its child
# bookkeeping) with the other suites' subprocesses.
swift test --skip-build --filter ConsoleTmux
scripts/interop.sh

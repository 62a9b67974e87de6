#!/usr/bin/env bash
# Runs every test: the Swift suites, the console's end-to-end suite under tmux, then the interoperability suite
# with the official Python MCP SDK against a real `gatehouse serve`. This is the README's test command and what
# CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build --skip ConsoleTmux
# The tmux suite runs in a test process of its own: its tmux servers must not share a process (and its child
# bookkeeping) with the other suites' subprocesses.
swift test --skip-build --filter ConsoleTmux
scripts/interop.sh

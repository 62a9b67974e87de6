#!/usr/bin/env bash
# Runs every test: the Swift suites, then the interoperability suite with the official Python MCP SDK
# against a real `gatehouse serve`. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build
scripts/interop.sh

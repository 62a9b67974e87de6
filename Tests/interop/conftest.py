"""Shared pytest hooks for the interop suite.

When a test fails, the log of every gatehouse process it used (a fixture that is a `Process`, or holds one as
`serve`) is attached to the report, so a failure on CI shows what the gateway said at the time, not only what the
client saw.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from harness import Process, Reaper


def _processes(value: Any) -> list[Process]:
    if isinstance(value, Process):
        return [value]
    found = getattr(value, "serve", None)
    if isinstance(found, Process):
        return [found]
    if isinstance(found, tuple) and found and isinstance(found[0], Process):
        return [found[0]]
    return []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    seen: set[int] = set()
    for value in getattr(item, "funcargs", {}).values():
        for process in _processes(value):
            if id(process) in seen:
                continue
            seen.add(id(process))
            report.sections.append((f"log of {process.name}", process.diagnostics()))
            warnings = _warnings(process)
            if warnings:
                report.sections.append((f"warnings and errors of {process.name} (last 40)", warnings))


def _warnings(process: Process) -> str:
    """The process's warning and error lines from anywhere in its log (the tail may have scrolled past them)."""
    try:
        lines = process.stderr_path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    picked = [line for line in lines if " warning " in line or " error " in line or "critical" in line]
    return "\n".join(picked[-40:])


@pytest.fixture(scope="module")
def reaper() -> Iterator[Reaper]:
    """Stops a module's processes at its end. `gatehouse serve` does not exit on SIGTERM until every SSE stream it
    holds has ended, and notices a client that went away only when a keep-alive write fails (up to ~30 s), so the
    gateways are signalled together and given one shared STOP_TIMEOUT before they are killed."""
    r = Reaper()
    try:
        yield r
    finally:
        for line in r.stop_all():
            print(f"interop: {line}", file=sys.stderr)

"""Shared pytest hooks for the interop suite.

When a test fails, the log of every gatehouse process it used (a fixture that is a `Process`, or holds one as
`serve`) is attached to the report, so a failure on CI shows what the gateway said at the time, not only what the
client saw.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness import Process


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

"""Interop tests: Gatehouse driven by the official Python MCP SDK (mcp 2.3.0) and by raw HTTP.

A session-scoped fixture starts the REST backend (backend.py), imports petstore.yaml into a fresh
database, creates the server `pets` (base path /pets) with every operation, and starts
`gatehouse serve --listen 127.0.0.1:0`. Readiness is awaited by reading each process's announcement
line with a deadline, never by sleeping; every child process is stopped at the end.

The MCP tests run over both transports: Streamable HTTP at /pets/mcp and legacy HTTP+SSE at /pets/sse.
Tool results are compared with what the backend returns when fetched directly. The backend counts the
requests it serves (GET /_stats) so tests can prove the gateway did not call it.

Env: GATEHOUSE_BIN (default <repo>/.build/debug/gatehouse).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote

import anyio
import pytest
from mcp.client import Client, ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GATEHOUSE_BIN = Path(os.environ.get("GATEHOUSE_BIN") or REPO / ".build" / "debug" / "gatehouse")

# Bounds for every wait in the fixtures (seconds). A debug build can be slow to start.
BACKEND_START_TIMEOUT = 15
CLI_TIMEOUT = 120
SERVE_START_TIMEOUT = 60
STOP_TIMEOUT = 10


class Process:
    """A child process whose stdout lines are pumped into a queue (so waits can time out)."""

    def __init__(self, name: str, args: list[str], *, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.args = args
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._stderr = open(self.stderr_path, "wb")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.popen = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            text=True,
            bufsize=1,
        )
        self._pump = threading.Thread(target=self._read_stdout, name=f"{name}-stdout", daemon=True)
        self._pump.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.stdout.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def diagnostics(self) -> str:
        try:
            err = self.stderr_path.read_text(errors="replace")[-4000:]
        except OSError:
            err = "(unreadable)"
        out = "".join(self.stdout)[-2000:]
        return f"--- {self.name} {self.args!r} rc={self.popen.poll()}\n--- stdout:\n{out}\n--- stderr (tail):\n{err}"

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first stdout line matching `pattern`, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name} printed no line matching {pattern!r} within {timeout}s\n{self.diagnostics()}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.popen.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError(f"{self.name} closed stdout before printing {pattern!r}\n{self.diagnostics()}")
            if m := regex.search(line):
                return m

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=STOP_TIMEOUT)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        self._stderr.close()


@dataclass
class Env:
    """What the tests need to reach the backend and the gateway."""

    backend_port: int
    gateway_port: int
    db: Path
    serve: Process
    backend: Process

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def mcp_url(self) -> str:
        return f"{self.gateway_url}/pets/mcp"

    @property
    def sse_url(self) -> str:
        return f"{self.gateway_url}/pets/sse"

    # --- direct access to the backend (bypassing the gateway) ---------------------------------------
    def backend_get(self, path: str) -> tuple[int, str, bytes]:
        """GET `path` (already encoded) on the backend: (status, content type, body)."""
        try:
            with urllib.request.urlopen(self.backend_url + path, timeout=10) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def backend_json(self, path: str):
        status, _, body = self.backend_get(path)
        return status, json.loads(body)

    def backend_stats(self) -> dict:
        status, stats = self.backend_json("/_stats")
        assert status == 200
        return stats

    def backend_count(self) -> int:
        return self.backend_stats()["count"]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [str(GATEHOUSE_BIN), *args]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(cmd)} did not finish within {CLI_TIMEOUT}s: {e}")
    if r.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {r.returncode}\n--- stdout:\n{r.stdout}\n--- stderr:\n{r.stderr}")
    return r


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    if not GATEHOUSE_BIN.is_file() or not os.access(GATEHOUSE_BIN, os.X_OK):
        pytest.fail(f"gatehouse binary not found at {GATEHOUSE_BIN}: run `swift build --product gatehouse` or set GATEHOUSE_BIN")
    work = tmp_path_factory.mktemp("gatehouse-interop")
    db = work / "gatehouse.sqlite"
    env = dict(os.environ)
    env["GATEHOUSE_DB"] = str(db)
    # Keep proxies away from loopback traffic in every child and in this process.
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(var, None)
        os.environ.pop(var, None)
    os.environ["NO_PROXY"] = env["NO_PROXY"] = "127.0.0.1,localhost"

    started: list[Process] = []
    try:
        backend = Process("backend", [sys.executable, str(HERE / "backend.py")], log_dir=work)
        started.append(backend)
        backend_port = int(backend.wait_for_line(r"^PORT (\d+)$", BACKEND_START_TIMEOUT).group(1))

        run_cli(
            "api", "import", "petstore",
            "--from", str(HERE / "petstore.yaml"),
            "--base-url", f"http://127.0.0.1:{backend_port}",
            "--allow-private-network",
            "--db", str(db),
            env=env,
        )  # fmt: skip
        run_cli(
            "server", "create", "pets", "--api", "petstore", "--all", "--base-path", "pets", "--db", str(db), env=env
        )

        serve = Process("serve", [str(GATEHOUSE_BIN), "serve", "--db", str(db), "--listen", "127.0.0.1:0"], log_dir=work, env=env)
        started.append(serve)
        m = serve.wait_for_line(r"listening on http://127\.0\.0\.1:(\d+)", SERVE_START_TIMEOUT)
        gateway_port = int(m.group(1))

        yield Env(backend_port=backend_port, gateway_port=gateway_port, db=db, serve=serve, backend=backend)
    finally:
        for p in reversed(started):
            p.stop()

"""Shared plumbing for the interop suites: child processes read with deadlines, the gatehouse CLI, raw HTTP.

Nothing here sleeps for synchronisation: readiness is a line a child prints, read with a deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GATEHOUSE_BIN = Path(os.environ.get("GATEHOUSE_BIN") or REPO / ".build" / "debug" / "gatehouse")

# Bounds for every wait in the fixtures (seconds). A debug build can be slow to start.
BACKEND_START_TIMEOUT = 15
CLI_TIMEOUT = 120
SERVE_START_TIMEOUT = 60
STOP_TIMEOUT = 10

PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


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


class Reaper:
    """Stops processes together: SIGTERM to each as soon as it is no longer needed, then, at the end, one shared
    deadline for all of them to exit before SIGKILL. A gateway that is slow to exit (it waits on open event
    streams) then costs one STOP_TIMEOUT in all rather than one per process."""

    def __init__(self) -> None:
        self.processes: list[Process] = []

    def add(self, process: Process) -> Process:
        self.processes.append(process)
        return process

    @staticmethod
    def terminate(process: Process) -> None:
        if process.popen.poll() is None:
            process.popen.terminate()

    def stop_all(self) -> list[str]:
        """Stops every process; returns a line for each one that had to be killed."""
        for p in self.processes:
            self.terminate(p)
        deadline = time.monotonic() + STOP_TIMEOUT
        killed: list[str] = []
        for p in self.processes:
            try:
                p.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                killed.append(f"{p.name} (pid {p.pid}) did not exit within {STOP_TIMEOUT}s of SIGTERM; killed")
                p.popen.kill()
        for p in self.processes:
            p.stop()  # reaps and closes the pipes
        self.processes.clear()
        return killed


def require_binary() -> None:
    if not GATEHOUSE_BIN.is_file() or not os.access(GATEHOUSE_BIN, os.X_OK):
        pytest.fail(f"gatehouse binary not found at {GATEHOUSE_BIN}: run `swift build --product gatehouse` or set GATEHOUSE_BIN")


def loopback_env() -> dict[str, str]:
    """An environment for children with proxies kept away from loopback traffic (this process's too)."""
    env = dict(os.environ)
    for var in PROXY_VARS:
        env.pop(var, None)
        os.environ.pop(var, None)
    os.environ["NO_PROXY"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [str(GATEHOUSE_BIN), *args]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(cmd)} did not finish within {CLI_TIMEOUT}s: {e}")
    if r.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {r.returncode}\n--- stdout:\n{r.stdout}\n--- stderr:\n{r.stderr}")
    return r


def start_backend(log_dir: Path, python: str, name: str = "backend") -> tuple[Process, int]:
    """Starts backend.py; returns the process and its port."""
    backend = Process(name, [python, str(HERE / "backend.py")], log_dir=log_dir)
    try:
        port = int(backend.wait_for_line(r"^PORT (\d+)$", BACKEND_START_TIMEOUT).group(1))
    except BaseException:
        backend.stop()
        raise
    return backend, port


def start_serve(db: Path, log_dir: Path, env: dict[str, str], name: str = "serve", *extra: str) -> tuple[Process, int]:
    """Starts `gatehouse serve --listen 127.0.0.1:0` (with `extra` flags); returns the process and the port it announced."""
    serve = Process(name, [str(GATEHOUSE_BIN), "serve", "--db", str(db), "--listen", "127.0.0.1:0", *extra], log_dir=log_dir, env=env)
    try:
        port = int(serve.wait_for_line(r"listening on http://127\.0\.0\.1:(\d+)", SERVE_START_TIMEOUT).group(1))
    except BaseException:
        serve.stop()
        raise
    return serve, port


@dataclass
class PetsGateway:
    """A headless `gatehouse serve` on its own database exposing the petstore as server `pets` (at /pets/mcp),
    backed by backend.py."""

    db: Path
    serve: Process
    port: int
    backend_port: int


def start_pets_gateway(work: Path, env: dict[str, str], reaper: "Reaper") -> PetsGateway:
    """Starts backend.py, imports petstore.yaml against it, creates server `pets` and serves it; both processes are
    left to `reaper`."""
    db = work / "g.sqlite"
    backend, backend_port = start_backend(work, sys.executable)
    reaper.add(backend)
    run_cli("api", "import", "petstore", "--from", str(HERE / "petstore.yaml"), "--base-url", f"http://127.0.0.1:{backend_port}",
            "--allow-private-network", "--db", str(db), env=env)  # fmt: skip
    run_cli("server", "create", "pets", "--api", "petstore", "--all", "--base-path", "pets", "--db", str(db), env=env)
    serve, port = start_serve(db, work, env)
    reaper.add(serve)
    return PetsGateway(db, serve, port, backend_port)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def rpc(self) -> Any:
        """The JSON-RPC payload, from a JSON body or the first SSE `data:` event."""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "text/event-stream":
            for line in self.body.decode().splitlines():
                if line.startswith("data:") and line[5:].strip():
                    return json.loads(line[5:])
            raise AssertionError(f"no data event in {self.body!r}")
        assert ctype == "application/json", f"unexpected content type {ctype!r}: {self.body[:200]!r}"
        return json.loads(self.body)

    def __str__(self) -> str:
        return f"HTTP {self.status} {dict(self.headers)} {self.body[:600]!r}"


def http_request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request to 127.0.0.1:`port`. Never use it for a request that opens a stream."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, r.headers, r.read())
    finally:
        conn.close()


T = TypeVar("T")


def run_async(main: Callable[[], Awaitable[T]]) -> T:
    """`anyio.run(main)`, re-raising a lone exception out of the task groups' exception groups."""
    try:
        return anyio.run(main)
    except BaseExceptionGroup as group:
        leaves: list[BaseException] = []

        def collect(e: BaseException) -> None:
            if isinstance(e, BaseExceptionGroup):
                for inner in e.exceptions:
                    collect(inner)
            else:
                leaves.append(e)

        collect(group)
        if len(leaves) == 1:
            raise leaves[0] from group
        raise


# =====================================================================================================
# Upstream MCP servers (test_upstreams.py)
# =====================================================================================================

UPSTREAMS_DIR = HERE / "upstreams"


def start_announcing(name: str, args: list[str], log_dir: Path, env: dict[str, str] | None = None) -> Process:
    """Starts a child that prints `PORT <n>` once it listens; read the port with `announced_port`. Start several
    before reading any so they boot in parallel."""
    return Process(name, args, log_dir=log_dir, env=env)


def announced_port(process: Process, timeout: float = BACKEND_START_TIMEOUT) -> int:
    """The port `process` announced with `PORT <n>`, waiting at most `timeout` seconds (stops it on failure)."""
    try:
        return int(process.wait_for_line(r"^PORT (\d+)$", timeout).group(1))
    except BaseException:
        process.stop()
        raise


def run_cli_unchecked(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Like `run_cli`, but returns whatever the exit status (for commands whose status is under test)."""
    cmd = [str(GATEHOUSE_BIN), *args]
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(cmd)} did not finish within {CLI_TIMEOUT}s: {e}")


def rpc_messages(reply: Reply) -> list[Any]:
    """Every JSON-RPC message in a reply: the JSON body, or each `data:` event of an event stream."""
    ctype = (reply.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "text/event-stream":
        return [reply.rpc()]
    messages: list[Any] = []
    data: list[str] = []
    for line in reply.body.decode().splitlines() + [""]:
        if not line:
            if data and "".join(data).strip():
                messages.append(json.loads("\n".join(data)))
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return messages


def rpc_response(reply: Reply, rid: Any) -> dict:
    """The response to request `rid` in a reply (skipping notifications and server requests on a stream)."""
    for message in rpc_messages(reply):
        if isinstance(message, dict) and message.get("id") == rid and ("result" in message or "error" in message):
            return message
    raise AssertionError(f"no response to id {rid!r} in {reply}")


def get_json(port: int, path: str) -> Any:
    r = http_request(port, "GET", path)
    assert r.status == 200, r
    return json.loads(r.body)


def poll(check: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Calls `check` until it returns something truthy, for at most `timeout` seconds; returns that value.
    The interval only paces the polling: the deadline is what bounds the wait."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not true within {timeout}s (last value: {last!r})")
        time.sleep(interval)


def process_table() -> dict[int, tuple[int, str, str]]:
    """Every process visible in /proc: pid -> (parent pid, state letter, command line joined with spaces)."""
    table: dict[int, tuple[int, str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        table[int(entry.name)] = (int(fields[1]), fields[0], cmdline)
    return table


def processes_with(text: str) -> dict[int, tuple[int, str, str]]:
    """The processes whose command line contains `text` (this process excluded)."""
    return {pid: row for pid, row in process_table().items() if text in row[2] and pid != os.getpid()}


def is_descendant(pid: int, ancestor: int, table: dict[int, tuple[int, str, str]] | None = None) -> bool:
    table = table if table is not None else process_table()
    seen: set[int] = set()
    while pid in table and pid not in seen:
        seen.add(pid)
        parent = table[pid][0]
        if parent == ancestor:
            return True
        pid = parent
    return False

#!/usr/bin/env python3
"""bench_upstream.py - a minimal upstream MCP server for `BENCH_UPSTREAM=1 BENCH_UPSTREAM_KIND=python scripts/bench.sh`.

The official `mcp` SDK's high-level server (mcp 2.x `MCPServer`) with one tool, `echo(text) -> text`, served over
Streamable HTTP at /mcp on 127.0.0.1 by uvicorn, tuned to be as fast as the SDK allows: JSON answers instead of an
event stream per call (`json_response=True`) and stateless mode (no session bookkeeping, no GET stream), so that
several worker processes can share one listening socket (`--workers N`, forked after the socket is bound; a
stateless request may land on any worker). uvicorn uses uvloop and httptools when they are installed.

Prints ``PORT <n>`` on stdout once the socket listens, then serves until killed (SIGTERM stops every worker).
Run with the repo's venv: `.venv/bin/python scripts/bench_upstream.py [--port P] [--workers N]`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys

import uvicorn
from mcp.server.mcpserver import MCPServer


def build() -> object:
    server = MCPServer("bench-upstream", version="1.0.0", log_level="WARNING")

    @server.tool(description="Echoes the text back.")
    def echo(text: str) -> str:
        return text

    return server.streamable_http_app(json_response=True, stateless_http=True)


def serve(sock: socket.socket) -> None:
    config = uvicorn.Config(build(), log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=1)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    sock.set_inheritable(True)
    print(f"PORT {sock.getsockname()[1]}", flush=True)  # connections queue in the backlog until uvicorn accepts
    if args.workers <= 1:
        serve(sock)
        sys.exit(0)

    children: list[int] = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve(sock)
            os._exit(0)
        children.append(pid)

    def stop(*_: object) -> None:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue
    sys.exit(0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A stdio upstream MCP server for the supervisor tests (stdlib only, no SDK).

Newline-delimited JSON-RPC on stdin/stdout, one message per line; diagnostics go to stderr. Methods: initialize,
ping, tools/list, tools/call; notifications are read and ignored. ``--tag T`` is ignored by the server: the tests put
a unique tag on the command line to find the processes of their own run in /proc.

Tools:
  ok        -> "ok"
  echo(text)-> text
  pid       -> this process's PID (text)
  crash     -> exits with status 1 at once, without answering
  stderr    -> writes "stdio_fault stderr: <text>" to stderr, then answers "written"
  where     -> JSON {"cwd": the working directory, "mark": $INTEROP_STDIO_MARK or null}
"""

from __future__ import annotations

import json
import os
import sys

SUPPORTED_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
NO_ARGS = {"type": "object", "properties": {}}
TEXT_ARG = {"type": "object", "properties": {"text": {"type": "string"}}}
TOOLS = [
    {"name": "ok", "description": "Answers 'ok'.", "inputSchema": NO_ARGS},
    {"name": "echo", "description": "Echoes the text back.", "inputSchema": {**TEXT_ARG, "required": ["text"]}},
    {"name": "pid", "description": "Answers this process's PID.", "inputSchema": NO_ARGS},
    {"name": "crash", "description": "Exits at once without answering.", "inputSchema": NO_ARGS},
    {"name": "stderr", "description": "Writes a line to stderr, then answers.", "inputSchema": TEXT_ARG},
    {"name": "where", "description": "Answers the working directory and $INTEROP_STDIO_MARK.", "inputSchema": NO_ARGS},
]


def send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def text(rid, value: str) -> None:
    send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": value}]}})


def error(rid, code: int, message: str) -> None:
    send({"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}})


def handle(message: dict) -> None:
    method = message.get("method")
    rid = message.get("id")
    if rid is None or method is None:
        return  # a notification, or a response to a request we never make
    params = message.get("params") or {}
    if method == "initialize":
        requested = params.get("protocolVersion")
        send({
            "jsonrpc": "2.0",
            "id": rid,
            "result": {
                "protocolVersion": requested if requested in SUPPORTED_VERSIONS else "2025-06-18",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "interop-stdio-fault", "version": "1.0.0"},
            },
        })  # fmt: skip
    elif method == "ping":
        send({"jsonrpc": "2.0", "id": rid, "result": {}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = params.get("name")
        arguments = params.get("arguments") or {}
        if name == "ok":
            text(rid, "ok")
        elif name == "echo":
            text(rid, str(arguments.get("text", "")))
        elif name == "pid":
            text(rid, str(os.getpid()))
        elif name == "crash":
            sys.stderr.write("stdio_fault: crashing on request\n")
            sys.stderr.flush()
            os._exit(1)
        elif name == "stderr":
            sys.stderr.write(f"stdio_fault stderr: {arguments.get('text', '')}\n")
            sys.stderr.flush()
            text(rid, "written")
        elif name == "where":
            text(rid, json.dumps({"cwd": os.getcwd(), "mark": os.environ.get("INTEROP_STDIO_MARK")}))
        else:
            error(rid, -32602, f"Unknown tool: {name}")
    else:
        error(rid, -32601, f"Method not found: {method}")


def main() -> None:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            send({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
            continue
        if isinstance(message, dict):
            handle(message)
        else:
            send({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Batches are not supported"}})


if __name__ == "__main__":
    main()

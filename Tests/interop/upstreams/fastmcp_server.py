#!/usr/bin/env python3
"""An upstream MCP server built with the official SDK's high-level server (mcp 2.x `MCPServer`, formerly FastMCP).

Serves Streamable HTTP at /mcp (``--transport streamable``, the default) or the legacy HTTP+SSE transport at /sse and
/messages/ (``--transport sse``) on 127.0.0.1, on an ephemeral port unless ``--port`` is given. Prints ``PORT <n>`` on
stdout once the socket listens, then serves until killed.

``--modern-only`` makes it a server of the 2026-07-28 revision only: a request without that revision's
``MCP-Protocol-Version`` (``initialize`` included) gets 400 with ``-32022`` naming it, GET and DELETE get 405, and it
adds the tool ``regional(region, query)`` whose ``region`` is declared ``x-mcp-header: Region`` (the SDK then checks
the ``Mcp-Param-Region`` header against the argument).

``--label L`` (default ``fast``) tells two instances apart: ``search`` answers ``L:<query>`` and, for any label but
``fast``, the resources use the scheme ``greeting-L://`` instead of ``greeting://`` (so two instances can sit in one
virtual server without their resource URIs colliding).

Tools
  echo(text) -> text                  add(a, b) -> a + b                search(query) -> "<label>:" + query
  progress(steps) -> "done"           reports progress 1..steps of steps first
  ask(prompt) -> the sampled text     sends sampling/createMessage to the client (on the call's own stream)
  elicit_name() -> "hello <name>"     sends a form elicitation asking for {"name": str}; otherwise the action taken
  list_roots() -> "uri,uri"           sends roots/list to the client (on the call's own stream)
  log(message) -> "logged"            sends notifications/message (level info, logger "interop") first
  wait(seconds, marker="") -> "waited"   sleeps; a cancelled wait records its marker (default: its request id)
  cancelled() -> JSON list            the markers of the waits that were cancelled
  started() -> JSON list              the markers of the waits that started
  whoami() -> JSON                    {"headers": this request's HTTP headers, "recent": the last 200 requests'
                                       headers, each {"path", "headers"}} (names lower-cased)
  touch(uri) -> "touched"             sends notifications/resources/updated for uri (on the call's own stream)
  state() -> JSON                     {"logLevel": last logging/setLevel, "subscriptions": [uri…], "cancelled": […]}
Resources: greeting://hello (text), template greeting://{name}; resources/subscribe and /unsubscribe are recorded.
Prompts: review(code). Completions: review's `code` argument and the template's `name` variable.
Logging: logging/setLevel is accepted and recorded.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import warnings
from typing import Annotated, Any

import anyio
import mcp_types as types
from mcp_types import InputRequiredResult
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.message import ServerMessageMetadata
from pydantic import BaseModel, Field

# Sampling, roots and logging are deprecated in the 2026-07-28 revision; this server speaks the handshake era too.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning)

# --- state shared by every session of this process -----------------------------------------------------------------
LOCK = threading.Lock()
CANCELLED: list[str] = []
STARTED: list[str] = []
RECENT_HEADERS: list[dict[str, Any]] = []  # {"path", "headers"} of the last 200 HTTP requests
SUBSCRIPTIONS: list[str] = []
LOG_LEVEL: list[str] = []

COMPLETIONS = {
    "code": ["print('hello')", "print('world')", "pass", "return None"],
    "name": ["alice", "albert", "bob"],
}


class HeaderRecorder:
    """ASGI middleware: records every HTTP request's headers (for the no-forwarding assertions)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            headers: dict[str, str] = {}
            for raw_name, raw_value in scope.get("headers", []):
                name = raw_name.decode("latin-1").lower()
                value = raw_value.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            with LOCK:
                RECENT_HEADERS.append({"path": scope.get("path", ""), "method": scope.get("method", ""), "headers": headers})
                del RECENT_HEADERS[:-200]
        await self.app(scope, receive, send)


class ModernOnly:
    """ASGI middleware: refuses the handshake era as a server that speaks only 2026-07-28 does."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            version = headers.get("mcp-protocol-version", "")
            if version != "2026-07-28":
                if scope.get("method") != "POST":
                    await send({"type": "http.response.start", "status": 405, "headers": [(b"allow", b"POST")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                error = {"code": -32022, "message": "Unsupported protocol version", "data": {"supported": ["2026-07-28"], "requested": version}}
                body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
                await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class Name(BaseModel):
    name: str = Field(description="Your name")


def build(label: str, modern_only: bool = False) -> MCPServer:
    scheme = "greeting" if label == "fast" else f"greeting-{label}"
    server = MCPServer(f"interop-{label}", version="1.0.0", instructions=f"Interop upstream '{label}'.")

    if modern_only:

        @server.tool(description="Answers '<region>:<query>'; `region` is mirrored in the Mcp-Param-Region header.")
        def regional(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})], query: str) -> str:
            return f"{region}:{query}"

        @server.tool(description="Adds a tool named `name` and announces the change on subscriptions/listen streams.")
        async def grow(name: str, ctx: Context) -> str:
            server.add_tool(lambda: f"{name} works", name=name, description=f"Added at run time ({name}).")
            await ctx.notify_tools_changed()
            return "grown"

        @server.tool(description="Asks the client's model, then the user, in 2026-07-28 multi round-trip requests.")
        async def mrtr_ask(prompt: str, ctx: Context) -> Any:
            # Each retry carries only that round's answers: what earlier rounds learnt travels in the request state.
            responses = ctx.input_responses or {}
            if "llm" in responses:
                llm = responses["llm"]
                text = llm.content.text if hasattr(llm, "content") else llm["content"]["text"]
                schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
                elicit = {"mode": "form", "message": "Your name?", "requestedSchema": schema}
                return InputRequiredResult(input_requests={"who": {"method": "elicitation/create", "params": elicit}}, request_state=f"llm={text}")
            if "who" in responses:
                who = responses["who"]
                name = who.content["name"] if hasattr(who, "content") else who["content"]["name"]
                return f"{(ctx.request_state or '').removeprefix('llm=')} for {name}"
            sampling = {"messages": [{"role": "user", "content": {"type": "text", "text": prompt}}], "maxTokens": 32}
            return InputRequiredResult(input_requests={"llm": {"method": "sampling/createMessage", "params": sampling}}, request_state="round-1")

    @server.tool(description="Echoes the text back.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Adds two integers.")
    def add(a: int, b: int) -> int:
        return a + b

    @server.tool(description=f"Searches (answers '{label}:' + query).")
    def search(query: str) -> str:
        return f"{label}:{query}"

    @server.tool(description="Reports progress `steps` times, then answers 'done'.")
    async def progress(steps: int, ctx: Context) -> str:
        for i in range(steps):
            await ctx.report_progress(i + 1, steps, f"step {i + 1} of {steps}")
        return "done"

    @server.tool(description="Asks the client's model (sampling) and answers with its text.")
    async def ask(prompt: str, ctx: Context) -> str:
        result = await ctx.session.create_message(
            messages=[types.SamplingMessage(role="user", content=types.TextContent(type="text", text=prompt))],
            max_tokens=64,
            related_request_id=ctx.request_id,
        )
        content = result.content
        return content.text if isinstance(content, types.TextContent) else json.dumps(content.model_dump(mode="json"))

    @server.tool(description="Asks the user for their name (elicitation).")
    async def elicit_name(ctx: Context) -> str:
        result = await ctx.elicit("What is your name?", schema=Name)
        if result.action == "accept":
            return f"hello {result.data.name}"
        return result.action

    @server.tool(description="Lists the client's roots.")
    async def list_roots(ctx: Context) -> str:
        roots = await ctx.session.send_request(
            types.ListRootsRequest(),
            types.ListRootsResult,
            metadata=ServerMessageMetadata(related_request_id=ctx.request_id),
        )
        return ",".join(str(root.uri) for root in roots.roots)

    @server.tool(description="Sends an info log message to the client, then answers 'logged'.")
    async def log(message: str, ctx: Context) -> str:
        await ctx.session.send_log_message(level="info", data=message, logger="interop", related_request_id=ctx.request_id)
        return "logged"

    @server.tool(description="Waits `seconds`; a cancelled wait is recorded under `marker`.")
    async def wait(seconds: float, ctx: Context, marker: str = "") -> str:
        marker = marker or ctx.request_id
        with LOCK:
            STARTED.append(marker)
        # Tells a caller that asked for progress that the wait has begun (so it can cancel without guessing).
        await ctx.report_progress(0, seconds, "waiting")
        try:
            await anyio.sleep(seconds)
        except anyio.get_cancelled_exc_class():
            with LOCK:
                CANCELLED.append(marker)
            raise
        return "waited"

    @server.tool(description="The markers of the cancelled waits (JSON list).")
    def cancelled() -> str:
        with LOCK:
            return json.dumps(CANCELLED)

    @server.tool(description="The markers of the waits that started (JSON list).")
    def started() -> str:
        with LOCK:
            return json.dumps(STARTED)

    @server.tool(description="The HTTP headers this server received (JSON).")
    def whoami(ctx: Context) -> str:
        current = {k.lower(): v for k, v in (ctx.headers or {}).items()}
        with LOCK:
            recent = list(RECENT_HEADERS)
        return json.dumps({"headers": current, "recent": recent})

    @server.tool(description="Sends notifications/resources/updated for `uri`.")
    async def touch(uri: str, ctx: Context) -> str:
        await ctx.session.send_notification(
            types.ResourceUpdatedNotification(params=types.ResourceUpdatedNotificationParams(uri=uri)),
            related_request_id=ctx.request_id,
        )
        return "touched"

    @server.tool(description="This server's recorded state (JSON).")
    def state() -> str:
        with LOCK:
            return json.dumps(
                {"logLevel": LOG_LEVEL[-1] if LOG_LEVEL else None, "subscriptions": SUBSCRIPTIONS, "cancelled": CANCELLED}
            )

    @server.resource(f"{scheme}://hello", name="hello", description="A static greeting.", mime_type="text/plain")
    def hello() -> str:
        return "Hello, world!"

    @server.resource(f"{scheme}://{{name}}", name="greeting", description="A greeting for `name`.", mime_type="text/plain")
    def greeting(name: str) -> str:
        return f"Hello, {name}!"

    @server.prompt(description="Asks for a review of `code`.")
    def review(code: str) -> str:
        return f"Please review this code:\n\n{code}"

    @server.completion()
    async def complete(ref: Any, argument: types.CompletionArgument, context: Any) -> types.Completion:
        values = [v for v in COMPLETIONS.get(argument.name, []) if v.startswith(argument.value)]
        return types.Completion(values=values, total=len(values), has_more=False)

    lowlevel = server._lowlevel_server  # the high-level API has no setLevel/subscribe hooks

    async def set_level(ctx: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
        with LOCK:
            LOG_LEVEL.append(params.level)
        return types.EmptyResult()

    async def subscribe(ctx: Any, params: types.SubscribeRequestParams) -> types.EmptyResult:
        with LOCK:
            SUBSCRIPTIONS.append(str(params.uri))
        return types.EmptyResult()

    async def unsubscribe(ctx: Any, params: types.UnsubscribeRequestParams) -> types.EmptyResult:
        with LOCK:
            if str(params.uri) in SUBSCRIPTIONS:
                SUBSCRIPTIONS.remove(str(params.uri))
        return types.EmptyResult()

    lowlevel.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_level)
    lowlevel.add_request_handler("resources/subscribe", types.SubscribeRequestParams, subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, unsubscribe)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["streamable", "sse"], default="streamable")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--label", default="fast")
    parser.add_argument("--modern-only", action="store_true")
    args = parser.parse_args()

    server = build(args.label, args.modern_only)
    app = server.streamable_http_app() if args.transport == "streamable" else server.sse_app()
    if args.modern_only:
        app = ModernOnly(app)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    sock.set_inheritable(True)
    config = uvicorn.Config(HeaderRecorder(app), log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    uv = uvicorn.Server(config)
    print(f"PORT {sock.getsockname()[1]}", flush=True)  # connections queue in the backlog until uvicorn accepts
    try:
        uv.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()

"""The real-world API descriptions in Tests/Fixtures/real-world (Slack, Toolhive, OpenAI, Box, Twilio, Moby), imported
and served: the official Python SDK lists every tool of each over Streamable HTTP and legacy SSE — one tool per
buildable operation, each listed once, every page within the SDK's limits — as a client would see them.

No backend is called: listing tools needs none.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from mcp.client import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import PaginatedRequestParams

from harness import HERE, Process, loopback_env, require_binary, run_async, run_cli, start_serve

FIXTURES = HERE.parent / "Fixtures" / "real-world"
APIS = {
    "slack": "spec.json.gz",
    "toolhive": "spec.json.gz",
    "openai": "spec.yaml.gz",
    "box": "spec.json.gz",
    "twilio-api-v2010": "spec.json.gz",
    "moby": "spec.yaml.gz",
}
TIMEOUT = 120  # seconds for one whole listing (a debug build serving hundreds of tools)


@dataclass
class RealWorld:
    gateway_port: int
    operations: dict[str, int]  # API name → operations built (from `api show --json`)
    serve: Process


def server_name(api: str) -> str:
    return api.replace("-", "")


@pytest.fixture(scope="module")
def realworld(tmp_path_factory: pytest.TempPathFactory):
    require_binary()
    work = tmp_path_factory.mktemp("gatehouse-realworld")
    db = work / "gatehouse.sqlite"
    env = loopback_env()
    env["GATEHOUSE_DB"] = str(db)
    operations: dict[str, int] = {}
    for api, file in APIS.items():
        spec = work / file.removesuffix(".gz").replace("spec", api)
        spec.write_bytes(gzip.decompress((FIXTURES / api / file).read_bytes()))
        run_cli("api", "import", api, "--from", str(spec), "--base-url", "http://127.0.0.1:9", "--allow-private-network", env=env)
        shown = json.loads(run_cli("api", "show", api, "--json", env=env).stdout)
        operations[api] = len(shown["operations"])
        run_cli("server", "create", server_name(api), "--api", api, "--all", env=env)
    serve, port = start_serve(db, work, env)
    try:
        yield RealWorld(gateway_port=port, operations=operations, serve=serve)
    finally:
        serve.stop()


async def list_every_tool(session: ClientSession) -> tuple[list, int]:
    tools: list = []
    cursor = None
    for pages in range(1, 200):
        page = await session.list_tools(params=None if cursor is None else PaginatedRequestParams(cursor=cursor))
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            return tools, pages
    raise AssertionError("tools/list did not end within 200 pages")


def listing(env: RealWorld, api: str, transport: str) -> tuple[list, int]:
    base = f"http://127.0.0.1:{env.gateway_port}/{server_name(api)}"

    async def main():
        with anyio.fail_after(TIMEOUT):
            if transport == "streamable":
                opened = streamable_http_client(base + "/mcp")
            else:
                opened = sse_client(base + "/sse", timeout=10, sse_read_timeout=TIMEOUT)
            async with opened as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await list_every_tool(session)

    return run_async(main)


@pytest.mark.parametrize("transport", ["streamable", "sse"])
@pytest.mark.parametrize("api", list(APIS))
def test_sdk_lists_every_tool_of_a_real_api(realworld: RealWorld, api: str, transport: str):
    tools, pages = listing(realworld, api, transport)
    names = [t.name for t in tools]
    assert len(names) == len(set(names)), "a tool is listed twice"
    assert realworld.operations[api] > 0
    assert len(tools) == realworld.operations[api], f"{len(tools)} tools listed for {realworld.operations[api]} operations"
    for tool in tools:
        assert 1 <= len(tool.name) <= 64, tool.name
        assert tool.input_schema.get("type") == "object", tool.name
    assert pages >= 1

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
import sys
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
from mcp_types import PaginatedRequestParams
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from harness import HERE, Process, Reply, http_request, loopback_env, require_binary, run_async, run_cli, start_backend, start_serve

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


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    require_binary()
    work = tmp_path_factory.mktemp("gatehouse-interop")
    db = work / "gatehouse.sqlite"
    env = loopback_env()
    env["GATEHOUSE_DB"] = str(db)

    started: list[Process] = []
    try:
        backend, backend_port = start_backend(work, sys.executable)
        started.append(backend)

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

        serve, gateway_port = start_serve(db, work, env)
        started.append(serve)

        yield Env(backend_port=backend_port, gateway_port=gateway_port, db=db, serve=serve, backend=backend)
    finally:
        for p in reversed(started):
            p.stop()


# =====================================================================================================
# MCP SDK helpers
# =====================================================================================================

T = TypeVar("T")
TRANSPORTS = ["streamable", "sse"]
MCP_TIMEOUT = 30  # seconds: bound for one request; a whole test's MCP exchange gets twice that
TOOL_NAMES = {"listPets", "getPetById", "createPet", "deletePet", "echo", "getImage", "getText"}

transports = pytest.mark.parametrize("transport", TRANSPORTS)


@asynccontextmanager
async def open_transport(env: Env, transport: str):
    """The SDK transport's (read, write) streams for `transport`."""
    if transport == "streamable":
        async with streamable_http_client(env.mcp_url) as streams:
            yield streams
    else:
        async with sse_client(env.sse_url, timeout=10, sse_read_timeout=2 * MCP_TIMEOUT) as streams:
            yield streams


@asynccontextmanager
async def mcp_session(env: Env, transport: str):
    """An initialized `ClientSession` (legacy initialize handshake) over `transport`."""
    async with open_transport(env, transport) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=MCP_TIMEOUT) as session:
            await session.initialize()
            yield session


def with_session(env: Env, transport: str, fn: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Runs `fn(session)` on a fresh session, bounded in time."""

    async def main() -> T:
        with anyio.fail_after(2 * MCP_TIMEOUT):
            async with mcp_session(env, transport) as session:
                return await fn(session)

    return run_async(main)


def call_tool(env: Env, transport: str, name: str, arguments: dict[str, Any] | None):
    return with_session(env, transport, lambda s: s.call_tool(name, arguments))


async def list_all_tools(session: ClientSession) -> dict:
    tools: dict = {}
    cursor = None
    for _ in range(100):  # bounded pagination
        params = None if cursor is None else PaginatedRequestParams(cursor=cursor)
        page = await session.list_tools(params=params)
        for tool in page.tools:
            assert tool.name not in tools, f"tool {tool.name} listed twice"
            tools[tool.name] = tool
        cursor = page.next_cursor
        if cursor is None:
            return tools
    raise AssertionError("tools/list pagination did not end within 100 pages")


def only_text(result) -> str:
    assert len(result.content) == 1, result
    block = result.content[0]
    assert block.type == "text", result
    return block.text


# =====================================================================================================
# MCP over both transports
# =====================================================================================================


@transports
def test_initialize_and_list_tools(gateway: Env, transport: str):
    async def go(session: ClientSession):
        return session.initialize_result, await list_all_tools(session)

    init, tools = with_session(gateway, transport, go)
    assert init.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
    assert init.capabilities.tools is not None
    assert init.server_info.name

    assert set(tools) == TOOL_NAMES
    for tool in tools.values():
        assert isinstance(tool.input_schema, dict)
        assert tool.input_schema.get("type") == "object", tool
        assert tool.description or tool.title, f"{tool.name} has neither description nor title"

    get_pet = tools["getPetById"].input_schema
    assert "petId" in get_pet.get("required", [])
    assert get_pet["properties"]["petId"]["type"] == "integer"

    create = tools["createPet"].input_schema
    assert "name" in create["properties"] and "tag" in create["properties"]
    assert "name" in create.get("required", [])

    assert "value" in tools["echo"].input_schema.get("required", [])
    assert "limit" not in tools["listPets"].input_schema.get("required", [])
    assert tools["listPets"].input_schema["properties"]["limit"]["type"] == "integer"

    # Object responses declare an object output schema; the others declare none.
    for name in ("getPetById", "createPet", "echo"):
        assert tools[name].output_schema is not None, name
        assert tools[name].output_schema.get("type") == "object", name
    for name in ("listPets", "getImage", "getText", "deletePet"):
        assert tools[name].output_schema is None, name


@transports
def test_object_result_has_structured_content_equal_to_backend_json(gateway: Env, transport: str):
    result = call_tool(gateway, transport, "getPetById", {"petId": 1})
    status, direct = gateway.backend_json("/pets/1")
    assert status == 200
    assert not result.is_error, result
    assert result.structured_content == direct
    assert json.loads(only_text(result)) == direct


@transports
def test_array_result_is_text(gateway: Env, transport: str):
    result = call_tool(gateway, transport, "listPets", {"limit": 2})
    status, direct = gateway.backend_json("/pets?limit=2")
    assert status == 200 and len(direct) == 2
    assert not result.is_error, result
    assert result.structured_content is None
    assert json.loads(only_text(result)) == direct

    everything = call_tool(gateway, transport, "listPets", {})
    assert json.loads(only_text(everything)) == gateway.backend_json("/pets")[1]


@transports
def test_create_then_delete(gateway: Env, transport: str):
    name = f"interop-{transport}"
    created = call_tool(gateway, transport, "createPet", {"name": name, "tag": "test"})
    assert not created.is_error, created
    pet = created.structured_content
    assert pet["name"] == name and pet["tag"] == "test" and isinstance(pet["id"], int)
    assert json.loads(only_text(created)) == pet
    status, direct = gateway.backend_json(f"/pets/{pet['id']}")
    assert status == 200 and direct == pet

    post = [r for r in gateway.backend_stats()["recent"] if r["method"] == "POST"][-1]
    assert post["path"] == "/pets"
    assert post["headers"].get("content-type", "").split(";")[0].strip() == "application/json"

    deleted = call_tool(gateway, transport, "deletePet", {"petId": pet["id"]})
    assert not deleted.is_error, deleted
    assert gateway.backend_get(f"/pets/{pet['id']}")[0] == 404

    again = call_tool(gateway, transport, "deletePet", {"petId": pet["id"]})
    assert again.is_error, again


@transports
def test_image_content(gateway: Env, transport: str):
    result = call_tool(gateway, transport, "getImage", {})
    status, ctype, direct = gateway.backend_get("/image")
    assert status == 200 and ctype == "image/png"
    assert not result.is_error, result
    assert len(result.content) == 1
    block = result.content[0]
    assert block.type == "image", result
    assert block.mime_type == "image/png"
    assert base64.b64decode(block.data) == direct


@transports
def test_text_content(gateway: Env, transport: str):
    result = call_tool(gateway, transport, "getText", {})
    status, _, direct = gateway.backend_get("/text")
    assert status == 200
    assert not result.is_error, result
    assert only_text(result) == direct.decode()


@transports
def test_backend_404_is_tool_error(gateway: Env, transport: str):
    before = gateway.backend_count()
    result = call_tool(gateway, transport, "getPetById", {"petId": 999999})
    assert result.is_error, result
    assert "404" in only_text(result)
    assert gateway.backend_count() == before + 1, "the gateway should have called the backend exactly once"


INVALID_ARGUMENTS = [
    pytest.param("getPetById", {"petId": "abc"}, id="string-for-integer"),
    pytest.param("getPetById", {}, id="missing-required"),
    pytest.param("getPetById", {"petId": 1.5}, id="fraction-for-integer"),
    pytest.param("listPets", {"limit": "two"}, id="string-for-integer-query"),
    pytest.param("listPets", {"limit": -1}, id="below-minimum"),
    pytest.param("createPet", {"tag": "no-name"}, id="missing-body-property"),
    pytest.param("createPet", {"name": 42}, id="integer-for-string"),
]


@transports
@pytest.mark.parametrize("tool,arguments", INVALID_ARGUMENTS)
def test_invalid_arguments_are_tool_errors_and_never_reach_the_backend(gateway: Env, transport: str, tool: str, arguments: dict):
    before = gateway.backend_count()
    result = call_tool(gateway, transport, tool, arguments)
    assert result.is_error, result
    assert only_text(result)
    assert gateway.backend_count() == before, "the backend was called with invalid arguments"


@transports
def test_unknown_tool_is_protocol_error(gateway: Env, transport: str):
    before = gateway.backend_count()
    with pytest.raises(MCPError) as info:
        call_tool(gateway, transport, "noSuchTool", {})
    assert info.value.code == -32602
    assert gateway.backend_count() == before


def echo_segment(echo: dict) -> str:
    """The raw path segment the backend saw after /echo/; asserts it is exactly one segment."""
    path = echo["path"]
    assert path.startswith("/echo/"), path
    segment = path[len("/echo/") :]
    assert segment and "/" not in segment, f"value was not sent as one segment: {path!r}"
    assert segment not in (".", ".."), f"dot segment sent unencoded: {path!r}"
    return segment


@transports
@pytest.mark.parametrize(
    "value",
    [
        pytest.param("../../admin", id="traversal"),
        pytest.param("..", id="dotdot"),
        pytest.param("..%2F..%2Fadmin", id="pre-encoded-traversal"),
        pytest.param("a/b", id="slash"),
        pytest.param("hello world", id="space"),
        pytest.param("a?b#c", id="query-and-fragment-chars"),
        pytest.param("100%", id="percent"),
        pytest.param("grüße 😀", id="unicode"),
    ],
)
def test_path_parameter_is_one_encoded_segment(gateway: Env, transport: str, value: str):
    before = gateway.backend_stats()
    result = call_tool(gateway, transport, "echo", {"value": value})
    assert not result.is_error, result
    echo = result.structured_content
    segment = echo_segment(echo)
    assert unquote(segment) == value
    assert echo["value"] == value
    assert echo["query"] == ""

    # Exactly one backend request, and it went to /echo/…
    after = gateway.backend_stats()
    assert after["count"] == before["count"] + 1
    assert after["recent"][-1]["path"].startswith("/echo/")

    # The direct request with the same value echoes the same decoded value.
    status, direct = gateway.backend_json("/echo/" + quote(value, safe=""))
    assert status == 200
    assert direct["value"] == echo["value"]


@transports
def test_query_parameter_is_encoded(gateway: Env, transport: str):
    q = "a b&c=d#e+f/ü"
    result = call_tool(gateway, transport, "echo", {"value": "v", "q": q})
    assert not result.is_error, result
    echo = result.structured_content
    assert echo_segment(echo) == "v"
    assert parse_qs(echo["query"], keep_blank_values=True) == {"q": [q]}
    assert echo["q"] == q
    status, direct = gateway.backend_json("/echo/v?q=" + quote(q, safe=""))
    assert status == 200 and direct["q"] == echo["q"]


@transports
def test_mcp_transport_headers_are_not_forwarded(gateway: Env, transport: str):
    result = call_tool(gateway, transport, "echo", {"value": "headers"})
    assert not result.is_error, result
    headers = result.structured_content["headers"]
    for name in ("mcp-session-id", "mcp-protocol-version", "origin", "cookie", "authorization"):
        assert name not in headers, f"backend saw {name}: {headers[name]!r}"
    assert headers.get("host") == f"127.0.0.1:{gateway.backend_port}"


@transports
def test_concurrent_calls_on_one_session(gateway: Env, transport: str):
    ids = [1, 2, 3, 999001, 1, 2, 3, 999002] * 2

    async def go(session: ClientSession):
        results: dict[int, Any] = {}

        async def one(i: int, pet_id: int):
            results[i] = await session.call_tool("getPetById", {"petId": pet_id})

        async with anyio.create_task_group() as tg:
            for i, pet_id in enumerate(ids):
                tg.start_soon(one, i, pet_id)
        return results

    results = with_session(gateway, transport, go)
    for i, pet_id in enumerate(ids):
        r = results[i]
        if pet_id <= 3:
            assert not r.is_error, r
            assert r.structured_content == gateway.backend_json(f"/pets/{pet_id}")[1]
        else:
            assert r.is_error, r
            assert "404" in only_text(r)


@transports
def test_ping(gateway: Env, transport: str):
    with_session(gateway, transport, lambda s: s.send_ping())


@transports
def test_sdk_client_default_auto_mode(gateway: Env, transport: str):
    """The SDK's high-level `Client` probes `server/discover` first: on Streamable HTTP the gateway serves 2026-07-28
    statelessly and the client stays on it; on legacy SSE it falls back to initialize."""

    async def main():
        with anyio.fail_after(2 * MCP_TIMEOUT):
            async with Client(open_transport(gateway, transport), read_timeout_seconds=MCP_TIMEOUT) as client:
                tools = await client.list_tools()
                result = await client.call_tool("getPetById", {"petId": 2})
                return client.protocol_version, tools, result

    version, tools, result = run_async(main)
    if transport == "streamable":
        assert version == "2026-07-28"
    else:
        assert version in HANDSHAKE_PROTOCOL_VERSIONS
    assert {t.name for t in tools.tools} <= TOOL_NAMES and tools.tools
    assert not result.is_error, result
    assert result.structured_content == gateway.backend_json("/pets/2")[1]


def test_sdk_client_by_url_and_legacy_mode(gateway: Env):
    """`Client(url)` is how most users connect: 2026-07-28; `mode="legacy"` still gets the handshake."""

    async def main(mode: str):
        async with Client(gateway.mcp_url, mode=mode, read_timeout_seconds=MCP_TIMEOUT) as client:
            listed = await client.list_tools()
            return client.protocol_version, {t.name for t in listed.tools}

    modern, names = run_async(lambda: main("auto"))
    legacy, legacy_names = run_async(lambda: main("legacy"))
    assert modern == "2026-07-28" and legacy in HANDSHAKE_PROTOCOL_VERSIONS
    assert names == legacy_names and names <= TOOL_NAMES


# =====================================================================================================
# Raw HTTP: the Streamable HTTP transport's protocol rules
# =====================================================================================================

PROTOCOL = "2025-06-18"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "interop-raw", "version": "0"}},
}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def raw(env: Env, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request to the gateway. Never use it for a request that opens a stream."""
    return http_request(env.gateway_port, method, path, body, headers)


def open_raw_session(env: Env) -> str:
    r = raw(env, "POST", "/pets/mcp", INITIALIZE, JSON_HEADERS)
    assert r.status == 200, r
    sid = r.headers.get("Mcp-Session-Id")
    assert sid and all(0x21 <= ord(c) <= 0x7E for c in sid), r
    assert r.rpc()["result"]["protocolVersion"] == PROTOCOL
    n = raw(env, "POST", "/pets/mcp", INITIALIZED, {**JSON_HEADERS, "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL})
    assert n.status == 202, n
    return sid


def session_headers(sid: str) -> dict[str, str]:
    return {**JSON_HEADERS, "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL}


def initialize_raw(env: Env, version: str) -> tuple[str, dict]:
    """A raw initialize offering `version`: (session id, result)."""
    body = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": version}}
    r = raw(env, "POST", "/pets/mcp", body, JSON_HEADERS)
    assert r.status == 200, r
    return r.headers["Mcp-Session-Id"], r.rpc()["result"]


def test_unknown_protocol_version_is_countered_with_a_supported_one(gateway: Env):
    _, result = initialize_raw(gateway, "2099-01-01")
    assert result["protocolVersion"] in HANDSHAKE_PROTOCOL_VERSIONS


def test_older_protocol_version_gets_no_structured_output(gateway: Env):
    """2025-03-26 predates outputSchema/structuredContent: neither may appear on such a session."""
    version = "2025-03-26"
    sid, result = initialize_raw(gateway, version)
    assert result["protocolVersion"] == version
    headers = {**JSON_HEADERS, "Mcp-Session-Id": sid, "MCP-Protocol-Version": version}
    listed = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, headers)
    assert listed.status == 200, listed
    assert all("outputSchema" not in t for t in listed.rpc()["result"]["tools"])
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "getPetById", "arguments": {"petId": 1}}}
    called = raw(gateway, "POST", "/pets/mcp", call, headers)
    assert called.status == 200, called
    result = called.rpc()["result"]
    assert "structuredContent" not in result and not result.get("isError"), result
    assert json.loads(result["content"][0]["text"]) == gateway.backend_json("/pets/1")[1]


def test_get_opens_an_event_stream(gateway: Env):
    sid = open_raw_session(gateway)
    conn = http.client.HTTPConnection("127.0.0.1", gateway.gateway_port, timeout=10)
    try:
        conn.request("GET", "/pets/mcp", headers={"Accept": "text/event-stream", "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL})
        r = conn.getresponse()  # returns once the head has arrived; the body is an open stream
        assert r.status == 200
        assert (r.headers.get("Content-Type") or "").split(";")[0].strip() == "text/event-stream"
    finally:
        conn.close()


def test_healthz(gateway: Env):
    r = raw(gateway, "GET", "/healthz")
    assert r.status == 200 and r.body.strip() == b"ok"


def test_raw_session_lists_tools(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, session_headers(sid))
    assert r.status == 200, r
    payload = r.rpc()
    assert payload["id"] == 2 and payload["jsonrpc"] == "2.0"
    assert {t["name"] for t in payload["result"]["tools"]} <= TOOL_NAMES


def test_bad_origin_is_forbidden(gateway: Env):
    r = raw(gateway, "POST", "/pets/mcp", INITIALIZE, {**JSON_HEADERS, "Origin": "http://evil.example"})
    assert r.status == 403, r
    assert r.headers.get("Mcp-Session-Id") is None


def test_loopback_origin_is_allowed(gateway: Env):
    r = raw(gateway, "POST", "/pets/mcp", INITIALIZE, {**JSON_HEADERS, "Origin": f"http://localhost:{gateway.gateway_port}"})
    assert r.status == 200, r


def test_bad_host_is_forbidden(gateway: Env):
    r = raw(gateway, "POST", "/pets/mcp", INITIALIZE, {**JSON_HEADERS, "Host": f"evil.example:{gateway.gateway_port}"})
    assert r.status == 403, r
    assert r.headers.get("Mcp-Session-Id") is None


def test_bad_origin_on_sse_is_forbidden(gateway: Env):
    r = raw(gateway, "GET", "/pets/sse", None, {"Accept": "text/event-stream", "Origin": "http://evil.example"})
    assert r.status == 403, r


def test_batch_is_rejected(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "POST", "/pets/mcp", [TOOLS_LIST, {"jsonrpc": "2.0", "id": 3, "method": "ping"}], session_headers(sid))
    assert r.status == 400, r
    payload = r.rpc()
    assert payload.get("jsonrpc") == "2.0" and isinstance(payload.get("error", {}).get("code"), int), payload
    assert "result" not in payload


def test_invalid_json_is_parse_error(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "POST", "/pets/mcp", b'{"jsonrpc": "2.0", "id": 1, "method": ', session_headers(sid))
    assert r.status == 400, r
    payload = r.rpc()
    assert payload["error"]["code"] == -32700, payload
    assert payload.get("id", None) is None


def test_unknown_session_is_404(gateway: Env):
    r = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, session_headers("no-such-session-0123456789"))
    assert r.status == 404, r


def test_missing_session_is_400(gateway: Env):
    headers = {**JSON_HEADERS, "MCP-Protocol-Version": PROTOCOL}
    r = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, headers)
    assert r.status == 400, r


def test_notification_is_202_without_body(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "POST", "/pets/mcp", {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 99}}, session_headers(sid))
    assert r.status == 202, r
    assert r.body == b""


def test_unsupported_protocol_version_header_is_400(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, {**session_headers(sid), "MCP-Protocol-Version": "2099-01-01"})
    assert r.status == 400, r
    # The session is still usable with the right header.
    assert raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, session_headers(sid)).status == 200


def test_deleted_session_is_404(gateway: Env):
    sid = open_raw_session(gateway)
    d = raw(gateway, "DELETE", "/pets/mcp", None, {"Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL})
    assert d.status in (200, 204), d
    r = raw(gateway, "POST", "/pets/mcp", TOOLS_LIST, session_headers(sid))
    assert r.status == 404, r


def test_get_without_event_stream_accept_is_406(gateway: Env):
    sid = open_raw_session(gateway)
    r = raw(gateway, "GET", "/pets/mcp", None, {"Accept": "application/json", "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL})
    assert r.status == 406, r


def test_post_text_plain_is_415(gateway: Env):
    r = raw(gateway, "POST", "/pets/mcp", json.dumps(INITIALIZE), {"Content-Type": "text/plain", "Accept": JSON_HEADERS["Accept"]})
    assert r.status == 415, r


def test_unknown_endpoint_is_404(gateway: Env):
    r = raw(gateway, "POST", "/nope/mcp", INITIALIZE, JSON_HEADERS)
    assert r.status == 404, r


def test_legacy_messages_unknown_session_is_404(gateway: Env):
    r = raw(gateway, "POST", "/pets/messages?sessionId=no-such-session", TOOLS_LIST, {"Content-Type": "application/json"})
    assert r.status == 404, r

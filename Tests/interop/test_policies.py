"""Interop tests for governance (issue #4): subscriptions, validate-jwt, rate limits and the response cache.

Every configuration gets its own database and its own `gatehouse serve --listen 127.0.0.1:0` process (a
module-scoped fixture each, started the first time a test needs it); one REST backend (backend.py) serves them
all. Configurations are written as `gatehouse apply -f` files (JSON, which is YAML) and, for the cache, with
`gatehouse policy set`. Readiness is awaited by reading announcement lines with deadlines, never by sleeping.

Clients are the official Python MCP SDK (mcp 2.3.0) over Streamable HTTP (/pets/mcp) and legacy HTTP+SSE
(/pets/sse), with credentials in HTTP headers; exact statuses and headers are checked with raw HTTP. The
validate-jwt tests run a JWKS endpoint in this process (RSA and P-256 keys made with `cryptography`) and mint
tokens with PyJWT.

Env: GATEHOUSE_BIN (default <repo>/.build/debug/gatehouse).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from mcp.client import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import PaginatedRequestParams

from harness import HERE, Process, Reaper, Reply, http_request, loopback_env, require_binary, run_async, run_cli, start_backend, start_serve

T = TypeVar("T")
TRANSPORTS = ["streamable", "sse"]
transports = pytest.mark.parametrize("transport", TRANSPORTS)
MCP_TIMEOUT = 30  # seconds: bound for one SDK request; a whole exchange gets twice that
READ_TIMEOUT = 10  # seconds: bound for one read on a raw event stream

PROTOCOL = "2025-06-18"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
SUBSCRIPTION_HEADER = "Gatehouse-Subscription-Key"
CLIENT_HEADER = "X-Interop-Client"  # the rate-limit counter key in the rate-limit configuration


def initialize_message(rid: int = 1, version: str = PROTOCOL) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": rid,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "interop-policies", "version": "0"}},
    }


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def tool_call(rid: int, name: str, arguments: dict[str, Any]) -> dict:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


# =====================================================================================================
# Processes: one backend for the module, one gateway per configuration
# =====================================================================================================


@dataclass
class Backend:
    port: int
    process: Process

    def json(self, path: str) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stats(self) -> dict:
        status, stats = self.json("/_stats")
        assert status == 200
        return stats

    def count(self) -> int:
        return self.stats()["count"]

    def requests_since(self, count: int) -> list[dict]:
        """The requests served after the counter read `count` (at most the last 50)."""
        stats = self.stats()
        n = stats["count"] - count
        assert 0 <= n <= len(stats["recent"]), f"cannot see {n} requests in {len(stats['recent'])} recent ones"
        return stats["recent"][len(stats["recent"]) - n :] if n else []


@dataclass
class Gateway:
    """One `gatehouse serve` with its configuration."""

    name: str
    port: int
    backend: Backend
    serve: Process
    db: Path
    applied: str  # stdout of `gatehouse apply`
    extra: dict[str, Any] = field(default_factory=dict)  # what the configuration step produced (keys, …)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mcp_url(self) -> str:
        return f"{self.origin}/pets/mcp"

    @property
    def sse_url(self) -> str:
        return f"{self.origin}/pets/sse"

    def raw(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        return http_request(self.port, method, path, body, headers)

    # --- raw Streamable HTTP --------------------------------------------------------------------------
    def initialize(self, headers: dict[str, str], path: str = "/pets/mcp") -> Reply:
        return self.raw("POST", path, initialize_message(), {**JSON_HEADERS, **headers})

    def open_session(self, headers: dict[str, str], path: str = "/pets/mcp") -> dict[str, str]:
        """Initializes a raw session; returns the headers to send on it (the given ones included)."""
        r = self.initialize(headers, path)
        assert r.status == 200, r
        sid = r.headers.get("Mcp-Session-Id")
        assert sid, r
        session = {**JSON_HEADERS, **headers, "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL}
        n = self.raw("POST", path, INITIALIZED, session)
        assert n.status == 202, n
        return session

    def post(self, session: dict[str, str], message: dict, path: str = "/pets/mcp") -> Reply:
        return self.raw("POST", path, message, session)



@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper) -> Iterator[Backend]:
    require_binary()
    loopback_env()
    work = tmp_path_factory.mktemp("policies-backend")
    process, port = start_backend(work, sys.executable)
    reaper.add(process)
    yield Backend(port=port, process=process)


def petstore_config(backend: Backend, **server: Any) -> dict:
    """An apply document with the petstore API and the server `pets` (every operation) plus `server` settings."""
    return {
        "apis": [
            {
                "name": "petstore",
                "spec": str(HERE / "petstore.yaml"),
                "baseUrl": f"http://127.0.0.1:{backend.port}",
                "allowPrivateNetwork": True,
            }
        ],
        "servers": [{"name": "pets", "api": "petstore", **server}],
    }


@contextmanager
def running_gateway(
    tmp_path_factory: pytest.TempPathFactory,
    reaper: Reaper,
    name: str,
    backend: Backend,
    config: dict,
    setup: Callable[[Path, dict[str, str], Path], dict[str, Any]] | None = None,
) -> Iterator[Gateway]:
    """Applies `config` to a fresh database, runs `setup(db, env, work)`, then serves it until the block ends."""
    work = tmp_path_factory.mktemp(f"policies-{name}")
    db = work / "gatehouse.sqlite"
    env = loopback_env()
    env["GATEHOUSE_DB"] = str(db)
    config_file = work / "config.yaml"
    config_file.write_text(json.dumps(config, indent=2))
    applied = run_cli("apply", "-f", str(config_file), "--db", str(db), env=env).stdout
    extra = setup(db, env, work) if setup else {}
    serve, port = start_serve(db, work, env, name=f"serve-{name}")
    reaper.add(serve)
    try:
        yield Gateway(name=name, port=port, backend=backend, serve=serve, db=db, applied=applied, extra=extra)
    finally:
        reaper.terminate(serve)  # the reaper waits for it at the end of the module


# =====================================================================================================
# SDK helpers (headers carry the credentials)
# =====================================================================================================


@asynccontextmanager
async def open_transport(gw: Gateway, transport: str, headers: dict[str, str]):
    """The SDK transport's (read, write) streams for `transport`, sending `headers` on every request."""
    if transport == "streamable":
        timeout = httpx2.Timeout(MCP_TIMEOUT, read=2 * MCP_TIMEOUT)
        async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
            async with streamable_http_client(gw.mcp_url, http_client=http) as streams:
                yield streams
    else:
        async with sse_client(gw.sse_url, headers=headers, timeout=10, sse_read_timeout=2 * MCP_TIMEOUT) as streams:
            yield streams


def with_session(gw: Gateway, transport: str, headers: dict[str, str], fn: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Runs `fn(session)` on a fresh initialized session, bounded in time."""

    async def main() -> T:
        with anyio.fail_after(2 * MCP_TIMEOUT):
            async with open_transport(gw, transport, headers) as (read, write):
                async with ClientSession(read, write, read_timeout_seconds=MCP_TIMEOUT) as session:
                    await session.initialize()
                    return await fn(session)

    return run_async(main)


async def tool_names(session: ClientSession) -> set[str]:
    names: set[str] = set()
    cursor = None
    for _ in range(100):
        page = await session.list_tools(params=None if cursor is None else PaginatedRequestParams(cursor=cursor))
        names |= {t.name for t in page.tools}
        cursor = page.next_cursor
        if cursor is None:
            return names
    raise AssertionError("tools/list pagination did not end within 100 pages")


def expect_refusal(r: Reply, status: int, policy: str, scope: str, rid: Any = None) -> dict:
    """Asserts `r` is a policy refusal: `status`, a JSON-RPC error naming `policy` and `scope`. Returns the error."""
    assert r.status == status, r
    payload = r.rpc()
    assert payload.get("jsonrpc") == "2.0", payload
    assert "result" not in payload, payload
    error = payload.get("error")
    assert isinstance(error, dict) and isinstance(error.get("code"), int) and error.get("message"), payload
    data = error.get("data")
    assert isinstance(data, dict), payload
    assert data.get("policy") == policy, payload
    assert data.get("scope") == scope, payload
    if rid is not None:
        assert payload.get("id") == rid, payload
    return error


def sdk_refusal(exc: BaseException, policy: str, scope: str) -> MCPError:
    """Asserts the SDK surfaced the gateway's refusal as an MCPError naming `policy` and `scope`."""
    assert isinstance(exc, MCPError), f"expected MCPError, got {type(exc).__name__}: {exc!r}"
    assert isinstance(exc.data, dict), f"MCPError without the refusal's data: code={exc.code} message={exc.message!r}"
    assert exc.data.get("policy") == policy, exc.data
    assert exc.data.get("scope") == scope, exc.data
    return exc


class RawSSE:
    """A raw legacy HTTP+SSE client: GET the stream, read the endpoint event, POST messages, read replies."""

    def __init__(self, gw: Gateway, headers: dict[str, str], path: str = "/pets/sse") -> None:
        self.gw = gw
        self.headers = headers
        self.conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=READ_TIMEOUT)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **headers})
        self.response = self.conn.getresponse()  # the head; the body stays open
        assert self.response.status == 200, f"HTTP {self.response.status} {dict(self.response.headers)} {self.response.read(600)!r}"
        event, data = self.next_event()
        assert event == "endpoint", (event, data)
        self.endpoint = urlsplit(data)._replace(scheme="", netloc="").geturl()

    def next_event(self) -> tuple[str, str]:
        """The next event (name, data); each read is bounded by the socket timeout."""
        name, data = "message", []
        for _ in range(10_000):
            line = self.response.readline()
            if not line:
                raise EOFError("event stream closed")
            text = line.decode().rstrip("\r\n")
            if not text:
                if data:
                    return name, "\n".join(data)
                name = "message"
                continue
            if text.startswith(":"):
                continue
            key, _, value = text.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
        raise AssertionError("no complete event within 10000 lines")

    def reply(self, rid: int) -> dict:
        """The JSON-RPC reply to request `rid`, read from the stream (skipping other messages)."""
        deadline = time.monotonic() + 2 * READ_TIMEOUT
        while time.monotonic() < deadline:
            name, data = self.next_event()
            if name == "message":
                message = json.loads(data)
                if message.get("id") == rid and ("result" in message or "error" in message):
                    return message
        raise AssertionError(f"no reply to {rid} within {2 * READ_TIMEOUT}s")

    def post(self, message: dict) -> Reply:
        return self.gw.raw("POST", self.endpoint, message, {"Content-Type": "application/json", **self.headers})

    def handshake(self) -> None:
        r = self.post(initialize_message(1, "2024-11-05"))
        assert r.status == 202, r
        assert "result" in self.reply(1)
        n = self.post(INITIALIZED)
        assert n.status == 202, n

    def close(self) -> None:
        self.conn.close()


@contextmanager
def raw_sse(gw: Gateway, headers: dict[str, str]) -> Iterator[RawSSE]:
    client = RawSSE(gw, headers)
    try:
        client.handshake()
        yield client
    finally:
        client.close()


# =====================================================================================================
# 1. Subscriptions
# =====================================================================================================

SUSPENDED_KEY = "ghk_interop-suspended-" + secrets.token_urlsafe(16)
EXPIRED_KEY = "ghk_interop-expired-" + secrets.token_urlsafe(16)
ELSEWHERE_KEY = "ghk_interop-elsewhere-" + secrets.token_urlsafe(16)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def subscribed(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper, backend: Backend) -> Iterator[Gateway]:
    """`pets` requires a subscription; `other` (same API) does not. Keys: `acme` (made by apply), `cli` (made by
    `subscription create --json`), a suspended one, an expired one and one that covers only `other`."""
    config = petstore_config(backend, requireSubscription=True)
    config["servers"].append({"name": "other", "api": "petstore"})
    config["subscriptions"] = [
        {"name": "acme"},
        {"name": "paused", "state": "suspended", "keySha256": sha256(SUSPENDED_KEY)},
        {"name": "lapsed", "expiresAt": "2020-01-01T00:00:00Z", "keySha256": sha256(EXPIRED_KEY)},
        {"name": "elsewhere", "servers": ["other"], "keySha256": sha256(ELSEWHERE_KEY)},
    ]

    def setup(db: Path, env: dict[str, str], work: Path) -> dict[str, Any]:
        out = run_cli("subscription", "create", "cli", "--servers", "pets", "--json", "--db", str(db), env=env).stdout
        created = json.loads(out[out.index("{") :])
        assert created["name"] == "cli" and created["key"], out
        return {"cli": created["key"]}

    with running_gateway(tmp_path_factory, reaper, "subscriptions", backend, config, setup) as gw:
        m = re.search(r"created subscription 'acme' with key (\S+) \(shown only now\)", gw.applied)
        assert m, f"apply did not print acme's key:\n{gw.applied}"
        gw.extra["acme"] = m.group(1)
        for name in ("paused", "lapsed", "elsewhere"):  # keys adopted by hash are never printed
            assert f"'{name}' with key" not in gw.applied, gw.applied
        yield gw


def key_headers(key: str) -> dict[str, str]:
    return {SUBSCRIPTION_HEADER: key}


@transports
def test_subscription_key_opens_both_transports(subscribed: Gateway, transport: str):
    key = subscribed.extra["acme"]

    async def go(session: ClientSession):
        names = await tool_names(session)
        pet = await session.call_tool("getPetById", {"petId": 2})
        echo = await session.call_tool("echo", {"value": "subscribed"})
        return names, pet, echo

    names, pet, echo = with_session(subscribed, transport, key_headers(key), go)
    assert {"listPets", "getPetById", "createPet", "deletePet", "echo"} <= names
    assert not pet.is_error, pet
    assert pet.structured_content == subscribed.backend.json("/pets/2")[1]
    assert not echo.is_error, echo
    seen = echo.structured_content["headers"]
    assert SUBSCRIPTION_HEADER.lower() not in seen, f"the backend received the subscription key: {seen}"


def test_cli_created_key_works(subscribed: Gateway):
    result = with_session(
        subscribed, "streamable", key_headers(subscribed.extra["cli"]), lambda s: s.call_tool("getPetById", {"petId": 1})
    )
    assert not result.is_error, result
    assert result.structured_content == subscribed.backend.json("/pets/1")[1]


def test_missing_key_is_401_on_streamable_http(subscribed: Gateway):
    before = subscribed.backend.count()
    r = subscribed.initialize({})
    expect_refusal(r, 401, "subscription", "server:pets")
    assert r.headers.get("Mcp-Session-Id") is None, r
    assert subscribed.backend.count() == before


def test_missing_key_is_401_on_legacy_sse(subscribed: Gateway):
    r = subscribed.raw("GET", "/pets/sse", None, {"Accept": "text/event-stream"})
    expect_refusal(r, 401, "subscription", "server:pets")


def test_sdk_without_key_is_refused(subscribed: Gateway):
    with pytest.raises(MCPError) as info:
        with_session(subscribed, "streamable", {}, lambda s: s.list_tools())
    sdk_refusal(info.value, "subscription", "server:pets")

    with pytest.raises(httpx2.HTTPStatusError) as sse_info:
        with_session(subscribed, "sse", {}, lambda s: s.list_tools())
    assert sse_info.value.response.status_code == 401


@pytest.mark.parametrize(
    "key,status",
    [
        pytest.param("ghk_" + "x" * 43, 401, id="unknown-key"),
        pytest.param(SUSPENDED_KEY, 403, id="suspended"),
        pytest.param(EXPIRED_KEY, 403, id="expired"),
        pytest.param(ELSEWHERE_KEY, 403, id="other-server-only"),
    ],
)
@transports
def test_refused_keys(subscribed: Gateway, transport: str, key: str, status: int):
    if transport == "streamable":
        r = subscribed.initialize(key_headers(key))
    else:
        r = subscribed.raw("GET", "/pets/sse", None, {"Accept": "text/event-stream", **key_headers(key)})
    expect_refusal(r, status, "subscription", "server:pets")
    assert r.headers.get("Mcp-Session-Id") is None, r


def test_server_scoped_key_opens_its_server(subscribed: Gateway):
    session = subscribed.open_session(key_headers(ELSEWHERE_KEY), path="/other/mcp")
    r = subscribed.post(session, tool_call(2, "getPetById", {"petId": 3}), path="/other/mcp")
    assert r.status == 200, r
    assert not r.rpc()["result"].get("isError"), r


def test_session_is_bound_to_its_subscription(subscribed: Gateway):
    session = subscribed.open_session(key_headers(subscribed.extra["acme"]))
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    stolen = subscribed.post({**session, SUBSCRIPTION_HEADER: subscribed.extra["cli"]}, listing)
    assert stolen.status == 404, f"another subscription's key used this session: {stolen}"
    assert subscribed.post(session, listing).status == 200


# =====================================================================================================
# 2. validate-jwt
# =====================================================================================================

AUDIENCE = "urn:gatehouse:interop:pets"
RSA_KID = "interop-rsa"
EC_KID = "interop-ec"


class IdentityProvider:
    """A JWKS endpoint on 127.0.0.1 (http.server in a thread) and the private keys to mint tokens with."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True) | {"kid": RSA_KID, "alg": "RS256", "use": "sig"}
        ec_jwk = ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True) | {"kid": EC_KID, "alg": "ES256", "use": "sig"}
        body = json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode()
        self.fetches = 0
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path.split("?")[0] == "/jwks.json":
                    idp.fetches += 1
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="jwks", daemon=True)
        self.thread.start()
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.jwks_uri = f"{self.issuer}/jwks.json"

    def token(self, alg: str = "RS256", *, key: Any = None, kid: str | None = None, **claims: Any) -> str:
        """A signed token for the interop audience; `claims` override the defaults (None removes one)."""
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 600, "scope": "pets:read"}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        if alg == "none":
            return jwt.encode(payload, None, algorithm="none", headers={"kid": RSA_KID})
        if key is None:
            key = self.rsa if alg.startswith("RS") else self.ec
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid or (RSA_KID if alg.startswith("RS") else EC_KID)})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    try:
        yield provider
    finally:
        provider.close()


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper, backend: Backend, idp: IdentityProvider) -> Iterator[Gateway]:
    """`pets` guarded by validate-jwt (RS256/ES256 keys from the in-process JWKS); deletePet needs pets:write."""
    jwt_policy = {"jwks-uri": idp.jwks_uri, "audiences": [AUDIENCE], "issuers": [idp.issuer], "allow-private-network": True}
    config = petstore_config(backend)
    config["policies"] = [
        {"scope": "server:pets", "inbound": [{"validate-jwt": jwt_policy}]},
        {"scope": "tool:pets/deletePet", "inbound": [{"validate-jwt": {**jwt_policy, "required-scopes": ["pets:write"]}}]},
    ]
    with running_gateway(tmp_path_factory, reaper, "jwt", backend, config) as gw:
        yield gw


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def challenge(r: Reply) -> str:
    value = r.headers.get("WWW-Authenticate")
    assert value and value.startswith("Bearer"), f"no Bearer challenge: {r}"
    return value


def auth_param(value: str, name: str) -> str | None:
    m = re.search(rf'(?:^Bearer\s+|,\s*){re.escape(name)}="([^"]*)"', value)
    return m.group(1) if m else None


@transports
@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_bearer_token_opens_both_transports(protected: Gateway, idp: IdentityProvider, transport: str, alg: str):
    before = protected.backend.count()

    async def go(session: ClientSession):
        names = await tool_names(session)
        pet = await session.call_tool("getPetById", {"petId": 1})
        echo = await session.call_tool("echo", {"value": "jwt"})
        return names, pet, echo

    names, pet, echo = with_session(protected, transport, bearer(idp.token(alg)), go)
    assert {"listPets", "getPetById", "deletePet"} <= names
    assert not pet.is_error, pet
    assert pet.structured_content == protected.backend.json("/pets/1")[1]
    assert not echo.is_error, echo
    assert "authorization" not in echo.structured_content["headers"], echo.structured_content["headers"]
    # Whatever reached the backend in between, none of it carried the token.
    for request in protected.backend.requests_since(before):
        if not request["path"].startswith("/_"):
            assert "authorization" not in request["headers"], f"the backend received Authorization: {request}"


@pytest.mark.parametrize("endpoint", ["mcp", "sse"])
def test_missing_token_is_401_with_resource_metadata(protected: Gateway, idp: IdentityProvider, endpoint: str):
    if endpoint == "mcp":
        r = protected.initialize({})
    else:
        r = protected.raw("GET", "/pets/sse", None, {"Accept": "text/event-stream"})
    expect_refusal(r, 401, "validate-jwt", "server:pets")
    value = challenge(r)
    metadata_url = auth_param(value, "resource_metadata")
    assert metadata_url == f"{protected.origin}/.well-known/oauth-protected-resource/pets/{endpoint}", value
    assert auth_param(value, "error") is None, f"RFC 6750 §3.1: no error code when the request had no credentials: {value}"

    m = protected.raw("GET", urlsplit(metadata_url).path)
    assert m.status == 200, m
    doc = json.loads(m.body)
    assert doc["resource"] == f"{protected.origin}/pets/{endpoint}", doc
    assert doc["authorization_servers"] == [idp.issuer], doc


def test_root_protected_resource_metadata(protected: Gateway, idp: IdentityProvider):
    m = protected.raw("GET", "/.well-known/oauth-protected-resource")
    assert m.status == 200, m
    doc = json.loads(m.body)
    assert doc["resource"] == protected.mcp_url, doc
    assert doc["authorization_servers"] == [idp.issuer], doc


def test_sdk_without_token_is_refused(protected: Gateway):
    with pytest.raises(MCPError) as info:
        with_session(protected, "streamable", {}, lambda s: s.list_tools())
    sdk_refusal(info.value, "validate-jwt", "server:pets")


FORGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)

BAD_TOKENS: list[Any] = [
    pytest.param(lambda idp: idp.token(aud="urn:someone-else"), id="wrong-audience"),
    pytest.param(lambda idp: idp.token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), id="expired"),
    pytest.param(lambda idp: idp.token("ES256", iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), id="expired-es256"),
    pytest.param(lambda idp: idp.token(iss="http://evil.example"), id="wrong-issuer"),
    pytest.param(lambda idp: idp.token(nbf=int(time.time()) + 3600), id="not-yet-valid"),
    pytest.param(lambda idp: idp.token(key=FORGER), id="forged-signature"),
    pytest.param(lambda idp: idp.token("none"), id="alg-none"),
    pytest.param(lambda idp: "not-a-jwt", id="malformed"),
]


@pytest.mark.parametrize("make_token", BAD_TOKENS)
def test_invalid_token_is_401(protected: Gateway, idp: IdentityProvider, make_token: Callable[[IdentityProvider], str]):
    before = protected.backend.count()
    r = protected.initialize(bearer(make_token(idp)))
    expect_refusal(r, 401, "validate-jwt", "server:pets")
    value = challenge(r)
    assert auth_param(value, "resource_metadata") == f"{protected.origin}/.well-known/oauth-protected-resource/pets/mcp", value
    assert auth_param(value, "error") == "invalid_token", value
    assert r.headers.get("Mcp-Session-Id") is None, r
    assert protected.backend.count() == before


def test_missing_scope_on_tool_is_403_insufficient_scope(protected: Gateway, idp: IdentityProvider):
    session = protected.open_session(bearer(idp.token(scope="pets:read")))
    before = protected.backend.count()
    r = protected.post(session, tool_call(7, "deletePet", {"petId": 3}))
    error = expect_refusal(r, 403, "validate-jwt", "tool:pets/deletePet", rid=7)
    assert error["data"].get("missingScopes") == ["pets:write"], error
    value = challenge(r)
    assert auth_param(value, "error") == "insufficient_scope", value
    assert auth_param(value, "scope") == "pets:write", value
    assert auth_param(value, "resource_metadata") == f"{protected.origin}/.well-known/oauth-protected-resource/pets/mcp", value
    assert protected.backend.count() == before, "a refused call reached the backend"
    assert protected.backend.json("/pets/3")[0] == 200

    # Only the guarded tool is refused on this session.
    ok = protected.post(session, tool_call(8, "getPetById", {"petId": 3}))
    assert ok.status == 200, ok
    assert not ok.rpc()["result"].get("isError"), ok


def test_sdk_missing_scope_raises(protected: Gateway, idp: IdentityProvider):
    async def go(session: ClientSession):
        listed = await session.call_tool("listPets", {})
        assert not listed.is_error, listed
        return await session.call_tool("deletePet", {"petId": 3})

    before = protected.backend.count()
    with pytest.raises(MCPError) as info:
        with_session(protected, "streamable", bearer(idp.token("ES256", scope="pets:read")), go)
    error = sdk_refusal(info.value, "validate-jwt", "tool:pets/deletePet")
    assert error.data.get("missingScopes") == ["pets:write"], error.data
    assert protected.backend.count() == before + 1, "only listPets should have reached the backend"


@transports
def test_write_scope_allows_delete(protected: Gateway, idp: IdentityProvider, transport: str):
    async def go(session: ClientSession):
        created = await session.call_tool("createPet", {"name": f"scoped-{transport}"})
        assert not created.is_error, created
        deleted = await session.call_tool("deletePet", {"petId": created.structured_content["id"]})
        return created, deleted

    created, deleted = with_session(protected, transport, bearer(idp.token(scope="pets:read pets:write")), go)
    assert not deleted.is_error, deleted
    assert protected.backend.json(f"/pets/{created.structured_content['id']}")[0] == 404


# =====================================================================================================
# 3. rate-limit-by-key on one tool
# =====================================================================================================

RATE_CALLS = 2
RATE_PERIOD = 60
QUOTA_CALLS = 1
QUOTA_PERIOD = 3600


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper, backend: Backend) -> Iterator[Gateway]:
    """getPetById: 2 calls per 60 s, listPets: a quota of 1 call per hour, both per X-Interop-Client value (each
    test uses its own value)."""
    config = petstore_config(backend)
    config["policies"] = [
        {
            "scope": "tool:pets/getPetById",
            "inbound": [
                {"rate-limit-by-key": {"calls": RATE_CALLS, "renewal-period": RATE_PERIOD, "counter-key": f"header:{CLIENT_HEADER}"}}
            ],
        },
        {
            "scope": "tool:pets/listPets",
            "inbound": [
                {"quota-by-key": {"calls": QUOTA_CALLS, "renewal-period": QUOTA_PERIOD, "counter-key": f"header:{CLIENT_HEADER}"}}
            ],
        },
    ]
    with running_gateway(tmp_path_factory, reaper, "rate-limit", backend, config) as gw:
        yield gw


def client_id(label: str) -> dict[str, str]:
    return {CLIENT_HEADER: f"{label}-{secrets.token_hex(6)}"}


def assert_429(r: Reply, rid: int) -> None:
    error = expect_refusal(r, 429, "rate-limit-by-key", "tool:pets/getPetById", rid=rid)
    retry_after = r.headers.get("Retry-After")
    assert retry_after and retry_after.isdigit(), r
    assert 1 <= int(retry_after) <= RATE_PERIOD, r
    assert r.headers.get("RateLimit-Limit") == str(RATE_CALLS), r
    assert r.headers.get("RateLimit-Remaining") == "0", r
    reset = r.headers.get("RateLimit-Reset")
    assert reset and reset.isdigit() and int(reset) <= RATE_PERIOD, r
    assert error["data"].get("retryAfter") == int(retry_after), error


def test_sdk_third_call_is_rate_limited(limited: Gateway):
    async def go(session: ClientSession):
        results = [await session.call_tool("getPetById", {"petId": 1}) for _ in range(RATE_CALLS)]
        try:
            await session.call_tool("getPetById", {"petId": 1})
        except MCPError as e:
            refused = e
        else:
            raise AssertionError("the third call was not refused")
        other = await session.call_tool("listPets", {})  # another tool on the same session is not limited
        return results, refused, other

    before = limited.backend.count()
    results, refused, other = with_session(limited, "streamable", client_id("sdk"), go)
    assert all(not r.is_error for r in results), results
    error = sdk_refusal(refused, "rate-limit-by-key", "tool:pets/getPetById")
    assert "rate limit" in error.message.lower(), error.message
    assert isinstance(error.data.get("retryAfter"), int) and error.data["retryAfter"] >= 1, error.data
    assert not other.is_error, other
    assert limited.backend.count() == before + RATE_CALLS + 1, "the refused call reached the backend"


def test_raw_streamable_http_429(limited: Gateway):
    client = client_id("raw")
    session = limited.open_session(client)
    before = limited.backend.count()
    for i in range(RATE_CALLS):
        ok = limited.post(session, tool_call(10 + i, "getPetById", {"petId": 2}))
        assert ok.status == 200, ok
        assert not ok.rpc()["result"].get("isError"), ok
        assert ok.headers.get("RateLimit-Limit") == str(RATE_CALLS), ok
        assert ok.headers.get("RateLimit-Remaining") == str(RATE_CALLS - 1 - i), ok
    refused = limited.post(session, tool_call(20, "getPetById", {"petId": 2}))
    assert_429(refused, 20)
    assert limited.backend.count() == before + RATE_CALLS

    # The counter is per key: another client value is still allowed.
    other = limited.open_session(client_id("raw-other"))
    assert limited.post(other, tool_call(30, "getPetById", {"petId": 2})).status == 200
    # And the exhausted key stays refused on a brand-new session.
    again = limited.open_session(client)
    assert_429(limited.post(again, tool_call(31, "getPetById", {"petId": 2})), 31)


def test_raw_legacy_sse_429(limited: Gateway):
    with raw_sse(limited, client_id("sse")) as sse:
        before = limited.backend.count()
        for i in range(RATE_CALLS):
            r = sse.post(tool_call(40 + i, "getPetById", {"petId": 3}))
            assert r.status == 202, r
            reply = sse.reply(40 + i)
            assert "result" in reply and not reply["result"].get("isError"), reply
        refused = sse.post(tool_call(50, "getPetById", {"petId": 3}))
        assert_429(refused, 50)
        assert limited.backend.count() == before + RATE_CALLS


def test_quota_is_403_with_retry_after(limited: Gateway):
    session = limited.open_session(client_id("quota"))
    before = limited.backend.count()
    ok = limited.post(session, tool_call(60, "listPets", {}))
    assert ok.status == 200, ok
    assert not ok.rpc()["result"].get("isError"), ok
    refused = limited.post(session, tool_call(61, "listPets", {}))
    expect_refusal(refused, 403, "quota-by-key", "tool:pets/listPets", rid=61)
    retry_after = refused.headers.get("Retry-After")
    assert retry_after and retry_after.isdigit() and 1 <= int(retry_after) <= QUOTA_PERIOD, refused
    assert limited.backend.count() == before + QUOTA_CALLS


# =====================================================================================================
# 4. Response cache (cache-lookup + cache-store on the server, set with `gatehouse policy set`)
# =====================================================================================================


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper, backend: Backend) -> Iterator[Gateway]:
    def setup(db: Path, env: dict[str, str], work: Path) -> dict[str, Any]:
        doc = work / "cache-policy.yaml"
        doc.write_text("inbound:\n  - cache-lookup: {public: false}\noutbound:\n  - cache-store: {duration: 60}\n")
        run_cli("policy", "set", "--scope", "server:pets", "-f", str(doc), "--db", str(db), env=env)
        return {}

    with running_gateway(tmp_path_factory, reaper, "cache", backend, petstore_config(backend), setup) as gw:
        yield gw


@transports
def test_identical_calls_reach_the_backend_once(cached: Gateway, transport: str):
    pet_id = {"streamable": 1, "sse": 2}[transport]

    async def twice(session: ClientSession):
        return [await session.call_tool("getPetById", {"petId": pet_id}) for _ in range(2)]

    before = cached.backend.count()
    first, second = with_session(cached, transport, {}, twice)
    assert cached.backend.count() == before + 1, "the second identical call reached the backend"
    assert not first.is_error and not second.is_error, (first, second)
    assert first.structured_content == second.structured_content
    assert first.content == second.content

    # A new session of the same (anonymous) principal is served from the cache too.
    third = with_session(cached, transport, {}, lambda s: s.call_tool("getPetById", {"petId": pet_id}))
    assert cached.backend.count() == before + 1
    assert third.structured_content == first.structured_content == cached.backend.json(f"/pets/{pet_id}")[1]


def test_cache_distinguishes_arguments_and_skips_errors(cached: Gateway):
    async def go(session: ClientSession):
        return [
            await session.call_tool("getPetById", {"petId": 3}),
            await session.call_tool("getPetById", {"petId": 3}),
            await session.call_tool("getPetById", {"petId": 999999}),
            await session.call_tool("getPetById", {"petId": 999999}),
        ]

    before = cached.backend.count()
    results = with_session(cached, "streamable", {}, go)
    assert not results[0].is_error and not results[1].is_error, results
    assert results[2].is_error and results[3].is_error, results
    # 3 once (cached), 999999 twice (errors are not stored).
    assert cached.backend.count() == before + 3

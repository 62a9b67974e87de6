"""Interop tests for the discovery registry (issue 18): the MCP Registry API with a real HTTP client (httpx2), its
answers validated against registry_schema.json (jsonschema), `/registry/mcp` through the official Python SDK (mcp
2.3.0), and health probes of a real upstream built with the SDK's high-level server (upstreams/fastmcp_server.py).

Two gateways, each with its own database:

  world        `serve --registry-namespace io.example.interop --registry-probe-interval 0` (the engine never probes on
               its own, so answers — and their ETags — change only when a test changes something). Its servers take
               their tools from one FastMCP upstream: `alpha` (echo, add), `beta` (search; requires a subscription
               key), `gamma` (every tool). External entries are added by the tests through the CLI, on the same
               database while the gateway runs; `World.externals` tracks the live ones so any test can say what the
               whole list must be.
  probe_world  `serve --registry-probe-interval 0.02` (a probe every 1.2 s), no servers, one FastMCP upstream that a
               test stops and starts again on the same port.

Nothing sleeps for synchronisation: a change made through the CLI is awaited by polling with a deadline (the catalog
reads the store's revision on each request; subscriptions and access settings reach the engine on its next
configuration poll, every 250 ms).

Env: GATEHOUSE_BIN (default <repo>/.build/debug/gatehouse).
"""

from __future__ import annotations

import copy
import datetime as dt
import errno
import json
import re
import socket
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jsonschema
import pytest
from mcp.client import ClientSession
from mcp.client.streamable_http import streamable_http_client
from referencing import Registry, Resource

from harness import (
    HERE,
    UPSTREAMS_DIR,
    Process,
    Reaper,
    announced_port,
    loopback_env,
    poll,
    require_binary,
    run_async,
    run_cli,
    start_announcing,
    start_serve,
)

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")

NAMESPACE = "io.example.interop"
OFFICIAL = "io.modelcontextprotocol.registry/official"
OURS = "dev.gatehouse/registry"
KEY_HEADER = "Gatehouse-Subscription-Key"
FAST_TOOLS = {
    "echo", "add", "search", "progress", "ask", "elicit_name", "list_roots", "log", "wait", "cancelled", "started",
    "whoami", "touch", "state",
}  # fmt: skip
GATEWAY_TOOLS = {"alpha": {"echo", "add"}, "beta": {"search"}, "gamma": FAST_TOOLS}
CHANGE_TIMEOUT = 10  # seconds for a CLI change to show in the gateway's answers
PROBE_INTERVAL_MINUTES = 0.02  # probe_world: 1.2 s between probes
PROBE_TIMEOUT = 10  # the engine's probe timeout (RegistryConfiguration.probeTimeout), not configurable by serve
MCP_TIMEOUT = 30


# =====================================================================================================
# The schema
# =====================================================================================================

SCHEMA = json.loads((HERE / "registry_schema.json").read_text())
SCHEMA_ID = SCHEMA["$id"]
SCHEMAS = Registry().with_resource(SCHEMA_ID, Resource.from_contents(SCHEMA))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# jsonschema asserts `uri` and `date-time` only with optional packages installed: these checkers make sure they are.
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme)) and bool(parts.netloc or parts.path) and not re.search(r"\s", value)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def schema_errors(definition: str, instance: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"{SCHEMA_ID}#/$defs/{definition}"}, registry=SCHEMAS, format_checker=FORMATS
    )
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def check(definition: str, instance: Any) -> Any:
    errors = schema_errors(definition, instance)
    assert not errors, f"breaks {definition}:\n" + "\n".join(errors[:10]) + f"\n{json.dumps(instance)[:1500]}"
    return instance


def names(page: dict) -> set[str]:
    return {item["server"]["name"] for item in page["servers"]}


def quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def tokens(header: str | None) -> set[str]:
    return {t.strip().lower() for t in (header or "").split(",") if t.strip()}


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# =====================================================================================================
# Gateways
# =====================================================================================================


@dataclass
class Gateway:
    serve: Process
    port: int
    db: Path
    env: dict[str, str]
    work: Path
    http: httpx2.Client
    externals: set[str] = field(default_factory=set)  # live external entries the tests registered

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str):
        return run_cli(*args, "--db", str(self.db), env=self.env)

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def get(self, path: str, headers: dict[str, str] | None = None, **params: str) -> httpx2.Response:
        return self.http.get(path, headers=headers or {}, params=params or None)

    def listing(self, headers: dict[str, str] | None = None, **params: str) -> dict:
        """The whole list in one page (at most 100 items), checked against the schema."""
        r = self.get("/v0.1/servers", headers, limit="100", **params)
        assert r.status_code == 200, f"{r.status_code} {r.text[:500]}"
        page = check("ServerList", r.json())
        assert "nextCursor" not in page["metadata"], "the test's lists fit in one page of 100"
        return page

    def item(self, name: str, **params: str) -> dict:
        matches = [i for i in self.listing(**params)["servers"] if i["server"]["name"] == name]
        assert len(matches) == 1, f"{name}: {len(matches)} items"
        return matches[0]

    def add_external(self, name: str, url: str, *extra: str) -> None:
        self.cli("registry", "add", name, "--url", url, *extra)
        self.externals.add(name)

    def gateway_names(self) -> set[str]:
        return {f"{NAMESPACE}/{s}" for s in GATEWAY_TOOLS}

    def expected(self) -> set[str]:
        """Every name the anonymous list must show."""
        return self.gateway_names() | self.externals



def fast_upstream(name: str, work: Path, port: int = 0) -> Process:
    return start_announcing(name, [sys.executable, str(UPSTREAMS_DIR / "fastmcp_server.py"), "--port", str(port)], work)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper) -> Iterator[Gateway]:
    require_binary()
    env = loopback_env()
    work = tmp_path_factory.mktemp("registry")
    db = work / "gatehouse.sqlite"
    env["GATEHOUSE_DB"] = str(db)
    fast_port = announced_port(reaper.add(fast_upstream("registry-upstream", work)))
    config = {
        "upstreams": [{"name": "fast", "url": f"http://127.0.0.1:{fast_port}/mcp", "transport": "streamable", "allowPrivateNetwork": True}],
        "servers": [
            {"name": "alpha", "basePath": "alpha", "upstreams": [{"upstream": "fast", "tools": ["echo", "add"]}]},
            {"name": "beta", "basePath": "beta", "upstreams": [{"upstream": "fast", "tools": ["search"]}], "requireSubscription": True},
            {"name": "gamma", "basePath": "gamma", "upstreams": [{"upstream": "fast"}]},
        ],
    }
    config_file = work / "config.yaml"
    config_file.write_text(json.dumps(config, indent=2))  # JSON is YAML
    run_cli("apply", "-f", str(config_file), "--db", str(db), env=env)
    serve, port = start_serve(
        db, work, env, "serve-registry", "--registry-namespace", NAMESPACE, "--registry-probe-interval", "0"
    )
    reaper.add(serve)
    http = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, trust_env=False)
    g = Gateway(serve=serve, port=port, db=db, env=env, work=work, http=http)

    def settled() -> bool:
        # The engine discovers the upstream's tools at start; until then gateway entries list none.
        tools = {
            i["server"]["_meta"][OURS]["server"]: set(i["server"]["_meta"][OURS]["tools"]["names"])
            for i in g.listing()["servers"]
            if i["server"]["_meta"][OURS]["kind"] == "gateway"
        }
        return tools == GATEWAY_TOOLS

    try:
        poll(settled, 30, "gateway entries list their servers' tools")
        yield g
    finally:
        http.close()


@pytest.fixture(scope="module")
def keys(world: Gateway) -> dict[str, str]:
    """Subscription keys, created through the CLI while the gateway runs: `alpha` opens server alpha only, `all`
    every server."""
    created = {
        "alpha": world.cli_json("subscription", "create", "registry-alpha-only", "--servers", "alpha")["key"],
        "all": world.cli_json("subscription", "create", "registry-all-servers")["key"],
    }
    for label, key in created.items():
        poll(
            lambda: world.get("/v0.1/servers", {KEY_HEADER: key}).status_code == 200,
            CHANGE_TIMEOUT,
            f"the gateway accepts subscription key '{label}'",
        )
    return created


# =====================================================================================================
# 1. The list, page by page
# =====================================================================================================


def test_list_pages_through_every_entry_by_cursor_and_matches_the_schema(world: Gateway) -> None:
    world.add_external("com.example.walk/one", "https://one.example.com/mcp", "--description", "First walked entry")
    world.add_external("com.example.walk/one", "https://one.example.com/mcp", "--version", "1.1.0")
    world.add_external("com.example.walk/two", "https://two.example.com/sse", "--transport", "sse", "--title", "Two")

    seen: list[tuple[str, str]] = []
    cursor: str | None = None
    for _ in range(100):  # bounded: each page holds one item
        params = {"limit": "1"} if cursor is None else {"limit": "1", "cursor": cursor}
        r = world.get("/v0.1/servers", **params)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == "application/json"
        page = check("ServerList", r.json())
        assert len(page["servers"]) == 1 and page["metadata"]["count"] == 1, page["metadata"]
        seen.append((page["servers"][0]["server"]["name"], page["servers"][0]["server"]["version"]))
        cursor = page["metadata"].get("nextCursor")
        if not cursor:
            break
    else:
        pytest.fail("the cursor walk did not end within 100 pages")

    assert len(seen) == len(set(seen)), f"an entry came twice: {seen}"
    assert {name for name, _ in seen} == world.expected()
    assert {v for n, v in seen if n == "com.example.walk/one"} == {"1.0.0", "1.1.0"}, "every version is listed"

    # One big page holds the same items, in the same order; older clients get the same under /v0.
    whole = world.listing()
    assert [(i["server"]["name"], i["server"]["version"]) for i in whole["servers"]] == seen
    assert whole["metadata"]["count"] == len(seen)
    legacy = world.get("/v0/servers", limit="100")
    assert legacy.status_code == 200, legacy.text
    assert check("ServerList", legacy.json())["servers"] == whole["servers"]

    latest = world.listing(version="latest")
    latest_pairs = [(i["server"]["name"], i["server"]["version"]) for i in latest["servers"]]
    assert sorted(n for n, _ in latest_pairs) == sorted(world.expected()), "version=latest: one item per name"
    assert ("com.example.walk/one", "1.1.0") in latest_pairs
    assert all(i["_meta"][OFFICIAL]["isLatest"] for i in latest["servers"])

    # Gateway entries point at this gateway; a server that needs a key declares the header as a secret input.
    by_name = {i["server"]["name"]: i["server"] for i in latest["servers"]}
    alpha = by_name[f"{NAMESPACE}/alpha"]
    assert {(r["type"], r["url"]) for r in alpha["remotes"]} == {
        ("streamable-http", f"{world.origin}/alpha/mcp"),
        ("sse", f"{world.origin}/alpha/sse"),
    }
    assert alpha["_meta"][OURS]["kind"] == "gateway" and alpha["_meta"][OURS]["tools"]["count"] == 2
    for remote in by_name[f"{NAMESPACE}/beta"]["remotes"]:
        assert [(h["name"], h.get("isSecret"), h.get("isRequired")) for h in remote["headers"]] == [(KEY_HEADER, True, True)]
    assert "headers" not in alpha["remotes"][0]
    two = by_name["com.example.walk/two"]
    assert two["remotes"] == [{"type": "sse", "url": "https://two.example.com/sse"}] and two["title"] == "Two"
    assert two["_meta"][OURS]["kind"] == "external"

    # The schema is not vacuous: it refuses what the specification refuses.
    item = next(i for i in whole["servers"] if i["server"]["name"] == f"{NAMESPACE}/beta")
    broken = {
        "description over 100 characters": ("server", "description", "x" * 101),
        "name without a namespace": ("server", "name", "no-slash"),
        "version 'latest'": ("server", "version", "latest"),
        "$schema not a URI": ("server", "$schema", "not a uri"),
        "unknown status": ("_meta", OFFICIAL, {**item["_meta"][OFFICIAL], "status": "gone"}),
        "publishedAt not RFC 3339": ("_meta", OFFICIAL, {**item["_meta"][OFFICIAL], "publishedAt": "yesterday"}),
    }
    for what, (part, key, value) in broken.items():
        bad = copy.deepcopy(item)
        bad[part][key] = value
        assert schema_errors("ServerResponse", bad), f"the schema accepts a {what}"
    bad = copy.deepcopy(item)
    bad["server"]["remotes"][0]["type"] = "websocket"
    assert schema_errors("ServerResponse", bad), "the schema accepts a websocket remote"
    bad = copy.deepcopy(item)
    del bad["server"]["remotes"][0]["headers"][0]["name"]
    assert schema_errors("ServerResponse", bad), "the schema accepts a header without a name"


# =====================================================================================================
# 2. CORS
# =====================================================================================================


def test_cors_preflights_are_answered_and_every_answer_allows_any_origin(world: Gateway) -> None:
    preflight = {
        "Origin": "vscode-file://vscode-app",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    for path in ("/v0.1/servers", f"/v0.1/servers/{quoted(NAMESPACE + '/alpha')}/versions/latest", "/v0/servers"):
        r = world.http.request("OPTIONS", path, headers=preflight)
        assert r.status_code in (200, 204), f"{path}: {r.status_code} {r.text[:200]}"
        assert r.headers.get("access-control-allow-origin") == "*", path
        assert {"get", "options"} <= tokens(r.headers.get("access-control-allow-methods")), r.headers
        assert {"authorization", "content-type"} <= tokens(r.headers.get("access-control-allow-headers")), r.headers

    for path, status in (("/v0.1/servers", 200), ("/v0.1/servers/com.example%2Fnot-here/versions/latest", 404)):
        r = world.get(path, {"Origin": "https://ide.example"})
        assert r.status_code == status, r.text
        assert r.headers.get("access-control-allow-origin") == "*", f"{path}: {dict(r.headers)}"
    assert "etag" in tokens(r.headers.get("access-control-expose-headers")), "browsers may read the ETag"


# =====================================================================================================
# 3. ETag and 304
# =====================================================================================================


def test_etag_answers_304_until_something_changes(world: Gateway) -> None:
    first = world.get("/v0.1/servers")
    assert first.status_code == 200
    etag = first.headers.get("etag")
    assert etag and re.fullmatch(r'"[^"]+"', etag), f"a strong ETag: {etag!r}"
    cache = tokens(first.headers.get("cache-control"))
    assert "public" in cache and any(t.startswith("max-age=") for t in cache), first.headers.get("cache-control")

    cached = world.get("/v0.1/servers", {"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"", cached.status_code
    assert cached.headers.get("etag") == etag
    assert world.get("/v0.1/servers", {"If-None-Match": f"W/{etag}"}).status_code == 304, "weak comparison"
    assert world.get("/v0.1/servers", {"If-None-Match": f'"other", {etag}'}).status_code == 304, "a list of tags"
    assert world.get("/v0.1/servers", {"If-None-Match": '"other"'}).status_code == 200

    # A change through the CLI, on the same database while the gateway runs, changes the answer and its tag.
    world.add_external("com.example.etag/fresh", "https://fresh.example.com/mcp")
    changed = poll(
        lambda: (r := world.get("/v0.1/servers", {"If-None-Match": etag})).status_code == 200 and r,
        CHANGE_TIMEOUT,
        "the list changes after `registry add`",
    )
    second = changed.headers.get("etag")
    assert second and second != etag
    assert "com.example.etag/fresh" in names(changed.json())
    assert world.get("/v0.1/servers", {"If-None-Match": second}).status_code == 304

    # So does a change of what a gateway server's entry says.
    world.cli("registry", "set", "alpha", "--title", "Alpha tools")
    retitled = poll(
        lambda: (r := world.get("/v0.1/servers", {"If-None-Match": second})).status_code == 200 and r,
        CHANGE_TIMEOUT,
        "the list changes after `registry set alpha --title`",
    )
    assert retitled.headers.get("etag") not in (etag, second)
    alpha = next(i for i in retitled.json()["servers"] if i["server"]["name"] == f"{NAMESPACE}/alpha")
    assert alpha["server"]["title"] == "Alpha tools"

    # One entry's URL has its own tag.
    one = world.get(f"/v0.1/servers/{quoted('com.example.etag/fresh')}/versions/latest")
    assert one.status_code == 200 and one.headers.get("etag")
    assert world.get(f"/v0.1/servers/{quoted('com.example.etag/fresh')}/versions/latest", {"If-None-Match": one.headers["etag"]}).status_code == 304


# =====================================================================================================
# 4. updated_since
# =====================================================================================================


def test_updated_since_returns_only_what_changed_including_deletions(world: Gateway) -> None:
    changed, removed, untouched = "com.example.since/changed", "com.example.since/removed", "com.example.since/untouched"
    for name in (changed, removed, untouched):
        world.add_external(name, f"https://{name.split('/')[1]}.example.com/mcp")

    # The mark: a millisecond after the newest change the registry reports (its clock, its precision).
    everything = world.listing(include_deleted="true")
    newest = max(parse_time(i["_meta"][OFFICIAL]["updatedAt"]) for i in everything["servers"])
    mark = newest + dt.timedelta(milliseconds=1)
    since = rfc3339(mark)
    quiet = world.get("/v0.1/servers", updated_since=since)
    assert quiet.status_code == 200 and check("ServerList", quiet.json())["servers"] == [], "nothing changed yet"

    world.cli("registry", "set", changed, "--description", "Changed after the mark")
    world.cli("registry", "remove", removed)
    world.externals.discard(removed)

    def delta() -> dict | None:
        page = world.listing(updated_since=since)
        return page if {changed, removed} <= names(page) else None

    page = poll(delta, CHANGE_TIMEOUT, "updated_since lists the changed and the removed entry")
    assert names(page) == {changed, removed}, "only what changed after the mark"
    by_name = {i["server"]["name"]: i for i in page["servers"]}
    assert by_name[changed]["server"]["description"] == "Changed after the mark"
    assert by_name[changed]["_meta"][OFFICIAL]["status"] == "active"
    assert by_name[removed]["_meta"][OFFICIAL]["status"] == "deleted", "updated_since includes deletions"
    for item in page["servers"]:
        assert parse_time(item["_meta"][OFFICIAL]["updatedAt"]) >= mark

    # The same mark written with an offset selects the same entries.
    with_offset = mark.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat(timespec="milliseconds")
    assert names(world.listing(updated_since=with_offset)) == {changed, removed}, with_offset

    # Without updated_since the removed entry is gone, unless deleted entries are asked for.
    assert removed not in names(world.listing())
    assert world.item(removed, include_deleted="true")["_meta"][OFFICIAL]["status"] == "deleted"
    assert untouched in names(world.listing())

    bad = world.get("/v0.1/servers", updated_since="yesterday")
    assert bad.status_code == 400 and check("Error", bad.json())


# =====================================================================================================
# 5. Versions
# =====================================================================================================


def test_versions_latest_and_not_found(world: Gateway) -> None:
    name = "com.example.versions/multi"
    for version in ("1.0.0", "1.10.0", "1.9.0", "0.9.0+build.5"):
        world.add_external(name, "https://multi.example.com/mcp", "--version", version)
    base = f"/v0.1/servers/{quoted(name)}"

    r = world.get(f"{base}/versions")
    assert r.status_code == 200, r.text
    versions = check("ServerList", r.json())["servers"]
    assert [i["server"]["version"] for i in versions] == ["1.10.0", "1.9.0", "1.0.0", "0.9.0+build.5"], "newest first"
    assert [i["_meta"][OFFICIAL]["isLatest"] for i in versions] == [True, False, False, False]

    latest = world.get(f"{base}/versions/latest")
    assert latest.status_code == 200, latest.text
    assert check("ServerResponse", latest.json())["server"]["version"] == "1.10.0"
    assert latest.json()["_meta"][OFFICIAL]["isLatest"] is True

    exact = world.get(f"{base}/versions/{quoted('0.9.0+build.5')}")
    assert exact.status_code == 200, exact.text
    assert check("ServerResponse", exact.json())["server"]["version"] == "0.9.0+build.5"
    assert exact.json()["_meta"][OFFICIAL]["isLatest"] is False

    legacy = world.get(f"/v0/servers/{quoted(name)}")
    assert legacy.status_code == 200 and check("ServerResponse", legacy.json())["server"]["version"] == "1.10.0"

    gateway = world.get(f"/v0.1/servers/{quoted(NAMESPACE + '/gamma')}/versions/latest")
    assert gateway.status_code == 200 and check("ServerResponse", gateway.json())["server"]["name"] == f"{NAMESPACE}/gamma"

    for path, message in (
        (f"/v0.1/servers/{quoted('com.example/nothing-here')}/versions", "Server not found"),
        (f"/v0.1/servers/{quoted('com.example/nothing-here')}/versions/latest", "Server not found"),
        (f"/v0.1/servers/{quoted('com.example/nothing-here')}/versions/1.0.0", None),
        (f"{base}/versions/9.9.9", None),
    ):
        missing = world.get(path)
        assert missing.status_code == 404, f"{path}: {missing.status_code}"
        assert missing.headers["content-type"].split(";")[0] == "application/json"
        body = check("Error", missing.json())
        assert message is None or body["error"] == message, body

    # A removed version drops out of the versions and of `latest`; include_deleted shows it as deleted.
    world.cli("registry", "remove", name, "--version", "1.10.0")
    poll(
        lambda: world.get(f"{base}/versions/latest").json()["server"]["version"] == "1.9.0",
        CHANGE_TIMEOUT,
        "latest moves to 1.9.0 after 1.10.0 is removed",
    )
    assert [i["server"]["version"] for i in world.get(f"{base}/versions").json()["servers"]] == ["1.9.0", "1.0.0", "0.9.0+build.5"]
    with_deleted = check("ServerList", world.get(f"{base}/versions", include_deleted="true").json())["servers"]
    assert {i["server"]["version"]: i["_meta"][OFFICIAL]["status"] for i in with_deleted}["1.10.0"] == "deleted"
    assert world.get(f"{base}/versions/1.10.0").status_code == 404


# =====================================================================================================
# 6. Visibility by subscription
# =====================================================================================================


def test_a_subscription_sees_the_servers_it_opens_and_every_external_entry(world: Gateway, keys: dict[str, str]) -> None:
    alpha = f"{NAMESPACE}/alpha"
    assert names(world.listing()) == world.expected(), "anonymous callers (loopback bind) see every entry"
    assert names(world.listing({KEY_HEADER: keys["all"]})) == world.expected()
    scoped = names(world.listing({KEY_HEADER: keys["alpha"]}))
    assert scoped == {alpha} | world.externals, "a key for alpha sees alpha and the external entries only"

    personal = world.get("/v0.1/servers", {KEY_HEADER: keys["alpha"]})
    assert tokens(personal.headers.get("cache-control")) & {"private"}, personal.headers.get("cache-control")
    assert KEY_HEADER.lower() in tokens(personal.headers.get("vary"))
    for server, status in (("alpha", 200), ("beta", 404), ("gamma", 404)):
        r = world.get(f"/v0.1/servers/{quoted(f'{NAMESPACE}/{server}')}/versions/latest", {KEY_HEADER: keys["alpha"]})
        assert r.status_code == status, f"{server}: {r.status_code}"
        if status == 404:
            check("Error", r.json())
    wrong = world.get("/v0.1/servers", {KEY_HEADER: "ghk_not-a-key"})
    assert wrong.status_code == 401 and check("Error", wrong.json())

    # The registry itself can require a key: anonymous callers are then refused, on the API and on /registry/mcp.
    world.cli("registry", "access", "--require-subscription", "on")
    try:
        refused = poll(
            lambda: (r := world.get("/v0.1/servers")).status_code == 401 and r,
            CHANGE_TIMEOUT,
            "anonymous reading is refused once a subscription is required",
        )
        check("Error", refused.json())
        assert refused.headers.get("access-control-allow-origin") == "*"
        assert names(world.listing({KEY_HEADER: keys["alpha"]})) == scoped
        initialize = {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "interop", "version": "1"}},
        }  # fmt: skip
        mcp_headers = {"Accept": "application/json, text/event-stream"}
        assert world.http.post("/registry/mcp", json=initialize, headers=mcp_headers).status_code == 401
        assert world.http.post("/registry/mcp", json=initialize, headers={**mcp_headers, KEY_HEADER: keys["alpha"]}).status_code == 200
    finally:
        world.cli("registry", "access", "--require-subscription", "off")
        poll(lambda: world.get("/v0.1/servers").status_code == 200, CHANGE_TIMEOUT, "anonymous reading is back")


# =====================================================================================================
# 7. /registry/mcp through the official SDK
# =====================================================================================================


def with_registry_session(world: Gateway, fn, headers: dict[str, str] | None = None):
    async def main():
        with anyio.fail_after(2 * MCP_TIMEOUT):
            async with httpx2.AsyncClient(headers=headers or {}, timeout=MCP_TIMEOUT, trust_env=False) as http:
                async with streamable_http_client(f"{world.origin}/registry/mcp", http_client=http) as (read, write):
                    async with ClientSession(read, write, read_timeout_seconds=MCP_TIMEOUT) as session:
                        await session.initialize()
                        return await fn(session)

    return run_async(main)


def structured(result) -> dict:
    assert not result.is_error, result
    assert len(result.content) == 1 and result.content[0].type == "text", result
    assert json.loads(result.content[0].text) == result.structured_content, "the text block is the structured result"
    return result.structured_content


def test_registry_mcp_search_and_get_through_the_python_sdk(world: Gateway, keys: dict[str, str]) -> None:
    alpha, gamma = f"{NAMESPACE}/alpha", f"{NAMESPACE}/gamma"

    async def anonymous(session: ClientSession) -> None:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert {"registry_search", "registry_get"} <= set(tools), sorted(tools)
        assert tools["registry_get"].input_schema["required"] == ["name"]
        assert tools["registry_search"].annotations and tools["registry_search"].annotations.read_only_hint is True

        found = structured(await session.call_tool("registry_search", {"query": "alpha"}))
        assert [s["name"] for s in found["servers"]] == [alpha]
        summary = found["servers"][0]
        assert summary["kind"] == "gateway" and summary["toolCount"] == 2 and summary["status"] == "active"
        assert {"type": "streamable-http", "url": f"{world.origin}/alpha/mcp"} in summary["endpoints"]

        external = structured(await session.call_tool("registry_search", {"kind": "external", "limit": 100}))
        assert {s["name"] for s in external["servers"]} == world.externals
        assert all(s["kind"] == "external" for s in external["servers"])

        got = structured(await session.call_tool("registry_get", {"name": alpha}))
        assert got["server"]["name"] == alpha and got["registry"]["isLatest"] is True
        assert set(got["tools"]) == GATEWAY_TOOLS["alpha"]
        assert {"type": "streamable-http", "url": f"{world.origin}/alpha/mcp"} in got["endpoints"]
        assert "state" in got["health"]
        check("ServerDetail", got["server"])

        missing = await session.call_tool("registry_get", {"name": "com.example/not-registered"})
        assert missing.is_error and "com.example/not-registered" in missing.content[0].text
        invalid = await session.call_tool("registry_search", {"limit": 0})
        assert invalid.is_error, "arguments are checked against the input schema"

    with_registry_session(world, anonymous)

    async def scoped(session: ClientSession) -> None:
        found = structured(await session.call_tool("registry_search", {"kind": "gateway"}))
        assert [s["name"] for s in found["servers"]] == [alpha], "a key for alpha finds alpha only"
        hidden = await session.call_tool("registry_get", {"name": gamma})
        assert hidden.is_error

    with_registry_session(world, scoped, headers={KEY_HEADER: keys["alpha"]})


# =====================================================================================================
# 8. Health probes of a real upstream
# =====================================================================================================


@dataclass
class ProbeWorld:
    gateway: Gateway
    reaper: Reaper
    upstream: Process
    upstream_port: int

    def stop_upstream(self) -> None:
        self.upstream.stop()

    def start_upstream(self) -> None:
        """Starts the upstream again on the port it had."""
        self.upstream = self.reaper.add(fast_upstream("probe-upstream-again", self.gateway.work, self.upstream_port))
        assert announced_port(self.upstream) == self.upstream_port


@pytest.fixture(scope="module")
def probe_world(tmp_path_factory: pytest.TempPathFactory, reaper: Reaper) -> Iterator[ProbeWorld]:
    require_binary()
    env = loopback_env()
    work = tmp_path_factory.mktemp("registry-probe")
    db = work / "gatehouse.sqlite"
    env["GATEHOUSE_DB"] = str(db)
    upstream = reaper.add(fast_upstream("probe-upstream", work))
    upstream_port = announced_port(upstream)
    serve, port = start_serve(db, work, env, "serve-registry-probe", "--registry-probe-interval", str(PROBE_INTERVAL_MINUTES))
    reaper.add(serve)
    http = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, trust_env=False)
    try:
        yield ProbeWorld(Gateway(serve=serve, port=port, db=db, env=env, work=work, http=http), reaper, upstream, upstream_port)
    finally:
        http.close()


def changes(shown: dict) -> list[str]:
    """The changes recorded in an entry's health history (`registry show --json`), newest first."""
    return [h["change"] for h in shown["health"].get("history", []) if h.get("change")]


def test_health_probes_follow_an_upstream_going_down_and_coming_back(probe_world: ProbeWorld) -> None:
    g = probe_world.gateway
    name = "com.example.probe/fast"
    g.add_external(name, f"http://127.0.0.1:{probe_world.upstream_port}/mcp", "--allow-private-network", "--description", "A FastMCP upstream")

    def health(state: str):
        def check_state():
            shown = g.cli_json("registry", "show", name)
            return shown if shown["health"]["state"] == state else None

        return check_state

    up = poll(health("reachable"), CHANGE_TIMEOUT, "the engine probes a new entry at once", interval=0.2)
    assert up["toolCount"] == len(FAST_TOOLS) and set(up["tools"]) == FAST_TOOLS
    assert "interop-fast" in up["health"]["detail"], up["health"]
    listed = g.item(name)["server"]["_meta"][OURS]["health"]
    assert listed["state"] == "reachable" and listed["toolCount"] == len(FAST_TOOLS), listed

    probe_world.stop_upstream()
    # At most one interval to the next probe, then that probe's own timeout.
    down = poll(health("unreachable"), 2 + PROBE_TIMEOUT + 5, "a probe finds the upstream gone", interval=0.2)
    listed = g.item(name)["server"]["_meta"][OURS]["health"]
    assert listed["state"] == "unreachable", listed
    assert listed["toolCount"] == len(FAST_TOOLS), "the tools last seen are kept"
    assert "lastReachableAt" in listed
    assert "state: reachable → unreachable" in changes(down), down["health"]["history"][:3]

    probe_world.start_upstream()
    back = poll(health("reachable"), 2 + PROBE_TIMEOUT + 5, "a probe finds the upstream back", interval=0.2)
    history = changes(back)  # newest first
    assert "state: unreachable → reachable" in history and "state: reachable → unreachable" in history, history
    assert history.index("state: unreachable → reachable") < history.index("state: reachable → unreachable")
    assert back["toolCount"] == len(FAST_TOOLS)
    assert g.item(name)["server"]["_meta"][OURS]["health"]["state"] == "reachable"


def closed_port() -> int:
    """A loopback port nothing listens on (checked: a connection to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
    return port


def test_a_probe_of_a_refused_connection_fails_at_once(world: Gateway) -> None:
    """A refused connection is unreachable at once (the outbound client does not retry connecting until the
    deadline), so one dead target never holds back the probes of the others."""
    name = "com.example.probe/refused"
    world.add_external(name, f"http://127.0.0.1:{closed_port()}/mcp", "--allow-private-network")
    try:
        started = time.monotonic()
        [outcome] = world.cli_json("registry", "probe", name, "--timeout", "4")
        elapsed = time.monotonic() - started
        assert outcome["state"] == "unreachable", outcome
        assert elapsed < 2 and outcome["latencyMs"] < 2000, f"{elapsed:.1f} s: {outcome}"
        assert "did not answer" not in outcome["detail"], outcome
    finally:
        world.cli("registry", "remove", name)
        world.externals.discard(name)


# =====================================================================================================
# 9. Import
# =====================================================================================================


def test_import_lands_entries_pending_and_applies_deletions(world: Gateway) -> None:
    doomed, fresh = "com.example.import/doomed", "org.example.import/fresh"
    world.add_external(doomed, "https://doomed.example.com/mcp")
    stamp = "2025-11-20T10:00:00.000Z"
    schema_url = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    source = {
        "servers": [
            {
                "server": {
                    "$schema": schema_url, "name": fresh, "description": "Imported from another registry", "version": "2.1.0",
                    "remotes": [{
                        "type": "streamable-http", "url": "https://fresh.example.org/mcp",
                        "headers": [{"name": "X-Api-Key", "description": "Your API key", "isRequired": True, "isSecret": True}],
                    }],
                },
                "_meta": {OFFICIAL: {"status": "active", "publishedAt": stamp, "updatedAt": stamp, "isLatest": True}},
            },
            {
                "server": {
                    "$schema": schema_url, "name": doomed, "description": "Removed at the source", "version": "1.0.0",
                    "remotes": [{"type": "streamable-http", "url": "https://doomed.example.com/mcp"}],
                },
                "_meta": {OFFICIAL: {"status": "deleted", "statusChangedAt": stamp, "publishedAt": stamp, "updatedAt": stamp, "isLatest": True}},
            },
        ],
        "metadata": {"count": 2},
    }  # fmt: skip
    check("ServerList", source)
    file = world.work / "import.json"
    file.write_text(json.dumps(source, indent=2))

    outcome = world.cli_json("registry", "import", str(file))
    assert outcome["added"] == [f"{fresh}@2.1.0"] and outcome["removed"] == [f"{doomed}@1.0.0"], outcome
    assert outcome["changed"] == [] and outcome["skipped"] == [], outcome
    world.externals.discard(doomed)

    # The deleted one is gone (a tombstone for clients that sync); the new one waits for approval, unserved.
    poll(lambda: doomed not in names(world.listing()), CHANGE_TIMEOUT, "the entry the source deleted leaves the list")
    assert world.item(doomed, include_deleted="true")["_meta"][OFFICIAL]["status"] == "deleted"
    assert fresh not in names(world.listing(include_deleted="true")), "a pending import is not served"
    assert world.get(f"/v0.1/servers/{quoted(fresh)}/versions/latest").status_code == 404
    rows = {(r["name"], r["version"]): r for r in world.cli_json("registry", "list")}
    assert rows[(fresh, "2.1.0")]["approval"] == "pending", rows.get((fresh, "2.1.0"))

    world.cli("registry", "approve", fresh)
    world.externals.add(fresh)
    served = poll(
        lambda: (r := world.get(f"/v0.1/servers/{quoted(fresh)}/versions/latest")).status_code == 200 and r.json(),
        CHANGE_TIMEOUT,
        "the approved import is served",
    )
    check("ServerResponse", served)
    assert served["_meta"][OFFICIAL]["status"] == "active"
    assert served["server"]["remotes"] == source["servers"][0]["server"]["remotes"]
    assert names(world.listing()) == world.expected()

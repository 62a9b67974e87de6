"""The console's "remember more, show more" views driven in tmux with the real binary, attached to a headless
`gatehouse serve` that the official MCP SDK has called more often than the console keeps in memory: the stored
history reaching a record older than the in-memory ring, the follow marker, sorting, the Traffic screen's latency
histogram, and a subscription created from the console whose key (shown once) a real client then uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import pytest
from mcp.client import ClientSession
from mcp.client.streamable_http import streamable_http_client

from harness import GATEHOUSE_BIN, Process, http_request, loopback_env, poll, require_binary, run_async, run_cli, start_pets_gateway
from tmux_pane import Pane, needs_tmux

pytestmark = needs_tmux

#: More calls than the console's in-memory ring (500 records) holds.
CALLS = 540


class World:
    def __init__(self, work: Path, env: dict[str, str], db: Path, serve: Process, port: int) -> None:
        self.work, self.env, self.db, self.serve, self.port = work, env, db, serve, port
        self.panes: list[Pane] = []

    def console(self, name: str) -> Pane:
        p = Pane(self.work, name, [str(GATEHOUSE_BIN), "console", "--db", str(self.db), "--attach"], self.env, width=120, height=36)
        self.panes.append(p)
        p.wait_for("the attached console", lambda s: "ATTACHED" in s)
        return p


async def call_many(port: int) -> None:
    """One getPetById call first (the oldest record), then CALLS listPets calls, in one SDK session."""
    with anyio.fail_after(120):
        async with streamable_http_client(f"http://127.0.0.1:{port}/pets/mcp") as (read, write):
            async with ClientSession(read, write, read_timeout_seconds=30) as session:
                await session.initialize()
                first = await session.call_tool("getPetById", {"petId": 1})
                assert not first.is_error, first
                for _ in range(CALLS):
                    r = await session.call_tool("listPets", {"limit": 2})
                    assert not r.is_error, r


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, reaper):
    require_binary()
    work = tmp_path_factory.mktemp("views")
    env = loopback_env()
    g = start_pets_gateway(work, env, reaper)
    run_async(lambda: call_many(g.port))
    w = World(work, env, g.db, g.serve, g.port)
    yield w
    for p in w.panes:
        p.close()


def test_the_stored_history_reaches_a_record_older_than_the_ring(world: World):
    pane = world.console("history")
    pane.send("4")
    pane.wait_for("the live requests", lambda s: "listPets" in s)
    # Live, the first call has left the ring: filtering for it (in the request log's filter language) finds nothing.
    pane.send("/")
    pane.send(*"tool:getPetById")
    pane.send("Enter")
    pane.wait_for("nothing live matches", lambda s: "filter: tool:getPetById" in s and not re.search(r"tools/call\s+getPetById", s))
    # H: the stored log, with the same filter applied in SQL, has it.
    pane.send("H")
    pane.wait_for("the oldest call in the stored history", lambda s: re.search(r"tools/call\s+getPetById", s) is not None)
    pane.send("H")
    pane.wait_for("live again", lambda s: "[HISTORY]" not in s and "STORED HISTORY" not in s and "<H> History" in s)
    pane.send("q")
    assert pane.exit_status() == 0
    assert world.serve.popen.poll() is None, "detaching left the engine serving"


def test_the_follow_marker_and_sorting(world: World):
    pane = world.console("follow")
    pane.send("4")
    pane.wait_for("the live requests", lambda s: "listPets" in s)
    pane.send("j", "j")
    pane.wait_for("the follow marker", lambda s: "following paused" in s and "g resumes" in s)
    pane.send("g")
    pane.wait_for("following again", lambda s: "following paused" not in s)
    pane.send(">")
    pane.wait_for("sorted by the first column", lambda s: re.search(r"sorted by \S+ ▲", s) is not None)
    pane.send(">")
    pane.wait_for("and the other way", lambda s: re.search(r"sorted by \S+ ▼", s) is not None)
    pane.send("q")
    assert pane.exit_status() == 0


def test_the_mouse_switches_tabs_scrolls_and_opens(world: World):
    pane = world.console("mouse")
    screen = pane.wait_for("the tabs", lambda s: "4 Requests" in s)
    tabs = screen.split("\n")[1]
    pane.mouse("click", tabs.index("4 Requests") + 2, 1)
    pane.wait_for("the requests tab, by a click", lambda s: "[4 Requests]" in s and "listPets" in s)
    pane.mouse("down", 20, 10)
    pane.wait_for("the wheel moved the cursor off the newest row", lambda s: "following paused" in s)
    pane.mouse("double", 20, 6)
    pane.wait_for("a double click opened a request", lambda s: "REQUEST" in s or "Arguments" in s)
    pane.send("q")
    assert pane.exit_status() == 0


def test_the_traffic_page_shows_the_latency_histogram(world: World):
    pane = world.console("traffic")
    pane.send(":")
    pane.send(*"traffic")
    pane.send("Enter")
    pane.wait_for("listPets in the traffic figures", lambda s: "listPets" in s and "by tool" in s)
    # The most-called tool is the first row: open it.
    pane.send("Enter")
    screen = pane.wait_for("the histogram", lambda s: "TOOL  listPets" in s and "CUMULATIVE" in s and "← p95" in s)
    assert f"Calls {CALLS:,}" in screen, screen
    assert "100.0%" in screen
    pane.send("q")
    assert pane.exit_status() == 0


def test_a_subscription_created_in_the_console_opens_a_server_with_the_key_shown_once(world: World):
    run_cli("server", "set", "pets", "--require-subscription", "true", "--db", str(world.db), env=world.env)
    pane = world.console("subscription")
    pane.send("7")
    pane.wait_for("the subscriptions screen", lambda s: "No subscriptions: n creates one" in s)
    pane.send("n")
    pane.wait_for("the form", lambda s: "New subscription" in s)
    pane.send(*"tmux-bot")
    pane.send("Enter")
    screen = pane.wait_for("the key, shown once", lambda s: "Subscription key" in s and re.search(r"ghk_[A-Za-z0-9_-]{43}", s) is not None)
    key = re.search(r"ghk_[A-Za-z0-9_-]{43}", screen).group(0)
    assert "Shown only now" in screen
    pane.send("q")  # a stray q does not close the dialog, nor quit
    assert not pane.dead()
    assert key in pane.screen()
    pane.send("Enter")
    pane.wait_for("the dialog closed", lambda s: "cannot be shown again" in s and key not in s)

    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "sub-test", "version": "1"}}}  # fmt: skip
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

    def status(extra: dict[str, str]) -> int:
        return http_request(world.port, "POST", "/pets/mcp", init, {**headers, **extra}).status

    assert status({}) == 401
    assert status({"Gatehouse-Subscription-Key": "ghk_" + "x" * 43}) == 401
    # The engine picks the change up within its reload interval; the key opens the server.
    poll(lambda: status({"Gatehouse-Subscription-Key": key}) == 200, 10, "the new key accepted")
    listed = run_cli("subscription", "list", "--db", str(world.db), env=world.env).stdout
    assert "tmux-bot" in listed and key not in listed and "…" + key[-4:] in listed
    pane.send("q")
    assert pane.exit_status() == 0


def test_a_theme_file_with_an_unknown_colour_is_refused_before_anything_starts(world: World, tmp_path: Path):
    bad = tmp_path / "theme.yaml"
    bad.write_text("ok: green\ncrit: crimson\n")
    db = tmp_path / "theme.sqlite"
    pane = Pane(world.work, "theme", [str(GATEHOUSE_BIN), "console", "--db", str(db), "--listen", "127.0.0.1:0", "--theme", str(bad)], world.env)
    world.panes.append(pane)
    assert pane.exit_status() == 1
    assert "line 2: crit: unknown colour or attribute 'crimson'" in pane.transcript().replace("\n", "")
    assert not db.exists(), "nothing was started or created"
    good = tmp_path / "good.yaml"
    good.write_text("tabActive: { color: magenta, reverse: true }\n")
    pane = Pane(world.work, "theme-ok", [str(GATEHOUSE_BIN), "console", "--db", str(db), "--listen", "127.0.0.1:0", "--theme", str(good)], world.env)
    world.panes.append(pane)
    pane.wait_for("Welcome to Gatehouse")
    pane.send("q")
    assert pane.exit_status() == 0

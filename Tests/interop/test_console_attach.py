"""The console attached to engines it does not run, and protected from accidents, driven in tmux with the real
binary: a headless `gatehouse serve` watched live while the official MCP SDK calls a tool; a plain console on a
served database attaching instead of fighting for the port; a taken port named with what to do; a bracketed paste
full of keys landing in a form as text; and quitting an embedding console with a client connected asking first.
"""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest
from mcp.client import ClientSession
from mcp.client.streamable_http import streamable_http_client

from harness import GATEHOUSE_BIN, Process, http_request, loopback_env, poll, require_binary, run_async, run_cli, run_cli_unchecked, start_pets_gateway
from tmux_pane import Pane, needs_tmux

pytestmark = needs_tmux


class World:
    def __init__(self, work: Path, env: dict[str, str], db: Path, serve: Process, port: int, backend_port: int) -> None:
        self.work, self.env, self.db, self.serve, self.port, self.backend_port = work, env, db, serve, port, backend_port
        self.panes: list[Pane] = []

    def pane(self, name: str, *args: str) -> Pane:
        p = Pane(self.work, name, [str(GATEHOUSE_BIN), *args], self.env)
        self.panes.append(p)
        return p


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, reaper):
    require_binary()
    work = tmp_path_factory.mktemp("attach")
    env = loopback_env()
    g = start_pets_gateway(work, env, reaper)
    w = World(work, env, g.db, g.serve, g.port, g.backend_port)
    yield w
    for p in w.panes:
        p.close()


def call_list_pets(port: int, limit: int) -> str:
    async def main() -> str:
        with anyio.fail_after(60):
            async with streamable_http_client(f"http://127.0.0.1:{port}/pets/mcp") as (read, write):
                async with ClientSession(read, write, read_timeout_seconds=30) as session:
                    await session.initialize()
                    result = await session.call_tool("listPets", {"limit": limit})
                    assert not result.is_error, result
                    return result.content[0].text if result.content else ""

    return run_async(main)


def test_attach_shows_live_traffic_of_a_headless_serve_and_detaching_leaves_it_serving(world: World):
    pane = world.pane("attached", "console", "--attach", "--db", str(world.db))
    pane.wait_for(f"[ATTACHED pid {world.serve.pid}]")
    screen = pane.screen()
    assert f"http://127.0.0.1:{world.port}" in screen, screen
    pane.send("4")
    pane.wait_for("[4 Requests]")
    call_list_pets(world.port, 3)
    screen = pane.wait_for("the call in the attached console's live pane", lambda s: "listPets" in s and "tools/call" in s)
    pane.send("/")
    pane.send("-l", "tool:listPets")
    pane.send("Enter")
    pane.wait_for("the filtered list", lambda s: "filter: tool:listPets" in s and "› " in s and "listPets" in s)
    pane.send("Enter")
    pane.wait_for("the request's detail with its arguments", lambda s: "Tool             listPets" in s and '"limit": 3' in s)
    pane.send("Escape", "q")
    assert pane.exit_status() == 0
    # Detaching never stops the engine: it still answers.
    assert world.serve.popen.poll() is None
    assert call_list_pets(world.port, 1)


def test_plain_console_on_a_served_database_attaches_instead_of_fighting_for_the_port(world: World):
    pane = world.pane("plain", "console", "--db", str(world.db), "--listen", f"127.0.0.1:{world.port}")
    pane.wait_for(f"[ATTACHED pid {world.serve.pid}]")
    assert "<q> Detach" in pane.screen()
    pane.send("q")
    assert pane.exit_status() == 0
    assert world.serve.popen.poll() is None


def test_a_port_taken_by_another_program_is_named_with_what_to_do(world: World, tmp_path: Path):
    # The backend holds this port; the database is a fresh one, so there is nothing to attach to.
    taken = f"127.0.0.1:{world.backend_port}"
    result = run_cli_unchecked("serve", "--db", str(tmp_path / "other.sqlite"), "--listen", taken, env=world.env)
    assert result.returncode == 1, result
    assert f"{taken} is already in use by another program" in result.stderr and "--listen" in result.stderr and "--attach" in result.stderr
    pane = world.pane("taken", "console", "--db", str(tmp_path / "other2.sqlite"), "--listen", taken)
    assert pane.exit_status() == 1
    assert f"{taken} is already in use by another program" in pane.transcript()


def test_a_second_engine_on_the_same_database_names_the_first(world: World):
    result = run_cli_unchecked("serve", "--db", str(world.db), "--listen", "127.0.0.1:0", env=world.env)
    assert result.returncode == 1, result
    assert f"another engine (pid {world.serve.pid}, serve" in result.stderr and "--attach" in result.stderr


def test_a_paste_full_of_keys_is_text_in_a_form_and_nothing_outside_one(world: World, tmp_path: Path):
    pane = world.pane("paste", "console", "--db", str(tmp_path / "paste.sqlite"), "--listen", "127.0.0.1:0")
    pane.wait_for("Welcome to Gatehouse")
    pane.send("i")
    pane.wait_for("Import an API")
    # A second line starting with q (which quits), an ESC 3 g, and a line that would press d (load the demo).
    pane.paste("half a name\nq then \x1b3g more\nd")
    screen = pane.wait_for("the pasted text in the field", lambda s: "half a name q then 3g more d" in s)
    assert not pane.dead()
    pane.send("Escape")
    pane.wait_for("the form closed", lambda s: "─ Import an API" not in s)
    pane.paste("qd")
    pane.wait_for("paste ignored")
    assert not pane.dead()
    assert "demo loaded" not in pane.screen()
    pane.send("q")
    assert pane.exit_status() == 0


def test_quitting_the_embedding_console_with_a_client_connected_asks_first(world: World, tmp_path: Path):
    port_file = tmp_path / "port"
    env = dict(world.env, GATEHOUSE_CONSOLE_PORT_FILE=str(port_file))
    pane = Pane(world.work, "quit", [str(GATEHOUSE_BIN), "console", "--db", str(tmp_path / "quit.sqlite"), "--listen", "127.0.0.1:0"], env)
    world.panes.append(pane)
    pane.wait_for("Welcome to Gatehouse")
    pane.send("d")
    pane.wait_for("demo loaded")
    port = int(poll(lambda: port_file.exists() and port_file.read_text().strip(), 30, "the port file"))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "quit-test", "version": "1"}}}  # fmt: skip
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    reply = http_request(port, "POST", "/demo/mcp", init, headers)
    session = reply.headers["Mcp-Session-Id"]
    assert reply.status == 200 and session, reply
    http_request(port, "POST", "/demo/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"},
                 {**headers, "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"})  # fmt: skip
    pane.wait_for("the footer says quitting stops a client", lambda s: "Quit (stops 1 client)" in s)
    pane.send("q")
    pane.wait_for("Stop serving 1 client?")
    pane.send("n")
    pane.wait_for("cancelled")
    assert not pane.dead()
    pane.send("q")
    pane.wait_for("Stop serving 1 client?")
    pane.send("y")
    assert pane.exit_status() == 0


def test_attaching_to_nothing_says_so(world: World, tmp_path: Path):
    missing = tmp_path / "nobody.sock"
    pane = world.pane("nothing", "console", "--attach", str(missing), "--db", str(world.db))
    assert pane.exit_status() == 1
    assert f"no Gatehouse engine answers on {missing} (nothing is listening)" in pane.transcript()

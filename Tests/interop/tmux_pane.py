"""A terminal for the console: one tmux server on its own socket per pane, 100x30, UTF-8, polled with
`capture-pane` until the expected text shows (a deadline bounds every wait; nothing sleeps to synchronise)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from harness import poll

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
SCREEN_TIMEOUT = 30


class Pane:
    def __init__(self, work: Path, name: str, argv: list[str], env: dict[str, str], width: int = 100, height: int = 30) -> None:
        assert TMUX is not None
        self.socket = str(work / f"{name}.tmux")
        conf = work / f"{name}.tmux.conf"
        conf.write_text("set -g remain-on-exit on\nset -g status off\nset -g default-terminal screen\n")
        assignments = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "screen"}
        keep = {k: v for k, v in env.items() if k in ("PATH", "HOME", "NO_PROXY", "GATEHOUSE_DB", "GATEHOUSE_MASTER_KEY", "GATEHOUSE_CONSOLE_PORT_FILE")}
        command = "exec env -u NO_COLOR " + " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted({**keep, **assignments}.items()))
        command += " " + " ".join(shlex.quote(a) for a in argv)
        self.tmux("-f", str(conf), "new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), command)
        self.pid = int(self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip())

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-S", self.socket, *args], check=True, capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def transcript(self) -> str:
        """Everything the pane printed, scrolled-off lines included, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "main")

    def wait_for(self, what: str, predicate: Callable[[str], bool] | None = None, timeout: float = SCREEN_TIMEOUT) -> str:
        check = predicate or (lambda s: what in s)
        try:
            return poll(lambda: (lambda s: s if check(s) else None)(self.screen()), timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- screen:\n{self.screen()}") from None

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def paste(self, text: str) -> None:
        """Pastes `text` as a terminal does: bracketed, since the console asked for bracketed paste."""
        self.tmux("set-buffer", "-b", "p", text)
        self.tmux("paste-buffer", "-p", "-b", "p", "-t", "main")

    def mouse(self, kind: str, x: int, y: int) -> None:
        """Sends what a terminal sends for a click (`click`, `double`) or a wheel step (`up`, `down`) at column `x`,
        row `y` (from 0): X10 mouse reports, which ncurses reads for tmux's terminal type."""

        def report(button: int) -> list[str]:
            return [f"{b:02x}" for b in b"\x1b[M" + bytes([32 + button, 33 + x, 33 + y])]

        if kind in ("click", "double"):
            hexes = (report(0) + report(3)) * (2 if kind == "double" else 1)
        else:
            hexes = report(64 if kind == "up" else 65)
        self.tmux("send-keys", "-t", "main", "-H", *hexes)

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "main", "#{pane_dead}").strip() == "1"

    def exit_status(self) -> int:
        # tmux marks the pane dead when its terminal closes and learns the status on SIGCHLD, which a server started
        # from a test runner does not always get; then the kernel still holds it in the zombie's /proc stat.
        def status() -> str:
            if not self.dead():
                return ""
            code, signal = self.tmux("display-message", "-p", "-t", "main", "#{pane_dead_status} #{pane_dead_signal}").strip("\n").split(" ")
            return code or (str(128 + int(signal)) if signal else "") or zombie_status(self.pid)

        return int(poll(status, SCREEN_TIMEOUT, "the console exits"))

    def close(self) -> None:
        subprocess.run([TMUX, "-S", self.socket, "kill-server"], capture_output=True, timeout=10)


def zombie_status(pid: int) -> str:
    """The exit status of `pid` while it is an unreaped zombie, as a shell's `$?`; empty otherwise."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()
    if not fields or fields[0] != "Z" or len(fields) < 50:
        return ""
    raw = int(fields[49])
    return str((raw >> 8) & 0xFF if raw & 0x7F == 0 else 128 + (raw & 0x7F))

"""A database the user cannot write (a read-only file in a read-only directory, a backup, a read-only file
system): commands that only read it work, commands that change it fail with one clear line (issue #13, low).

As root, permissions do not apply, so the CLI runs as `nobody` through util-linux's `setpriv`.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import GATEHOUSE_BIN, HERE, require_binary, run_cli

READ_COMMANDS = [
    ["api", "list"],
    ["api", "show", "petstore"],
    ["server", "list"],
    ["server", "show", "pets"],
    ["upstream", "list"],
    ["policy", "list"],
    ["subscription", "list"],
    ["registry", "list"],
    ["logs", "query"],
    ["export"],
]


def as_reader(args: list[str]) -> list[str]:
    """The command run by a user who cannot write the database."""
    if os.geteuid() != 0:
        return args
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop write access")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *args]


def test_read_commands_work_on_a_database_nobody_may_write():
    require_binary()
    env = dict(os.environ)
    # Not under pytest's tmp_path: its parents are private to the user running the tests, and `nobody` must reach it.
    top = Path(tempfile.mkdtemp(prefix="gatehouse-ro-"))
    top.chmod(0o755)
    work = top / "ro"
    work.mkdir()
    db = work / "gatehouse.sqlite"
    run_cli("api", "import", "petstore", "--from", str(HERE / "petstore.yaml"), "--base-url", "https://api.example.com",
            "--db", str(db), env=env)  # fmt: skip
    run_cli("server", "create", "pets", "--api", "petstore", "--all", "--base-path", "pets", "--db", str(db), env=env)
    # Everyone may read and enter; nobody may write.
    for f in work.iterdir():
        f.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    work.chmod(0o555)
    binary = str(GATEHOUSE_BIN)
    try:
        for args in READ_COMMANDS:
            r = subprocess.run(as_reader([binary, *args, "--db", str(db)]), capture_output=True, text=True, timeout=60, env=env)
            assert r.returncode == 0, f"{' '.join(args)} on a read-only database: {r.stderr}"
        listed = subprocess.run(as_reader([binary, "api", "list", "--db", str(db)]), capture_output=True, text=True, timeout=60)
        assert "petstore" in listed.stdout
        # A change is refused with one clear line, and the database is left as it was.
        before = db.read_bytes()
        r = subprocess.run(as_reader([binary, "server", "disable", "pets", "--db", str(db)]), capture_output=True, text=True, timeout=60)
        assert r.returncode != 0
        assert r.stderr.startswith("error:") and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert db.read_bytes() == before
    finally:
        work.chmod(0o755)
        shutil.rmtree(top, ignore_errors=True)

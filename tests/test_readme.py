"""The README's command examples run as written, in order, on a fresh data directory: each ``pivgm`` line of
its "Using it" block exits 0 (``validate`` of the sample file included).

Two things are arranged around the text, not changed in it: ``pivgm serve`` runs in the background (it
serves until stopped) on a free port instead of the 8000 the block names (a shared test machine may have
8000 taken), and the ``pull`` from it follows it there and runs, as its comment says, as another
instance (a second, empty data directory: an instance pulling its own data would pull it twice); and the
``aggregate`` example, whose input is a folder
of individual records a user brings (``removals/``) with optional flags in brackets, is left out.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.backends import environment_for, settings_for
from tests.executable import EXECUTABLE, run_pivgm

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = ("pivgm aggregate",)


def readme_commands() -> list[list[str]]:
    """The ``pivgm`` command lines of the README's "Using it" block (comments dropped, continuations joined)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
    lines = block.replace("\\\n", " ").splitlines()
    kept = [line for line in lines if line.startswith("pivgm ") and not line.startswith(LEFT_OUT)]
    return [shlex.split(line, comments=True) for line in kept]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_examples_run_as_written(tmp_path):
    """Fails if a README example stops working (an option renamed, a sample file missing, a user not made)."""
    commands = readme_commands()
    assert len(commands) >= 15 and ["pivgm", "init"] in commands
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    settings = settings_for(tmp_path / "pivgm-data")
    if settings.database_url:
        pytest.skip("the README's examples use the embedded records (pivgm backup is for SQLite)")
    written = "8000"
    port = str(free_port())
    other = settings_for(tmp_path / "another-instance")
    server = None
    try:
        for command in commands:
            arguments = [port if a == written else re.sub(rf":{written}/", f":{port}/", a) for a in command[1:]]
            if arguments[0] == "serve":
                server = subprocess.Popen(
                    [str(EXECUTABLE), *arguments],
                    cwd=tmp_path,
                    env=environment_for(settings),
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / "serve.log").open("wb"),
                )
                wait_until_serving(f"http://127.0.0.1:{port}", server, tmp_path / "serve.log")
                continue
            on = other if arguments[0] == "pull" else settings
            result = run_pivgm(on, *arguments, cwd=tmp_path, timeout=600)
            assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    assert (tmp_path / "pivgm-2026-11-25.tar.gz").exists()


def wait_until_serving(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert server.poll() is None, f"pivgm serve exited with {server.returncode}: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"{base}/api/dataflows", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("pivgm serve did not answer")

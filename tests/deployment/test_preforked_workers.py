"""`pivgm serve --workers N` imports the application once and forks the workers from it, so they share the
imported modules' memory instead of each importing everything again; every worker answers over HTTP, with
its own connections (opened after the fork), and a worker that dies is replaced the same way. The workers
share one job server (the process upload jobs are forked from), started by the supervisor.

Fails if the workers are started as fresh interpreters again (uvicorn's default: their command line is
``python -c "from multiprocessing.spawn import ..."``, not the supervisor's), or if each worker starts a job
server of its own (seen red: one per worker, each a child of its worker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from pivgm.platform import Platform
from tests.backends import environment_for, settings_for
from tests.deployment.test_concurrency import free_port
from tests.executable import EXECUTABLE

pytestmark = pytest.mark.slow

WORKERS = 2


def children_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""  # it has just ended


def is_job_server(pid: int) -> bool:
    """The process upload jobs are forked from, or the resource tracker that comes with it."""
    return "from multiprocessing." in command_line(pid)


def workers_of(pid: int) -> list[int]:
    """The supervisor's web workers (not its job server)."""
    return [child for child in children_of(pid) if not is_job_server(child)]


def job_servers_under(pid: int) -> list[int]:
    """Every job server in the process tree of ``pid`` (the tracker that comes with it left out)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        children = children_of(current)
        found += [c for c in children if "multiprocessing.forkserver" in command_line(c)]
        pending += children
    return found


def wait_for_workers(pid: int, base: str, count: int, gone: int | None = None) -> list[int]:
    """The supervisor's ``count`` workers once they answer (``gone``: a worker that must have been replaced)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = workers_of(pid)
        if len(workers) >= count and gone not in workers:
            try:
                if httpx.get(f"{base}/api/dataflows", timeout=5).status_code == 200:
                    return workers
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    raise AssertionError(f"{count} workers did not start")


def test_workers_are_forked_from_the_supervisor_and_all_answer(tmp_path):
    settings = settings_for(tmp_path / "data")
    Platform.initialise(settings)
    port = free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=environment_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        workers = wait_for_workers(server.pid, base, WORKERS)
        supervisor = command_line(server.pid)
        assert [command_line(worker) for worker in workers] == [supervisor] * WORKERS
        job_servers = job_servers_under(server.pid)
        assert len(job_servers) == 1 and job_servers[0] in children_of(server.pid)  # the supervisor's, shared
        for _ in range(4 * WORKERS):  # new connections, spread over the workers
            assert httpx.get(f"{base}/api/data/DF_MIG_STOCK", timeout=30).status_code in (200, 404)
        os.kill(workers[0], signal.SIGKILL)
        replaced = wait_for_workers(server.pid, base, WORKERS, gone=workers[0])
        assert [command_line(worker) for worker in replaced] == [supervisor] * WORKERS
        assert httpx.get(f"{base}/api/dataflows", timeout=30).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert server.returncode == 0

"""`pivgm serve` answers with uvicorn's compiled HTTP parser (httptools) and event loop (uvloop), one worker
or several, rather than the pure-Python ones (h11, asyncio's loop).

Read from outside, in each serving process's memory map: the compiled modules are loaded in the process
that answers. Fails if serve names h11 or asyncio (seen red: neither library is loaded then).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pivgm.platform import Platform
from tests.backends import environment_for, settings_for
from tests.deployment.test_concurrency import free_port
from tests.deployment.test_login_limits import wait_until_up
from tests.deployment.test_preforked_workers import wait_for_workers
from tests.executable import EXECUTABLE

pytestmark = pytest.mark.slow

COMPILED = ("/httptools/parser/", "/uvloop/loop.")


def loaded_libraries(pid: int) -> set[str]:
    return {line.split()[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines() if ".so" in line}


@pytest.mark.parametrize("workers", [1, 2])
def test_every_serving_process_runs_httptools_and_uvloop(tmp_path, workers):
    settings = settings_for(tmp_path / "data")
    Platform.initialise(settings)
    port = free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port), "--workers", str(workers)],
        env={**environment_for(settings), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if workers > 1:
            serving = wait_for_workers(server.pid, base, workers)
        else:
            wait_until_up(base, server)
            serving = [server.pid]  # the one process answers itself
        for pid in serving:
            libraries = loaded_libraries(pid)
            assert all(any(name in path for path in libraries) for name in COMPILED), pid
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    assert "(httptools HTTP parser, uvloop event loop)" in output

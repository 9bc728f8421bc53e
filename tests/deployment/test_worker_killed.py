"""A worker killed with SIGKILL in the middle of publications leaves every release whole or absent, and
the next request succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from tests.backends import environment_for, settings_for
from tests.deployment.test_concurrency import FLOW, free_port, mapping
from tests.people import person

pytestmark = pytest.mark.slow


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def publish_loop(base: str, tokens: tuple[str, str], stop: threading.Event, published: list[int]) -> None:
    """Upload with the first token, review with the second (four eyes: nobody approves their own file)."""
    uploader, reviewer = ({"Authorization": f"Bearer {token}"} for token in tokens)
    with httpx.Client(base_url=base, headers=uploader, timeout=30) as client:
        month = 0
        while not stop.is_set():
            month += 1
            text = f"Nacionalidad;Mes;Eventos\nVEN;{2000 + month // 12}-{month % 12 + 1:02d};{month}\n"
            try:
                created = client.post(
                    "/api/submissions",
                    data={"dataflow": FLOW, "provider": "MX_UPM", "mapping": mapping("MEX")},
                    files={"file": (f"e{month}.csv", text.encode(), "text/csv")},
                )
                if created.status_code != 201:
                    continue
                submission = created.json()["id"]
                client.post(f"/api/submissions/{submission}/transitions", json={"action": "submit"})
                for action in ("approve-national", "approve-regional", "publish"):
                    path = f"/api/submissions/{submission}/transitions"
                    client.post(path, json={"action": action}, headers=reviewer)
                published.append(submission)
            except httpx.HTTPError:
                continue  # the worker answering was killed: the next request goes to a live one


def test_killing_a_worker_mid_publication_leaves_releases_whole(tmp_path):
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    reviewer = person(platform, "reviewer", (Role.ADMINISTRATOR, None))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pivgm", "serve", "--port", str(port), "--workers", "2"],
        env=environment_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    published: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(workers_of(server.pid)) < 2:
            time.sleep(0.3)
        time.sleep(3)
        thread = threading.Thread(target=publish_loop, args=(base, (admin.token, reviewer.token), stop, published))
        thread.start()
        kills = 0
        for _ in range(6):
            time.sleep(1.5)
            workers = workers_of(server.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                kills += 1
        time.sleep(3)
        stop.set()
        thread.join(timeout=60)
        assert kills >= 3
        answered = None
        for _ in range(60):
            try:
                answered = httpx.get(f"{base}/api/data/{FLOW}", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(1)
        assert answered is not None and answered.status_code in (200, 404)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=60)

    reopened = Platform.open(settings)
    for release in reopened.records.releases(FLOW):
        path = reopened.warehouse.path(release.parquet_file)
        assert path.exists(), "a recorded release must have its file"
        assert len(release.version_ids) >= 1
    for submission in reopened.submissions.find(["MX_UPM"]):
        if submission.status == "published":
            assert submission.release_id is not None
        else:
            assert submission.release_id is None

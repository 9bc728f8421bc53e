"""A worker killed with SIGKILL in the middle of publications leaves every release whole or absent, and
the next request succeeds.

The test fails if every publication fails (seen red: while uvicorn's health check kept killing the workers
still starting, every request was dropped and ``answers.published`` stayed empty), if any request gets an
error status instead of a dropped connection, or if a publication the server confirmed is not published
afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from tests.backends import environment_for, settings_for
from tests.deployment.test_concurrency import FLOW, free_port, mapping
from tests.deployment.test_preforked_workers import workers_of
from tests.executable import EXECUTABLE
from tests.people import person

pytestmark = pytest.mark.slow


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL to the server and its workers if it has not stopped within a minute, so that a
    slow stop cannot hide the result a test checks (``test_a_worker_killed_during_its_health_check_...``
    checks the stop itself)."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in workers_of(server.pid):
            os.kill(pid, signal.SIGKILL)
        server.kill()
        server.wait(timeout=30)


def serving(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/dataflows", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Answers:
    """What the server answered the publishing client: the submissions whose publication it confirmed, and
    every other HTTP status it gave (a killed worker drops the connection instead: no status)."""

    published: list[int] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    dropped: int = 0


def publish_loop(base: str, submitter: str, reviewer: str, stop: threading.Event, answers: Answers) -> None:
    """Upload as the national submitter, then approve and publish as another person (four eyes)."""
    uploads = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {submitter}"}, timeout=30)
    reviews = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {reviewer}"}, timeout=30)
    month = 0
    with uploads, reviews:
        while not stop.is_set():
            month += 1
            text = f"Nacionalidad;Mes;Eventos\nVEN;{2000 + month // 12}-{month % 12 + 1:02d};{month}\n"
            try:
                created = uploads.post(
                    "/api/submissions",
                    data={"dataflow": FLOW, "provider": "MX_UPM", "mapping": mapping("MEX")},
                    files={"file": (f"e{month}.csv", text.encode(), "text/csv")},
                )
                if created.status_code != 201:
                    answers.refused.append(("upload", created.status_code, created.text[:200]))
                    continue
                submission = created.json()["id"]
                steps = [(uploads, "submit")] + [
                    (reviews, a) for a in ("approve-national", "approve-regional", "publish")
                ]
                for client, action in steps:
                    answer = client.post(f"/api/submissions/{submission}/transitions", json={"action": action})
                    if answer.status_code != 200:
                        answers.refused.append((action, answer.status_code, answer.text[:200]))
                        break
                else:
                    answers.published.append(submission)
            except httpx.HTTPError:
                answers.dropped += 1  # the worker answering was killed: the next request goes to a live one


def test_killing_a_worker_mid_publication_leaves_releases_whole(tmp_path):
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    submitter = person(platform, "sub.mx", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    port = free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port), "--workers", "2"],
        env=environment_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    answers = Answers()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (len(workers_of(server.pid)) == 2 and serving(base)):
            time.sleep(0.3)
        assert serving(base), "the server did not start"
        thread = threading.Thread(target=publish_loop, args=(base, submitter.token, admin.token, stop, answers))
        thread.start()
        kills = 0
        for _ in range(6):
            time.sleep(1.5)
            workers = workers_of(server.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                kills += 1
        settle = time.monotonic() + 90  # a loaded machine publishes slowly: give the live workers time
        while len(answers.published) < 3 and time.monotonic() < settle:
            time.sleep(0.5)
        stop.set()
        thread.join(timeout=60)
        assert kills >= 3
        # Publications went through between the kills, and no request got an error answer: a killed worker
        # only ever drops the connection it was serving.
        assert len(answers.published) >= 3, answers
        assert answers.refused == [], answers.refused
        answered = None
        for _ in range(60):
            try:
                answered = httpx.get(f"{base}/api/data/{FLOW}", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(1)
        assert answered is not None and answered.status_code == 200
    finally:
        stop.set()
        stop_server(server)

    reopened = Platform.open(settings)
    for release in reopened.records.releases(FLOW):
        path = reopened.warehouse.path(release.parquet_file)
        assert path.exists(), "a recorded release must have its file"
        assert len(release.version_ids) >= 1
    statuses = {}
    for submission in reopened.submissions.find(["MX_UPM"]):
        statuses[submission.id] = submission.status
        if submission.status == "published":
            assert submission.release_id is not None
        else:
            assert submission.release_id is None
    assert all(statuses[s] == "published" for s in answers.published), "a confirmed publication must hold"


@dataclass
class LoggedServer:
    """A ``pivgm serve --workers 2`` process writing its log to ``log``, and the worker process ids it
    logged as started."""

    process: subprocess.Popen[bytes]
    log: Path
    workers: list[int]

    def says(self, text: str) -> bool:
        return text in self.log.read_text(errors="replace")


@contextmanager
def two_logged_workers(tmp_path: Path) -> Iterator[LoggedServer]:
    """A fresh platform served by two workers, once both have started; stopped on leaving."""
    settings = settings_for(tmp_path / "data")
    Platform.initialise(settings)
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(EXECUTABLE), "serve", "--port", str(free_port()), "--workers", "2"],
            env=environment_for(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            started: list[str] = []
            while time.monotonic() < deadline and len(started) < 2:
                started = re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace"))
                time.sleep(0.3)
            assert len(started) >= 2, "the two workers did not start within two minutes"
            yield LoggedServer(server, log, [int(pid) for pid in started])
        finally:
            stop_server(server)


def test_a_killed_worker_is_in_the_server_log(tmp_path):
    """Fails if ``pivgm serve`` goes back to uvicorn's warning log level: the supervisor reports a worker
    that died, or that its health check killed, only at info level."""
    with two_logged_workers(tmp_path) as server:
        victim = server.workers[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not server.says(f"[{victim}] died"):
            time.sleep(0.3)
    assert server.says(f"Child process [{victim}] died")


def test_a_worker_killed_during_its_health_check_is_replaced_and_the_server_stops_at_once(tmp_path):
    """A worker that dies while the supervisor waits for its health-check answer is replaced within seconds,
    and SIGTERM then stops the server within seconds. Seen red without ``watch_workers``: the supervisor
    waited out the two-minute health-check timeout first (on CI, SIGTERM took over a minute)."""
    with two_logged_workers(tmp_path) as server:
        victim = server.workers[0]
        os.kill(victim, signal.SIGSTOP)  # it cannot answer: the supervisor's next ping (every 0.5 s) waits
        time.sleep(2)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        while time.monotonic() < killed + 60 and not server.says(f"[{victim}] died"):
            time.sleep(0.2)
        noticed = time.monotonic() - killed
        server.process.terminate()
        stopped = server.process.wait(timeout=30)
    assert server.says(f"Child process [{victim}] died")
    assert noticed < 15, f"the supervisor noticed the dead worker after {noticed:.0f} s"
    assert stopped == 0

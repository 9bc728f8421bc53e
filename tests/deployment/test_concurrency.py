"""Several web workers, many clients at once: no lost update, no duplicate version, no 5xx, a complete audit.

Four uvicorn workers serve one data directory on loopback; twenty client threads upload, review, publish and
read for a bounded time (PIVGM_SOAK_SECONDS, 60 by default), then the records are checked against what the
clients were told.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.accounts.audit import list_events
from pivgm.platform import Platform
from pivgm.records.audit import AuditFilter
from tests.backends import environment_for, settings_for
from tests.executable import EXECUTABLE
from tests.people import ADMIN, person

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("PIVGM_SOAK_SECONDS", "60"))
FLOW = "DF_IRREGULAR_TRANSIT"
PROVIDERS = {"MX_UPM": "MEX", "GT_IGM": "GTM", "HN_INM": "HND", "PA_SNM": "PAN", "CR_DGME": "CRI"}
STEPS = ["submit", "approve-national", "approve-regional", "publish"]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    uploads: list[int] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    unanswered: Counter[str] = field(default_factory=Counter)  # requests whose answer the client gave up on

    def saw(self, response: httpx.Response, what: str) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append(f"{what}: {response.status_code} {response.text[:200]}")

    def gave_up(self, what: str) -> None:
        """A request timed out on the client (a very busy machine): the server may or may not have done it."""
        with self.lock:
            self.unanswered[what] += 1


def sent(
    client: httpx.Client, tally: Tally, what: str, method: str, path: str, **options: Any
) -> httpx.Response | None:
    """The answer, counted in ``tally``; None when the client timed out waiting for it."""
    try:
        response = client.request(method, path, **options)
    except httpx.TimeoutException:
        tally.gave_up(what)
        return None
    tally.saw(response, what)
    return response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mapping(area: str) -> str:
    return json.dumps(
        {
            "columns": {"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
            "constants": {
                "FREQ": "M",
                "REF_AREA": area,
                "SEX": "_T",
                "AGE": "_T",
                "ACCOMPANIMENT": "_T",
                "UNIT_MEASURE": "EVENTS",
            },
        }
    )


def uploader(base: str, token: str, provider: str, deadline: float, tally: Tally, seed: int) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        month = 0
        while time.monotonic() < deadline:
            month += 1
            text = f"Nacionalidad;Mes;Eventos\nVEN;{2000 + seed}-{month % 12 + 1:02d};{seed * 1000 + month}\n"
            response = sent(
                client,
                tally,
                "upload",
                "POST",
                "/api/submissions",
                data={"dataflow": FLOW, "provider": provider, "mapping": mapping(PROVIDERS[provider])},
                files={"file": (f"e{seed}-{month}.csv", text.encode(), "text/csv")},
            )
            if response is not None and response.status_code == 201 and response.json()["version"] is not None:
                with tally.lock:
                    tally.uploads.append(response.json()["id"])


def reviewer(base: str, token: str, deadline: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while time.monotonic() < deadline:
            listing = sent(client, tally, "list", "GET", "/api/submissions")
            if listing is None or listing.status_code != 200:
                continue
            for item in listing.json().get("submissions", [])[:10]:
                if not item["actions"]:
                    continue
                action = next((s for s in STEPS if s in item["actions"]), None)
                if action is None:
                    continue
                path = f"/api/submissions/{item['id']}/transitions"
                response = sent(client, tally, action, "POST", path, json={"action": action})
                if response is not None and response.status_code == 200:
                    with tally.lock:
                        tally.steps[action] += 1


def reader(base: str, deadline: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < deadline:
            for path in (f"/api/data/{FLOW}", "/api/dataflows", f"/sdmx/rest/data/{FLOW}/all", "/"):
                sent(client, tally, path, "GET", path)


def test_four_workers_and_twenty_clients_lose_nothing(tmp_path):
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    submitters = {p: person(platform, f"sub.{p.lower()}", (Role.NATIONAL_SUBMITTER, p)) for p in PROVIDERS}
    regional = person(platform, "admin", (Role.ADMINISTRATOR, None))
    port = free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port), "--workers", "4"],
        env=environment_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while time.monotonic() - started < 90:
            try:
                if httpx.get(f"{base}/api/dataflows", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        tally = Tally()
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=uploader, args=(base, submitters[p].token, p, deadline, tally, i))
            for i, p in enumerate(list(PROVIDERS) * 2)
        ]
        threads += [threading.Thread(target=reviewer, args=(base, regional.token, deadline, tally)) for _ in range(5)]
        threads += [threading.Thread(target=reader, args=(base, deadline, tally)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
    finally:
        server.terminate()
        server.wait(timeout=60)

    assert tally.failures == []
    assert len(tally.uploads) > 0 and sum(tally.steps.values()) > 0
    reopened = Platform.open(settings)
    versions = reopened.records.versions(FLOW)
    # one version per loaded upload, no duplicate (an upload whose answer timed out may have loaded or not)
    assert len(tally.uploads) <= len(versions) <= len(tally.uploads) + tally.unanswered["upload"]
    assert len({v.id for v in versions}) == len(versions)
    loaded = [reopened.submissions.get(s).version_id for s in tally.uploads]
    assert len(set(loaded)) == len(loaded) and set(loaded) <= {v.id for v in versions}
    for submission_id in tally.uploads:
        submission = reopened.submissions.get(submission_id)
        events = reopened.submissions.events(submission_id)
        assert [e.to_state for e in events][-1:] == ([submission.status] if events else [])
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events))
    for action, count in tally.steps.items():
        logged = list_events(reopened, ADMIN, AuditFilter(action=f"submission.{action}"), per_page=1).total
        assert count <= logged <= count + tally.unanswered[action], action
    uploads = list_events(reopened, ADMIN, AuditFilter(action="submission.uploaded"), per_page=1).total
    assert tally.statuses[201] <= uploads <= tally.statuses[201] + tally.unanswered["upload"]

"""A publication found wrong during its embargo is cancelled, not published anyway: its release (and the
indicator releases scheduled with it) never takes effect on any public read path, the submission is
approved regionally again and says why, and the step is audited with it. A publication in force is withdrawn
instead, and one under embargo cannot be withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pivgm.accounts.actor import Role
from pivgm.records import AuditFilter, AuditStore
from pivgm.records.repository import utc_now
from pivgm.web.app import create_app
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.people import ADMIN, person
from tests.test_no_leaks import INDICATOR, MAPPING, YEAR_BEFORE, body_text

FLOW = "DF_IRREGULAR_TRANSIT"
PUBLISHED, CANCELLED = 8880001, 8880002
APPROVE = ["submit", "approve-national", "approve-regional"]
REASON = "Cifras de enero duplicadas"


def load(platform, provider: str, area: str, value: int) -> int:
    text = f"Nacionalidad;Mes;Eventos\nVEN;2023-01;{YEAR_BEFORE}\nVEN;2024-01;{value}\n".encode()
    mapping = type(MAPPING)(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": area})
    submission = submit(platform, SubmissionRequest(provider, FLOW, f"{area}.csv", text, mapping)).submission.id
    for action in APPROVE:
        take_step(platform, ADMIN, submission, action)
    return submission


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Mexico's value published; Guatemala's scheduled three days ahead, then cancelled with the installed
    ``pivgm review ... cancel`` by a regional reviewer."""
    platform = new_platform(tmp_path_factory.mktemp("cancel"))
    regional = person(platform, "rcm", (Role.REGIONAL_REVIEWER, None))
    published = load(platform, "MX_UPM", "MEX", PUBLISHED)
    take_step(platform, ADMIN, published, "publish")
    scheduled = load(platform, "GT_IGM", "GTM", CANCELLED)
    release_at = utc_now() + timedelta(days=3)
    take_step(platform, ADMIN, scheduled, "publish", release_at=release_at)
    assert platform.records.last_release_time(INDICATOR) == release_at  # the indicator was scheduled with it
    done = run_pivgm(platform.settings, "review", str(scheduled), "cancel", "--comment", REASON, "--as", "rcm")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "approved_regional" in done.stdout
    return platform, regional, {"published": published, "cancelled": scheduled}, release_at


PUBLIC_PATHS = [
    (f"/api/data/{FLOW}", {}),
    (f"/api/data/{FLOW}", {"format": "csv"}),
    (f"/api/data/{FLOW}", {"asOf": "2099-01-01T00:00:00Z"}),
    (f"/sdmx/rest/data/{FLOW}/all", {"format": "csvfile"}),
    (f"/sdmx/rest/data/{FLOW}/all", {}),
    (f"/explore/{FLOW}/download", {"format": "csv", "scope": "full"}),
    (f"/explore/{FLOW}", {"view": "table", "lang": "en"}),
    (f"/api/data/{INDICATOR}", {}),
    (f"/sdmx/rest/data/{INDICATOR}/all", {"format": "csvfile"}),
]


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=30)])
def test_a_cancelled_release_never_takes_effect_on_any_public_path(world, after):
    """At its time and after it, the cancelled values are nowhere and the published ones stay. Seen red
    with ``LIVE`` left out of ``Records.published_releases``: every path then showed the cancelled value."""
    platform, _, _, release_at = world
    app = create_app(platform.settings)
    app.state.platform.clock = lambda: release_at + after
    with TestClient(app) as client:
        for path, query in PUBLIC_PATHS:
            response = client.get(path, params=query)
            assert response.status_code == 200, (path, response.text[:300])
            text = body_text(response.content)
            for number in (CANCELLED, CANCELLED - YEAR_BEFORE):
                assert str(number) not in text and f"{number:,}" not in text, (path, query)
            if query.get("view"):
                continue  # the explorer's page shows a default selection, not every value
            shown = PUBLISHED - YEAR_BEFORE if INDICATOR in path else PUBLISHED
            assert str(shown) in text or f"{shown:,}" in text, (path, query)


def test_the_cancelled_submission_is_approved_regionally_again_says_why_and_is_audited(world):
    platform, regional, submissions, _ = world
    submission = platform.submissions.get(submissions["cancelled"])
    assert (submission.status, submission.release_id, submission.release_at) == ("approved_regional", None, None)
    last = platform.submissions.events(submission.id)[-1]
    assert (last.action, last.from_state, last.to_state, last.comment) == (
        "cancel",
        "published",
        "approved_regional",
        REASON,
    )
    (entry,) = AuditStore(platform.records.engine).page(AuditFilter(action="submission.cancel"), 10, 0)[0]
    assert entry.actor_name == "rcm" and INDICATOR in entry.details["indicators_cancelled"]
    with TestClient(create_app(platform.settings)) as client:
        for lang, note in [("es", "nunca se publicaron"), ("en", "never published")]:
            page = client.get(f"/submissions/{submission.id}", params={"lang": lang}, headers=regional.headers)
            assert page.status_code == 200
            assert note in page.text
        api = client.get(f"/api/submissions/{submission.id}/history", headers=regional.headers).json()
        assert api["events"][-1]["action"] == "cancel"


def test_only_a_scheduled_publication_is_cancelled_and_only_one_in_force_withdrawn(world):
    """Over the JSON API: cancelling the publication in force and withdrawing one under embargo are refused
    with a 409 that says what to do instead, and change nothing. Seen red with the embargo check removed from
    ``check_transition``: the records' own check (``cancel_release``) still refused, in other words."""
    platform, regional, submissions, _ = world
    again = load(platform, "CR_DGME", "CRI", 8880003)
    take_step(platform, ADMIN, again, "publish", release_at=utc_now() + timedelta(days=5))
    before = [r.id for r in platform.records.releases(FLOW)]
    with TestClient(create_app(platform.settings)) as client:

        def step(submission: int, action: str):
            body = {"action": action, "comment": "por revisar"}
            return client.post(f"/api/submissions/{submission}/transitions", json=body, headers=regional.headers)

        in_force = step(submissions["published"], "cancel")
        assert in_force.status_code == 409, in_force.text
        assert "withdraw it instead" in in_force.text
        embargoed = step(again, "withdraw")
        assert embargoed.status_code == 409, embargoed.text
        assert "cancel it instead" in embargoed.text
        assert [r.id for r in platform.records.releases(FLOW)] == before
        listed = client.get("/api/submissions", params={"state": "published"}, headers=regional.headers).json()
        actions = {item["id"]: item["actions"] for item in listed["submissions"]}
        assert actions[again] == ["cancel"] and actions[submissions["published"]] == ["withdraw"]
        cancelled = step(again, "cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["state"] == "approved_regional"

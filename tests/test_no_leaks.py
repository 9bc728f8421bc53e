"""Unpublished values never reach anyone who may not see them, on any route.

Every GET route the app registers (enumerated, not hand-listed) is called by every role, with data in every
state: draft, submitted, approved, embargoed, published, withdrawn. Each state's submission carries a
distinctive value; a response may contain it only if the value is published, or if the caller holds a role
for that submission's provider (staff see their own countries' work). The SDMX API is stricter: it serves
unpublished values only with ``includeDrafts=true`` and only to a national role of their provider, and a
withdrawn value to nobody. Every route is also called with ``asOf`` in the past, now, the future and malformed
(fails if the catalog stops clamping ``asOf`` to now).
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pivgm.accounts.actor import ANONYMOUS, Actor, Role
from pivgm.catalog.published import PublishedData, UnpublishedReadError
from pivgm.ingest.mapping import Mapping
from pivgm.records.repository import utc_now
from pivgm.web.app import create_app
from pivgm.workflow.review import can_see
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.people import ADMIN, person
from tests.routes import concrete_paths, get_routes

FLOW = "DF_IRREGULAR_TRANSIT"
# An indicator fed by FLOW: each submission's month has the same month a year before at YEAR_BEFORE, so its
# year-on-year change is the marker value minus YEAR_BEFORE, a marker of its own.
INDICATOR = "DF_IND_TRANSIT_YOY"
YEAR_BEFORE = 100
MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"},
)
# state -> (provider, reference area, marker value)
STATES = {
    "withdrawn": ("HN_INM", "HND", 7770006),
    "published": ("MX_UPM", "MEX", 7770001),
    "embargoed": ("GT_IGM", "GTM", 7770002),
    "draft": ("CR_DGME", "CRI", 7770003),
    "submitted": ("SV_DGME", "SLV", 7770004),
    "approved": ("PA_SNM", "PAN", 7770005),
}
STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve-national", "approve-regional"],
    "published": ["submit", "approve-national", "approve-regional", "publish"],
    "embargoed": ["submit", "approve-national", "approve-regional", "publish"],
    "withdrawn": ["submit", "approve-national", "approve-regional", "publish", "withdraw"],
}
SDMX_PATHS = [
    f"data/{FLOW}",
    f"data/{FLOW}/all",
    f"data/PIVGM,{FLOW},1.0/all/all",
    f"data/{FLOW}/M.GTM+CRI+SLV+PAN+HND+MEX",
    f"availableconstraint/{FLOW}/all/all/all",
    f"availableconstraint/{FLOW}",
    f"dataflow/PIVGM/{FLOW}/latest",
    "dataflow/all/all/latest",
]
QUERY_VARIANTS = [
    {},
    {"lang": "en"},
    {"format": "csv"},
    {"format": "xlsx"},
    {"format": "zip"},
    {"format": "sdmx-csv"},
    {"includeDrafts": "true"},
    {"REF_AREA": "GTM", "lang": "en"},
]
# ``asOf`` in every shape, sent to every route (those that do not read it must ignore it) by the roles that
# may see nothing unpublished: a future moment must read as now, never as the embargo's end.
AS_OF_VARIANTS = [
    {"asOf": "2099-01-01T00:00:00Z"},
    {"asOf": "9999-12-31T23:59:59+14:00", "format": "csv"},
    {"asOf": "now", "format": "sdmx-csv"},  # the moment of the request
    {"asOf": "2020-01-01T00:00:00Z", "format": "zip"},
    {"asOf": "not-a-time"},
]
AS_OF_ROLES = {"anonymous"}


def markers(value: int) -> list[str]:
    """The marker as any route may write it, and the indicator value derived from it."""
    forms = []
    for number in (value, value - YEAR_BEFORE):
        forms += [str(number), f"{number:,}", f"{number:,}".replace(",", "."), f"{number:,}".replace(",", "\u00a0")]
    return forms


def paths_for(template: str, submissions: dict[str, int]) -> list[str]:
    """The template's example paths on FLOW and, where a dataflow is named, on the indicator it feeds."""
    paths = concrete_paths(template, submissions, FLOW, SDMX_PATHS)
    if "{dataflow_id}" in template or "{path" in template:
        indicator_sdmx = [p.replace(FLOW, INDICATOR) for p in SDMX_PATHS if FLOW in p]
        paths += concrete_paths(template, submissions, INDICATOR, indicator_sdmx)
    return list(dict.fromkeys(paths))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    platform = new_platform(tmp_path_factory.mktemp("leaks"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    people = {
        "anonymous": None,
        "mx_submitter": person(platform, "mx.sub", (Role.NATIONAL_SUBMITTER, "MX_UPM")),
        "gt_approver": person(platform, "gt.app", (Role.NATIONAL_APPROVER, "GT_IGM")),
        "cr_submitter": person(platform, "cr.sub", (Role.NATIONAL_SUBMITTER, "CR_DGME")),
        "regional": person(platform, "rcm", (Role.REGIONAL_REVIEWER, None)),
        "admin": admin,
    }
    submissions = {}
    for state, (provider, area, value) in STATES.items():
        text = f"Nacionalidad;Mes;Eventos\nVEN;2023-01;{YEAR_BEFORE}\nVEN;2024-01;{value}\n"
        mapping = Mapping(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": area})
        outcome = submit(platform, SubmissionRequest(provider, FLOW, f"{state}.csv", text.encode(), mapping))
        submissions[state] = outcome.submission.id
        for action in STEPS[state]:
            release_at = utc_now() + timedelta(days=3) if (state, action) == ("embargoed", "publish") else None
            comment = "withdrawn for the test" if action == "withdraw" else ""
            take_step(platform, ADMIN, outcome.submission.id, action, comment, release_at)
    return platform, people, submissions


def body_text(content: bytes) -> str:
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")


def national_providers(actor: Actor) -> set[str]:
    national = {Role.NATIONAL_SUBMITTER, Role.NATIONAL_APPROVER}
    return {g.provider_id for g in actor.grants if g.role in national and g.provider_id is not None}


def may_see(actor: Actor, state: str, path: str = "", query: dict[str, str] | None = None) -> bool:
    provider = STATES[state][0]
    if state == "published":
        return True
    if path.startswith("/sdmx/"):
        drafts = (query or {}).get("includeDrafts") == "true"
        return drafts and state != "withdrawn" and provider in national_providers(actor)
    return can_see(actor, provider)


def test_no_route_shows_unpublished_values_to_anyone_who_may_not_see_them(world):
    platform, people, submissions = world
    app = create_app(platform.settings)
    routes = get_routes(app)
    assert "/api/data/{dataflow_id}" in routes and "/sdmx/rest/{path:path}" in routes
    checked = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for role, who in people.items():
            actor = who.actor if who else ANONYMOUS
            headers = who.headers if who else {}
            for template in routes:
                for path in paths_for(template, submissions):
                    for query in QUERY_VARIANTS + (AS_OF_VARIANTS if role in AS_OF_ROLES else []):
                        forbidden = {
                            state: markers(value)
                            for state, (_, _, value) in STATES.items()
                            if not may_see(actor, state, path, query)
                        }
                        if query.get("asOf") == "now":
                            query = {**query, "asOf": utc_now().isoformat()}
                        response = client.get(path, params=query, headers=headers)
                        assert response.status_code < 500, (role, path, query, response.text[:300])
                        text = body_text(response.content)
                        for state, forms in forbidden.items():
                            leaked = [form for form in forms if form in text]
                            assert not leaked, f"{role} saw the {state} value via {path} {query}"
                        checked += 1
    assert checked > 500


def test_over_sdmx_a_national_token_reads_its_own_unpublished_value_only_with_include_drafts(world):
    platform, people, _ = world
    path = f"/sdmx/rest/data/{FLOW}/all"
    with TestClient(create_app(platform.settings)) as client:
        for who, state in [("cr_submitter", "draft"), ("gt_approver", "embargoed")]:
            headers = people[who].headers
            with_drafts = client.get(path, params={"includeDrafts": "true", "format": "csv"}, headers=headers).text
            assert str(STATES[state][2]) in with_drafts, who
            assert str(STATES["published"][2]) in with_drafts, who
            published = client.get(path, params={"format": "csv"}, headers=headers).text
            assert str(STATES[state][2]) not in published, who


def test_the_published_value_is_visible_to_the_public(world):
    platform, _, _ = world
    with TestClient(create_app(platform.settings)) as client:
        body = client.get(f"/api/data/{FLOW}", params={"from": "2024-01"}).json()
        derived = client.get(f"/api/data/{INDICATOR}", params={"from": "2024-01"}).json()
    assert [row["OBS_VALUE"] for row in body["observations"]] == [STATES["published"][2]]
    assert [row["OBS_VALUE"] for row in derived["observations"]] == [STATES["published"][2] - YEAR_BEFORE]


def test_the_route_view_reads_the_flow_the_leak_test_fills_and_shows_only_the_published_point(world):
    """The route view (enumerated above like every route) reads Venezuelans in Panama (approved), Honduras
    (withdrawn) and Mexico (published): only Mexico's value shows. Seen red with Mexico's point reading
    Guatemala's rows (REF_AREA: GTM, embargoed) in routes.yaml."""
    platform, _, _ = world
    with TestClient(create_app(platform.settings)) as client:
        months = {m["period"]: m for m in client.get("/api/routes", params={"citizenship": "VEN"}).json()["months"]}
    assert months["2024-01"] == {
        "period": "2024-01",
        "PAN": None,
        "HND": None,
        "MEX": STATES["published"][2],
        "USA_SWB": None,
    }


def test_the_public_sides_door_opens_only_releases_in_force(world):
    """Fails if ``PublishedData`` (all the catalog is given) opens a release that is not in force, or a version
    outside the release it names: the embargoed release and the draft version here."""
    platform, _, _ = world
    door = PublishedData(platform)
    in_force = door.releases()[FLOW]
    embargoed = platform.records.published_releases(utc_now() + timedelta(days=4))[FLOW]
    assert embargoed.id != in_force.id
    assert door.releases(utc_now() + timedelta(days=4))[FLOW].id == in_force.id  # a future moment reads as now
    assert door.release_file(in_force).exists()
    assert [door.member_file(in_force, v).exists() for v in door.members(in_force)] == [True]
    for opening in (door.release_file, door.members):
        with pytest.raises(UnpublishedReadError):
            opening(embargoed)
    draft = platform.records.reviewed_versions(FLOW, ["CR_DGME"])[0].version
    with pytest.raises(UnpublishedReadError):
        door.member_file(in_force, draft)


def test_an_embargoed_value_appears_on_every_read_path_once_its_time_comes(world):
    platform, _, submissions = world
    app = create_app(platform.settings)
    release_at = platform.submissions.get(submissions["embargoed"]).release_at
    app.state.platform.clock = lambda: release_at + timedelta(seconds=1)
    value = STATES["embargoed"][2]
    with TestClient(app) as client:
        for path, query in [
            (f"/api/data/{FLOW}", {}),
            (f"/api/data/{FLOW}", {"format": "csv"}),
            (f"/sdmx/rest/data/{FLOW}/all", {"format": "csvfile"}),
            (f"/explore/{FLOW}/download", {"format": "csv", "scope": "full"}),
            (f"/api/data/{INDICATOR}", {}),
            (f"/sdmx/rest/data/{INDICATOR}/all", {"format": "csvfile"}),
        ]:
            response = client.get(path, params=query)
            assert response.status_code == 200, (path, response.text[:200])
            text = body_text(response.content)
            shown = str(value - YEAR_BEFORE) if INDICATOR in path else str(value)
            assert shown in text or f"{int(shown):,}" in text, path

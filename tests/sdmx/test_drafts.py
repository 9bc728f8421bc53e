"""``includeDrafts=true``: a national account reads its own unpublished data over SDMX, with its API token.

The answer is the release in force with each of the account's providers' newest draft in place of that
provider's published version (a draft counts unless rejected or withdrawn; a publication counts while it is
under embargo); every other provider's data are exactly as published. Nobody else gets drafts: 401 without
a national account's API token, 403 for a signed-in user without a national role. Without ``includeDrafts``
everybody, token or not, reads the published data. Answers with drafts are private and say so.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from pivgm.accounts import sessions
from pivgm.accounts.actor import Role
from pivgm.accounts.audit import list_events
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.records.audit import AuditFilter
from pivgm.records.repository import utc_now
from pivgm.sdmx.query import AvailabilityQuery, DataQuery
from pivgm.sdmx.routing import parse
from pivgm.web.app import create_app
from pivgm.web.security import SESSION_COOKIE
from pivgm.workflow.review import State, counts_as_draft
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.people import ADMIN, PASSWORD, Person, person
from tests.sdmx.conftest import load_platform

FLOW = "DF_IRREGULAR_TRANSIT"
DATA = f"/sdmx/rest/data/{FLOW}/all"
AVAILABILITY = f"/sdmx/rest/availableconstraint/{FLOW}/all/all/all"
KEY = ("FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "ACCOMPANIMENT", "TIME_PERIOD")
MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Personas"},
    constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "PS"},
)
# Honduras published 3922 Venezuelans in transit in December 2024 (vendored source); its draft revises that.
REVISED = ("M", "HND", "VEN", "_T", "_T", "_T", "2024-12")
PUBLISHED_VALUE = 3922.0
HN_DRAFT = 8880001.0
CR_DRAFT = 8880002.0
NS = {
    "s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "m": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
}


def draft(platform: Platform, provider: str, area: str, value: float, month: str = "2024-12") -> int:
    """A national upload loaded as a draft (merged with the provider's newest version); its submission id."""
    text = f"Nacionalidad;Mes;Personas\nVEN;{month};{int(value)}\n"
    mapping = Mapping(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": area})
    outcome = submit(platform, SubmissionRequest(provider, FLOW, f"{provider}.csv", text.encode(), mapping))
    assert outcome.version is not None, outcome.report.to_dict()
    return outcome.submission.id


def steps(platform: Platform, submission_id: int, *actions: str, release_at: datetime | None = None) -> None:
    for action in actions:
        comment = "por revisar" if action in {"reject", "withdraw"} else ""
        take_step(platform, ADMIN, submission_id, action, comment, release_at if action == "publish" else None)


PUBLISH = ("submit", "approve-national", "approve-regional", "publish")


def observations(response) -> dict[tuple[str, ...], float]:
    """SDMX-CSV rows by series key and period."""
    assert response.status_code == 200, response.text[:400]
    return {tuple(row[c] for c in KEY): float(row["OBS_VALUE"]) for row in csv.DictReader(io.StringIO(response.text))}


def version_file(platform: Platform, version_id: int) -> dict[tuple[str, ...], float]:
    """A dataset version's observations, read from its Parquet file."""
    version = platform.records.version(version_id)
    assert version is not None
    rows = pq.read_table(platform.warehouse.path(version.parquet_file)).to_pylist()
    return {tuple(row[c] for c in KEY): float(row["OBS_VALUE"]) for row in rows}


def published_file(platform: Platform, provider: str) -> dict[tuple[str, ...], float]:
    (version,) = [v for v in platform.records.published_versions(FLOW) if v.provider_id == provider]
    return version_file(platform, version.id)


def of_area(rows: dict[tuple[str, ...], float], area: str) -> dict[tuple[str, ...], float]:
    return {key: value for key, value in rows.items() if key[1] == area}


def get(client: TestClient, path: str, who: Person | None = None, **params: str):
    return client.get(path, params={"format": "csv", **params}, headers=who.headers if who else {})


def sdmx_code(response) -> int:
    return int(etree.fromstring(response.content).find(".//m:ErrorMessage", NS).get("code"))


def fresh(data_dir: Path) -> tuple[Platform, dict[str, Person]]:
    """Honduras and Panama published (vendored sources), and national people of both."""
    platform = load_platform(data_dir, ("honduras_inm", "panama_darien"))
    people = {
        "hn": person(platform, "hn.sub", (Role.NATIONAL_SUBMITTER, "HN_INM")),
        "pa": person(platform, "pa.app", (Role.NATIONAL_APPROVER, "PA_SNM")),
    }
    return platform, people


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Honduras has a submitted revision of a published value; Costa Rica, with nothing published, a draft."""
    platform, people = fresh(tmp_path_factory.mktemp("drafts"))
    people["hn_cr"] = person(
        platform, "hn.cr", (Role.NATIONAL_SUBMITTER, "HN_INM"), (Role.NATIONAL_APPROVER, "CR_DGME")
    )
    people["regional"] = person(platform, "rcm", (Role.REGIONAL_REVIEWER, None))
    people["admin"] = person(platform, "root", (Role.ADMINISTRATOR, None))
    people["nobody"] = person(platform, "reader")
    hn = draft(platform, "HN_INM", "HND", HN_DRAFT)
    steps(platform, hn, "submit")
    cr = draft(platform, "CR_DGME", "CRI", CR_DRAFT)
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        yield platform, people, client, {"HN_INM": hn, "CR_DGME": cr}


def test_a_national_token_reads_its_draft_in_place_of_its_published_data(world):
    platform, people, client, submissions = world
    response = get(client, DATA, people["hn"], includeDrafts="true")
    rows = observations(response)
    hn_draft = version_file(platform, platform.submissions.get(submissions["HN_INM"]).version_id)
    assert rows[REVISED] == HN_DRAFT == hn_draft[REVISED]
    assert of_area(rows, "HND") == hn_draft  # every value of the draft file, the revised one included
    assert of_area(rows, "PAN") == published_file(platform, "PA_SNM")  # the others: exactly as published
    assert set(rows) == set(hn_draft) | set(published_file(platform, "PA_SNM"))
    assert response.headers["X-PIVGM-Includes-Drafts"] == "HN_INM"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in response.headers["Vary"]


@pytest.mark.parametrize("format_", ["genericdata", "structurespecificdata", "jsondata", "sdmx-csv-2.0"])
def test_every_data_format_carries_the_draft(world, format_):
    _, people, client, _ = world
    response = get(client, f"/sdmx/rest/data/{FLOW}/M.HND.VEN...", people["hn"], includeDrafts="true", format=format_)
    assert response.status_code == 200, response.text[:300]
    assert "8880001" in response.text
    assert response.headers["X-PIVGM-Includes-Drafts"] == "HN_INM"


def test_without_include_drafts_the_token_reads_the_published_data_like_everyone(world):
    platform, people, client, _ = world
    public = get(client, DATA)
    assert observations(public)[REVISED] == PUBLISHED_VALUE
    for params in ({}, {"includeDrafts": "false"}, {"includedrafts": "FALSE"}):
        response = get(client, DATA, people["hn"], **params)
        assert response.text == public.text, params
        assert "X-PIVGM-Includes-Drafts" not in response.headers
    assert of_area(observations(public), "HND") == published_file(platform, "HN_INM")


def test_a_token_of_another_country_reads_only_the_published_data_of_the_first(world):
    platform, people, client, _ = world
    response = get(client, DATA, people["pa"], includeDrafts="true")
    rows = observations(response)
    assert of_area(rows, "HND") == published_file(platform, "HN_INM")
    assert rows[REVISED] == PUBLISHED_VALUE
    assert not of_area(rows, "CRI")
    assert "X-PIVGM-Includes-Drafts" not in response.headers  # Panama has no draft of its own
    assert response.headers["Cache-Control"] == "private, no-store"  # still an answer for one account


def test_a_user_with_roles_for_several_providers_reads_each_of_their_drafts(world):
    platform, people, client, _ = world
    response = get(client, DATA, people["hn_cr"], includeDrafts="true")
    rows = observations(response)
    assert rows[REVISED] == HN_DRAFT
    assert of_area(rows, "CRI") == {("M", "CRI", "VEN", "_T", "_T", "_T", "2024-12"): CR_DRAFT}
    assert of_area(rows, "PAN") == published_file(platform, "PA_SNM")
    assert response.headers["X-PIVGM-Includes-Drafts"] == "CR_DGME,HN_INM"


def test_a_provider_reference_selects_among_drafts_and_published_data(world):
    platform, people, client, _ = world
    honduras = get(client, f"/sdmx/rest/data/{FLOW}/all/HN_INM", people["hn_cr"], includeDrafts="true")
    assert observations(honduras)[REVISED] == HN_DRAFT and set(k[1] for k in observations(honduras)) == {"HND"}
    assert honduras.headers["X-PIVGM-Includes-Drafts"] == "HN_INM"
    panama = get(client, f"/sdmx/rest/data/{FLOW}/all/PA_SNM", people["hn_cr"], includeDrafts="true")
    assert observations(panama) == published_file(platform, "PA_SNM")
    assert "X-PIVGM-Includes-Drafts" not in panama.headers
    costa_rica = get(client, f"/sdmx/rest/data/{FLOW}/all/CR_DGME", people["hn_cr"], includeDrafts="true")
    assert set(observations(costa_rica).values()) == {CR_DRAFT}
    assert get(client, f"/sdmx/rest/data/{FLOW}/all/CR_DGME", people["hn"], includeDrafts="true").status_code == 404


def test_series_keys_and_last_observations_come_from_the_draft_too(world):
    _, people, client, _ = world
    keys = get(
        client, f"/sdmx/rest/data/{FLOW}/M.CRI....", people["hn_cr"], includeDrafts="true", detail="serieskeysonly"
    )
    assert keys.status_code == 200 and "CRI" in keys.text
    last = get(
        client, f"/sdmx/rest/data/{FLOW}/M.HND.VEN._T._T._T", people["hn"], includeDrafts="true", lastNObservations="5"
    )
    rows = observations(last)
    assert len(rows) == 5 and rows[REVISED] == HN_DRAFT


def test_updated_after_sees_the_draft_as_a_change(world):
    platform, people, client, _ = world
    release = platform.records.published_releases()[FLOW]
    between = release.published_at.isoformat().replace("+00:00", "Z")
    assert get(client, DATA, updatedAfter=between).status_code == 404  # nothing published since
    assert (
        observations(get(client, DATA, people["hn"], includeDrafts="true", updatedAfter=between))[REVISED] == HN_DRAFT
    )
    later = (utc_now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert get(client, DATA, people["hn"], includeDrafts="true", updatedAfter=later).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        DATA,
        AVAILABILITY,
        f"/sdmx/rest/v2/data/dataflow/PIVGM/{FLOW}/1.0/*",
        f"/sdmx/rest/v2/availability/dataflow/PIVGM/{FLOW}",
    ],
)
def test_without_a_token_include_drafts_is_unauthorized_and_says_how_to_send_one(world, path):
    _, _, client, _ = world
    response = client.get(path, params={"includeDrafts": "true"})
    assert response.status_code == 401 and sdmx_code(response) == 110
    assert "Authorization: Bearer pivgm_" in response.text and "national" in response.text
    assert "Remove includeDrafts" in response.text
    assert "8880001" not in response.text


def test_a_bad_token_with_include_drafts_is_an_sdmx_401_and_without_it_changes_nothing(world):
    _, _, client, _ = world
    bad = {"Authorization": "Bearer pivgm_not-a-token"}
    refused = client.get(DATA, params={"includeDrafts": "true"}, headers=bad)
    assert refused.status_code == 401 and sdmx_code(refused) == 110
    assert client.get(DATA, params={"format": "csv"}, headers=bad).text == get(client, DATA).text


@pytest.mark.parametrize("who", ["regional", "admin", "nobody"])
def test_a_signed_in_user_without_a_national_role_is_forbidden_and_the_refusal_audited(world, who):
    platform, people, client, _ = world
    response = client.get(DATA, params={"includeDrafts": "true"}, headers=people[who].headers)
    assert response.status_code == 403 and sdmx_code(response) == 150
    assert "national role" in response.text and "Remove includeDrafts" in response.text
    assert "8880001" not in response.text and "8880002" not in response.text
    refused = list_events(platform, ADMIN, AuditFilter(action="permission.denied", actor=people[who].actor.username))
    assert any(e.target == f"dataflow:{FLOW}" for e in refused.events)


def test_a_browser_session_of_a_national_user_needs_a_token(world):
    platform, _, _, _ = world
    signed_in = sessions.login(platform, "hn.sub", PASSWORD, "127.0.0.1", "pytest")
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as browser:
        browser.cookies.set(SESSION_COOKIE, signed_in.cookie)
        response = browser.get(DATA, params={"includeDrafts": "true"})
    assert response.status_code == 401 and "/account/tokens" in response.text


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_malformed_include_drafts_is_a_syntax_error(world, value):
    _, people, client, _ = world
    response = client.get(DATA, params={"includeDrafts": value}, headers=people["hn"].headers)
    assert response.status_code == 400 and sdmx_code(response) == 140


def cube(response) -> tuple[dict[str, list[str]], int]:
    """The codes per dimension and the observation count of an availability answer."""
    assert response.status_code == 200, response.text[:300]
    document = etree.fromstring(response.content)
    region = document.find(".//s:ContentConstraint/s:CubeRegion", NS)
    codes = {k.get("id"): [v.text for v in k.findall("c:Value", NS)] for k in region.findall("c:KeyValue", NS)}
    count = document.find(".//s:ContentConstraint/c:Annotations/c:Annotation/c:AnnotationTitle", NS).text
    return codes, int(count)


def test_availability_with_include_drafts_counts_the_drafts(world):
    _, people, client, _ = world
    public_codes, public_count = cube(client.get(AVAILABILITY))
    codes, count = cube(client.get(AVAILABILITY, params={"includeDrafts": "true"}, headers=people["hn_cr"].headers))
    assert public_codes["REF_AREA"] == ["HND", "PAN"]
    assert codes["REF_AREA"] == ["CRI", "HND", "PAN"]
    assert count == public_count + 1  # Costa Rica's new observation; Honduras's draft revises one it had
    other_codes, other_count = cube(
        client.get(AVAILABILITY, params={"includeDrafts": "true"}, headers=people["pa"].headers)
    )
    assert (other_codes, other_count) == (public_codes, public_count)
    v2 = client.get(
        f"/sdmx/rest/v2/availability/dataflow/PIVGM/{FLOW}/1.0/*",
        params={"includeDrafts": "true"},
        headers=people["hn_cr"].headers,
    )
    assert cube(v2) == (codes, count)
    assert v2.headers["X-PIVGM-Includes-Drafts"] == "CR_DGME,HN_INM"


def test_rejected_versions_are_not_drafts_until_submitted_again(tmp_path):
    platform, people = fresh(tmp_path / "data")
    rejected = draft(platform, "HN_INM", "HND", HN_DRAFT)
    steps(platform, rejected, "submit", "reject")
    with TestClient(create_app(platform.settings)) as client:
        response = get(client, DATA, people["hn"], includeDrafts="true")
        assert observations(response)[REVISED] == PUBLISHED_VALUE
        assert "X-PIVGM-Includes-Drafts" not in response.headers
        steps(platform, rejected, "submit")  # back under review: the national office's proposal again
        assert observations(get(client, DATA, people["hn"], includeDrafts="true"))[REVISED] == HN_DRAFT


def test_a_withdrawn_version_is_never_shown_and_its_provider_falls_back_to_what_is_published(tmp_path):
    platform, people = fresh(tmp_path / "data")
    withdrawn = draft(platform, "HN_INM", "HND", HN_DRAFT)
    steps(platform, withdrawn, *PUBLISH, "withdraw")
    with TestClient(create_app(platform.settings)) as client:
        response = get(client, DATA, people["hn"], includeDrafts="true")
    assert observations(response)[REVISED] == PUBLISHED_VALUE
    assert of_area(observations(response), "HND") == published_file(platform, "HN_INM")
    assert "X-PIVGM-Includes-Drafts" not in response.headers


def test_an_embargoed_publication_is_read_by_its_own_country_only(tmp_path):
    platform, people = fresh(tmp_path / "data")
    embargoed = draft(platform, "HN_INM", "HND", HN_DRAFT)
    steps(platform, embargoed, *PUBLISH, release_at=utc_now() + timedelta(days=3))
    with TestClient(create_app(platform.settings)) as client:
        own = get(client, DATA, people["hn"], includeDrafts="true")
        assert observations(own)[REVISED] == HN_DRAFT
        assert own.headers["X-PIVGM-Includes-Drafts"] == "HN_INM"
        assert observations(get(client, DATA, people["pa"], includeDrafts="true"))[REVISED] == PUBLISHED_VALUE
        assert observations(get(client, DATA))[REVISED] == PUBLISHED_VALUE


def test_the_newest_draft_counts_and_a_draft_older_than_the_publication_does_not(tmp_path):
    platform, people = fresh(tmp_path / "data")
    older = draft(platform, "HN_INM", "HND", HN_DRAFT)
    steps(platform, older, "submit")
    newer = draft(platform, "HN_INM", "HND", HN_DRAFT + 1)
    with TestClient(create_app(platform.settings)) as client:
        assert observations(get(client, DATA, people["hn"], includeDrafts="true"))[REVISED] == HN_DRAFT + 1
    steps(platform, newer, *PUBLISH)  # published now: the still submitted older draft is behind it
    with TestClient(create_app(platform.settings)) as client:
        response = get(client, DATA, people["hn"], includeDrafts="true")
        assert observations(response)[REVISED] == HN_DRAFT + 1
        assert "X-PIVGM-Includes-Drafts" not in response.headers


def test_a_dataflow_without_a_release_serves_the_draft_alone(empty_platform):
    platform = empty_platform
    cr = person(platform, "cr.sub", (Role.NATIONAL_SUBMITTER, "CR_DGME"))
    hn = person(platform, "hn.sub", (Role.NATIONAL_SUBMITTER, "HN_INM"))
    draft(platform, "CR_DGME", "CRI", CR_DRAFT)
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        response = get(client, DATA, cr, includeDrafts="true")
        assert observations(response) == {("M", "CRI", "VEN", "_T", "_T", "_T", "2024-12"): CR_DRAFT}
        assert response.headers["X-PIVGM-Includes-Drafts"] == "CR_DGME"
        assert cube(client.get(AVAILABILITY, params={"includeDrafts": "true"}, headers=cr.headers))[1] == 1
        assert get(client, DATA).status_code == 404
        assert get(client, DATA, cr).status_code == 404
        nothing = get(client, DATA, hn, includeDrafts="true")
        assert nothing.status_code == 404 and "8880002" not in nothing.text


@pytest.mark.parametrize(
    "path",
    [
        f"data/{FLOW}",
        f"availableconstraint/{FLOW}",
        f"v2/data/dataflow/PIVGM/{FLOW}/1.0/*",
        f"v2/availability/dataflow/PIVGM/{FLOW}/1.0/*",
    ],
)
def test_include_drafts_is_a_flag_of_data_and_availability_queries(path):
    asked = parse(path, {"includeDrafts": "true"})
    assert isinstance(asked, DataQuery | AvailabilityQuery) and asked.include_drafts
    assert not parse(path, {}).include_drafts  # type: ignore[union-attr]
    assert not parse(path, {"INCLUDEDRAFTS": "false"}).include_drafts  # type: ignore[union-attr]


NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "last_action", "release_at", "counts"),
    [
        (State.DRAFT, None, None, True),
        (State.DRAFT, "reject", None, False),
        (State.SUBMITTED, "submit", None, True),
        (State.APPROVED_NATIONAL, "approve-national", None, True),
        (State.APPROVED_REGIONAL, "approve-regional", None, True),
        (State.PUBLISHED, "publish", NOW + timedelta(hours=1), True),
        (State.PUBLISHED, "publish", NOW - timedelta(hours=1), False),
        (State.WITHDRAWN, "withdraw", NOW - timedelta(hours=1), False),
        (State.VALIDATED, None, None, False),
        (State.INVALID, None, None, False),
    ],
)
def test_which_versions_count_as_a_providers_own_draft(state, last_action, release_at, counts):
    assert counts_as_draft(state, last_action, release_at, NOW) is counts

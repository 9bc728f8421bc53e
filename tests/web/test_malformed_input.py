"""Every malformed number, id, time or path is a 4xx with the usual error shape, never a 500: checked over
HTTP against a live server with the inputs a security probe found to crash it (integer overflows, NUL bytes,
time zones that carry a moment past year 9999)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.workflow.submissions import SubmissionRequest, submit
from tests.conftest import new_platform
from tests.people import person
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
HUGE = "99999999999999999999999"
PAST_INTEGER = "7607003803"  # past a 4-byte INTEGER id column on PostgreSQL, within SQLite's 8 bytes
FAR_OFFSET = "9999-12-31T23:59:59-23:59"  # year 10000 in UTC
EARLY_OFFSET = "0001-01-01T00:00:00+23:59"  # year 0 in UTC


@dataclass(frozen=True)
class Served:
    base: str
    token: str
    submission: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    platform = new_platform(tmp_path_factory.mktemp("malformed"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    mapping = Mapping(
        columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
        constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
        | {"REF_AREA": "MEX"},
    )
    text = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;12\n"
    submission = submit(platform, SubmissionRequest("MX_UPM", FLOW, "mx.csv", text, mapping)).submission.id
    with live_server(platform) as sdmx_url:
        yield Served(sdmx_url.removesuffix("/sdmx/rest"), admin.token, submission)


def assert_refused(response: httpx.Response) -> None:
    where = (response.request.method, str(response.request.url), response.text[:200])
    assert 400 <= response.status_code < 500, where
    if response.headers.get("content-type", "").startswith("application/json"):
        assert response.json()["error"]["message"], where


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", f"/api/data/{FLOW}?offset={HUGE}"),
        ("GET", f"/api/data/{FLOW}?limit={HUGE}"),
        ("GET", f"/api/data/{FLOW}?offset=-1"),
        ("GET", f"/api/submissions/{HUGE}"),
        ("GET", f"/api/submissions/{HUGE}/report?format=csv"),
        ("GET", f"/api/submissions/{HUGE}/history"),
        ("GET", "/api/submissions/0"),
        ("GET", f"/api/submissions/{PAST_INTEGER}"),
        ("GET", f"/api/submissions/{PAST_INTEGER}/history"),
        ("POST", f"/api/submissions/{PAST_INTEGER}/transitions"),
        ("GET", f"/submissions/{PAST_INTEGER}"),
        ("GET", f"/submissions/{HUGE}"),
        ("GET", f"/submissions/{HUGE}/report"),
        ("GET", "/submissions/{submission}/rows?row=" + HUGE),
        ("DELETE", f"/api/tokens/{HUGE}"),
        ("POST", f"/api/submissions/{HUGE}/transitions"),
        ("GET", f"/api/audit?from={FAR_OFFSET}"),
        ("GET", f"/api/audit?to={EARLY_OFFSET}"),
        ("GET", "/api/audit?to=9999-12-31"),
        ("GET", "/api/audit?from=yesterday"),
        ("GET", f"/admin/audit?from={FAR_OFFSET}"),
        ("GET", f"/admin/audit.csv?to={EARLY_OFFSET}"),
        ("GET", f"/api/data/{FLOW}?asOf={FAR_OFFSET}"),
    ],
)
def test_malformed_numbers_ids_and_times_are_refused(served, method, url):
    """Fails if an id, offset or time reaches the database or a datetime conversion unchecked."""
    headers = {"Authorization": f"Bearer {served.token}"}
    assert_refused(httpx.request(method, served.base + url.format(submission=served.submission), headers=headers))


def test_a_release_time_past_year_9999_in_utc_is_refused(served):
    url = f"{served.base}/api/submissions/{served.submission}/transitions"
    body = {"action": "publish", "release_at": FAR_OFFSET}
    response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {served.token}"})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "path",
    [
        f"/api/data/{FLOW}%00",
        "/api/dataflows/%00",
        f"/explore/{FLOW}%00",
        f"/explore/{FLOW}%00/download",
        f"/explore/{FLOW}/embed?REF_AREA=%00",
        "/country/MEX%00",
        "/sdmx/rest/data/%00/all",
        f"/sdmx/rest/data/{FLOW}/%00",
        "/static/%00",
        "/submissions/1%00",
        f"/api/data/{FLOW}?REF_AREA=%00",
        "/catalog?q=%00",
    ],
)
def test_a_nul_byte_anywhere_in_a_path_or_parameter_is_refused(served, path):
    """Fails if a NUL byte reaches a query or a file look-up (PostgreSQL and the file system refuse them)."""
    headers = {"Authorization": f"Bearer {served.token}"}
    response = httpx.get(served.base + path, headers=headers)
    assert response.status_code < 500, (path, response.text[:200])
    if "q=" not in path:
        assert_refused(response)

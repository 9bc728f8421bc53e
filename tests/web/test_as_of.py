"""``asOf`` reads the data as published at a past moment, and never sees the future.

Checked over HTTP against a live server: an embargoed value stays hidden whatever ``asOf`` asks for, a
malformed ``asOf`` is a 422 that says how to write it, and a withdrawn value stays readable at a moment inside
its published window (the documented choice: a citation "as published on D" must be reproducible).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.records.repository import utc_now
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.people import ADMIN
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
PUBLISHED, EMBARGOED, WITHDRAWN = 6660001, 6660002, 6660003
PUBLISH = ["submit", "approve-national", "approve-regional", "publish"]


def load(platform: Platform, provider: str, area: str, value: int) -> int:
    mapping = Mapping(
        columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
        constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
        | {"REF_AREA": area},
    )
    text = f"Nacionalidad;Mes;Eventos\nVEN;2024-01;{value}\n".encode()
    return submit(platform, SubmissionRequest(provider, FLOW, f"{area}.csv", text, mapping)).submission.id


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, datetime]]:
    """A live server with one published, one embargoed and one withdrawn value; yields (base URL, a moment
    inside the withdrawn value's published window)."""
    platform = new_platform(tmp_path_factory.mktemp("as-of"))
    published = load(platform, "MX_UPM", "MEX", PUBLISHED)
    for action in PUBLISH:
        take_step(platform, ADMIN, published, action, "", None)
    withdrawn = load(platform, "HN_INM", "HND", WITHDRAWN)
    for action in PUBLISH:
        take_step(platform, ADMIN, withdrawn, action, "", None)
    window = platform.records.published_releases()[FLOW].published_at
    take_step(platform, ADMIN, withdrawn, "withdraw", "withdrawn for the test", None)
    embargoed = load(platform, "GT_IGM", "GTM", EMBARGOED)
    for action in PUBLISH:
        release_at = utc_now() + timedelta(days=3) if action == "publish" else None
        take_step(platform, ADMIN, embargoed, action, "", release_at)
    with live_server(platform) as sdmx_url:
        yield sdmx_url.removesuffix("/sdmx/rest"), window


@pytest.mark.parametrize("as_of", ["2099-01-01T00:00:00Z", "2099-01-01", "9999-12-31T23:59:59+00:00"])
@pytest.mark.parametrize("format", ["json", "csv"])
def test_a_future_as_of_never_shows_an_embargoed_value(served, as_of, format):
    """The leak reported in issue 20: fails if ``Catalog.releases`` stops clamping ``asOf`` to the clock."""
    base, _ = served
    response = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": as_of, "format": format})
    assert response.status_code == 200, response.text
    assert str(EMBARGOED) not in response.text
    assert str(PUBLISHED) in response.text


def test_the_answer_names_the_moment_it_shows(served):
    """A future ``asOf`` is read as now, a past one as itself, and the JSON says which moment it shows."""
    base, window = served
    before = datetime.now(UTC)
    future = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": "2099-01-01T00:00:00Z"}).json()
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(future["asOf"]) <= datetime.now(UTC)
    past = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": window.isoformat()}).json()
    assert datetime.fromisoformat(past["asOf"]) == window
    assert httpx.get(f"{base}/api/data/{FLOW}").json()["asOf"] is None


@pytest.mark.parametrize(
    "as_of",
    ["tomorrow", "2024-13-01", "2024-01-01T25:00:00Z", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", ""],
)
def test_a_malformed_as_of_is_a_clear_422(served, as_of):
    base, _ = served
    response = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": as_of})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-parameter"
    assert "asOf" in error["message"]


def test_a_withdrawn_value_is_read_as_of_a_moment_it_was_published_and_not_now(served):
    """Fails if ``asOf`` stops reaching past releases (or starts hiding withdrawn values from them)."""
    base, window = served
    then = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": window.isoformat(), "format": "csv"})
    now = httpx.get(f"{base}/api/data/{FLOW}", params={"format": "csv"})
    assert str(WITHDRAWN) in then.text
    assert str(WITHDRAWN) not in now.text
    assert str(PUBLISHED) in now.text


def test_before_anything_was_published_there_is_nothing(served):
    base, _ = served
    response = httpx.get(f"{base}/api/data/{FLOW}", params={"asOf": "2000-01-01T00:00:00Z"})
    assert response.status_code == 404
    assert "2000-01-01" in response.json()["error"]["message"]

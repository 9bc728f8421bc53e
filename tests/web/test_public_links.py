"""Share, embed and download links start with the configured public address (``PIVGM_PUBLIC_URL``), or are
site-relative without one; a forged ``Host`` header never reaches them (a cache would otherwise keep a page
whose links point to the forger's site). Checked over HTTP against live servers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pivgm.ingest.mapping import Mapping
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.people import ADMIN
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
PUBLIC = "https://datos.example.org/pivgm"
FORGED = {"Host": "attacker.example"}
PAGES = [f"/explore/{FLOW}", f"/explore/{FLOW}/embed", f"/explore/{FLOW}/download?format=csv"]


def serve(tmp_path_factory: pytest.TempPathFactory, public_url: str) -> Iterator[str]:
    platform = new_platform(tmp_path_factory.mktemp("links"), public_url=public_url)
    mapping = Mapping(
        columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
        constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
        | {"REF_AREA": "MEX"},
    )
    text = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;12\n"
    submission = submit(platform, SubmissionRequest("MX_UPM", FLOW, "mx.csv", text, mapping)).submission.id
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, submission, action, "", None)
    with live_server(platform) as sdmx_url:
        yield sdmx_url.removesuffix("/sdmx/rest")


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory, PUBLIC)


@pytest.fixture(scope="module")
def unconfigured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory, "")


@pytest.mark.parametrize("path", PAGES)
def test_links_start_with_the_public_address_whatever_the_host_header(configured, path):
    """Fails if the explorer builds links from the request (``request.base_url``) again."""
    response = httpx.get(configured + path, headers=FORGED)
    assert response.status_code == 200, response.text[:300]
    assert "attacker.example" not in response.text
    assert f"{PUBLIC}/explore/{FLOW}" in response.text


@pytest.mark.parametrize("path", PAGES)
def test_without_a_public_address_links_are_site_relative(unconfigured, path):
    response = httpx.get(unconfigured + path, headers=FORGED)
    assert response.status_code == 200, response.text[:300]
    assert "attacker.example" not in response.text
    assert "127.0.0.1" not in response.text


def test_a_public_address_must_be_an_http_url(tmp_path):
    with pytest.raises(ValueError, match="public_url"):
        new_platform(tmp_path, public_url="javascript:alert(1)//")

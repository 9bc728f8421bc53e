"""HTTP as browsers and caches use it, over a real server: every answer of the read API (SDMX and /api, errors
included) may be read from any origin, ``OPTIONS`` and ``HEAD`` are answered, and public answers carry
validators: a repeated request gets 304 with no body until something is published. Private answers (a
token, a cookie, drafts) carry no validator, and a draft changes none."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from tests.live import serving
from tests.people import Person, person
from tests.sdmx.conftest import load_platform
from tests.sdmx.test_drafts import draft, steps

DATA = "/sdmx/rest/data/DF_IRREGULAR_TRANSIT/M.HND.VEN..."
READS = [
    (DATA, 200),
    ("/sdmx/rest/dataflow/PIVGM/DF_IRREGULAR_TRANSIT", 200),
    ("/sdmx/rest/data/DF_NOPE", 404),
    ("/sdmx/rest/data/DF_IRREGULAR_TRANSIT/M.HND", 400),
    ("/api/dataflows", 200),
    ("/api/data/DF_IRREGULAR_TRANSIT?REF_AREA=HND&limit=5", 200),
    ("/api/data/DF_NOPE", 404),
]
CACHEABLE = [DATA, "/sdmx/rest/datastructure/PIVGM/all", "/api/data/DF_IRREGULAR_TRANSIT?CITIZENSHIP=VEN&format=csv"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Person, str]]:
    """Honduras published, a Honduran submitter with a token, and a server over them."""
    platform = load_platform(tmp_path_factory.mktemp("http"), ("honduras_inm",))
    submitter = person(platform, "hn.sub", (Role.NATIONAL_SUBMITTER, "HN_INM"))
    with serving(platform.settings) as base:
        yield platform, submitter, base


@pytest.mark.parametrize(("path", "status"), READS)
def test_every_answer_of_the_read_api_may_be_read_by_a_page_on_any_origin(world, path, status):
    response = httpx.get(world[2] + path, headers={"Origin": "http://elsewhere.example"})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]


def test_pages_and_writes_stay_same_origin(world):
    assert "access-control-allow-origin" not in httpx.get(world[2] + "/").headers
    assert "access-control-allow-origin" not in httpx.post(world[2] + "/api/submissions").headers


@pytest.mark.parametrize("path", [DATA, "/api/data/DF_IRREGULAR_TRANSIT", "/sdmx/rest/data/DF_NOPE"])
def test_options_answers_a_preflight_instead_of_405(world, path):
    asked = {"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "GET"}
    asked["Access-Control-Request-Headers"] = "if-none-match, accept-language"
    response = httpx.options(world[2] + path, headers=asked)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "if-none-match" in response.headers["access-control-allow-headers"]
    assert httpx.options(world[2] + path).headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(("path", "status"), READS)
def test_head_answers_what_get_would_without_the_body(world, path, status):
    get, head = httpx.get(world[2] + path), httpx.head(world[2] + path)
    assert head.status_code == get.status_code == status
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
    assert head.headers.get("etag") == get.headers.get("etag")


@pytest.mark.parametrize("path", CACHEABLE)
def test_a_repeated_request_with_its_etag_gets_304_with_no_body(world, path):
    first = httpx.get(world[2] + path)
    assert first.status_code == 200 and first.content
    assert first.headers["cache-control"] == "public, max-age=60"
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    again = httpx.get(world[2] + path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == "public, max-age=60"
    assert again.headers["access-control-allow-origin"] == "*"
    assert httpx.get(world[2] + path, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    assert httpx.get(world[2] + path, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert httpx.get(world[2] + path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_the_etag_differs_for_every_representation(world):
    base = world[2]
    tags = {
        httpx.get(base + DATA).headers["etag"],
        httpx.get(base + DATA, params={"format": "csv"}).headers["etag"],
        httpx.get(base + DATA, headers={"Accept": "application/vnd.sdmx.data+json;version=1.0.0"}).headers["etag"],
        httpx.get(base + DATA, headers={"Accept-Language": "en"}).headers["etag"],
        httpx.get(base + DATA.replace("VEN", "HTI")).headers["etag"],
    }
    assert len(tags) == 5


def test_answers_for_someone_carry_no_validator_and_are_never_304(world):
    _, submitter, base = world
    public = httpx.get(base + DATA, params={"format": "csv"}).headers["etag"]
    drafts = {"format": "csv", "includeDrafts": "true"}
    own = httpx.get(base + DATA, params=drafts, headers={**submitter.headers, "If-None-Match": public})
    assert own.status_code == 200
    assert "etag" not in own.headers and "last-modified" not in own.headers
    assert own.headers["cache-control"] == "private, no-store"
    cookie = {"Cookie": "lang=en", "If-None-Match": public}
    with_cookie = httpx.get(base + DATA, params={"format": "csv"}, headers=cookie)
    assert with_cookie.status_code == 200 and "etag" not in with_cookie.headers
    refused = httpx.get(base + DATA, params=drafts)
    assert refused.status_code == 401 and "etag" not in refused.headers


def current_tag(base: str) -> str:
    return httpx.get(base + DATA, params={"format": "csv"}).headers["etag"]


def test_a_draft_changes_no_etag_and_a_publication_changes_every_one(world, tmp_path):
    platform, _, base = world
    before = current_tag(base)
    structures = httpx.get(base + "/sdmx/rest/dataflow").headers["etag"]
    submission = draft(platform, "HN_INM", "HND", 8880001.0)
    steps(platform, submission, "submit", "approve-national")
    time.sleep(1.5)  # longer than the server keeps the releases in force
    assert current_tag(base) == before
    assert httpx.get(base + DATA, params={"format": "csv"}, headers={"If-None-Match": before}).status_code == 304
    steps(platform, submission, "approve-regional", "publish")
    deadline = time.monotonic() + 10
    while current_tag(base) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    revised = httpx.get(base + DATA, params={"format": "csv"}, headers={"If-None-Match": before})
    assert revised.status_code == 200 and "8880001" in revised.text
    assert httpx.get(base + "/sdmx/rest/dataflow", headers={"If-None-Match": structures}).status_code == 200

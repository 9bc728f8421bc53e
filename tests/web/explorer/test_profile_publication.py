"""Country profiles are computed once per publication state and kept on disk for every worker
(web/profile_store.py): by the publishing job right after it publishes, else by the first worker asked, while
the others wait for it; a new release shows at once, and an embargoed one not before its time."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.catalog import Catalog
from pivgm.catalog.profiles import region_countries
from pivgm.catalog.published import PAGE_STORE, PublishedData
from pivgm.catalog.service import RELEASE_CACHE_SECONDS
from pivgm.platform import Platform
from pivgm.records.repository import utc_now
from pivgm.web.profile_store import ProfileStore
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.indicators.test_derived_indicators import POPULATION, STEPS, revise_population
from tests.live import serving
from tests.people import ADMIN, person

EMBARGO_SECONDS = 40  # longer than the publishing job takes to compute the region's profiles on a busy machine


def loaded(folder: Path, **settings: object) -> Platform:
    """A data folder with the World Bank population published by the installed `pivgm load-sources`."""
    platform = new_platform(folder, **settings)
    done = run_pivgm(platform.settings, "load-sources", "--only", "worldbank_population")
    assert done.returncode == 0, done.stderr
    return platform


def stored_files(platform: Platform) -> list[Path]:
    return sorted((platform.settings.data_dir / PAGE_STORE).glob("*/*"))


def honduras(base: str, page: str = "") -> httpx.Response:
    answer = httpx.get(f"{base}/country/HND", params={"lang": "en", **({"format": page} if page else {})}, timeout=60)
    assert answer.status_code == 200
    return answer


def how(answer: httpx.Response) -> str:
    """How the server had the page, from its Server-Timing: computed now, or read from disk (and by whom)."""
    return answer.headers["server-timing"].removeprefix('profile;desc="').removesuffix('"')


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    return loaded(tmp_path_factory.mktemp("profiles"))  # publications compute no profile (tests/backends.py)


def test_a_publication_shows_on_a_profile_a_worker_already_kept(platform):
    with serving(platform.settings) as base:
        for page in ("", "json"):  # the page, then its JSON twin
            assert "10,825,703" in honduras(base, page).text  # Honduras, 2024, as the World Bank publishes it
            kept = honduras(base, page)
            assert "10,825,703" in kept.text and how(kept) == "stored:request"
        revise_population(platform, "HND;2024;12345678\n")
        time.sleep(RELEASE_CACHE_SECONDS)  # workers re-read the releases in force at most once a second
        for page in ("", "json"):
            shown = honduras(base, page).text
            assert "12,345,678" in shown and "10,825,703" not in shown


def test_the_publishing_job_computes_every_region_profile_before_the_first_request(tmp_path):
    platform = loaded(tmp_path, warm_profiles=True)
    region = [c.id for c in region_countries(platform.standard.codelist("CL_AREA"))]
    names = {path.name for path in stored_files(platform)}
    assert {f"{code}.{language}.json" for code in region for language in ("es", "en")} <= names
    pages = [path for path in stored_files(platform) if path.suffix == ".json"]
    assert all(path.stat().st_mode & 0o044 == 0o044 for path in pages)  # the server may run as another user
    with serving(platform.settings) as base:
        answers = [httpx.get(f"{base}/country/{code}", params={"lang": "es"}, timeout=60) for code in region]
        assert {how(answer) for answer in answers} == {"stored:publication"}
        assert "10,825,703" in honduras(base).text


def test_an_embargoed_release_is_in_no_profile_before_its_time(tmp_path):
    """The job computes the profiles of the state the release will make, kept under that state's tag: on
    disk before its time, served from its time on, never before."""
    platform = loaded(tmp_path, warm_profiles=True)
    with serving(platform.settings) as base:
        assert "10,825,703" in honduras(base).text
        at = utc_now() + timedelta(seconds=EMBARGO_SECONDS)
        revise_population(platform, "HND;2024;22222222\n", release_at=at)
        assert utc_now() < at - timedelta(seconds=2), "the job took longer than the embargo: lengthen it"
        assert any("22,222,222" in path.read_text() for path in stored_files(platform))  # computed, kept
        for page in ("", "json"):
            early = honduras(base, page).text
            assert "10,825,703" in early and "22,222,222" not in early
        time.sleep(max(0.0, (at - utc_now()).total_seconds()) + RELEASE_CACHE_SECONDS)
        on_time = honduras(base)
        assert "22,222,222" in on_time.text and how(on_time) == "stored:publication"


def test_two_workers_asked_at_once_compute_a_profile_once(platform):
    revise_population(platform, "HND;2024;33333333\n")  # a state no job prepared (the fixture's are off)
    with serving(platform.settings) as first, serving(platform.settings) as second:
        start, answers = threading.Barrier(2), {}

        def ask(base: str) -> None:
            start.wait()
            answers[base] = honduras(base)

        threads = [threading.Thread(target=ask, args=(base,)) for base in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(how(answer) for answer in answers.values()) == ["computed", "stored:request"]
        assert all("33,333,333" in answer.text for answer in answers.values())
    tag = Catalog(PublishedData(platform)).publication_state().tag
    folder = ProfileStore(platform.settings.data_dir / PAGE_STORE).folder(tag)
    kept = sorted(path.name for path in folder.iterdir())
    assert kept == ["HND.en.json", "HND.es.json", "HND.lock"]  # written whole: no temporary file left


def test_a_publication_clicked_on_the_web_computes_the_profiles_after_answering(tmp_path):
    """The review step's answer does not wait for the profiles (``later``: the request's background tasks);
    the worker computes them right after, so the first views read files. Fails if the web step stops
    handing the job to its background tasks (nothing computes the new state's pages)."""
    platform = loaded(tmp_path, warm_profiles=True)
    reviewer = person(platform, "regional", (Role.ADMINISTRATOR, None))
    text = b"Pais;Anio;Poblacion\nHND;2024;33333333\n"
    outcome = submit(platform, SubmissionRequest("WB", "DF_POPULATION", "revision.csv", text, POPULATION))
    for action in STEPS[:-1]:
        take_step(platform, ADMIN, outcome.submission.id, action)
    before = set(stored_files(platform))
    with serving(platform.settings) as base:
        step = httpx.post(
            f"{base}/api/submissions/{outcome.submission.id}/transitions",
            json={"action": "publish"},
            headers={"Authorization": f"Bearer {reviewer.token}"},
            timeout=120,
        )
        assert step.status_code == 200 and step.json()["state"] == "published"
        region = {c.id for c in region_countries(platform.standard.codelist("CL_AREA"))}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            new = {path.name.split(".")[0] for path in set(stored_files(platform)) - before}
            if region <= new:
                break
            time.sleep(0.5)
        assert region <= new, f"no kept page of the new state for {sorted(region - new)}"
        shown = honduras(base)
        assert "33,333,333" in shown.text and how(shown) == "stored:publication"

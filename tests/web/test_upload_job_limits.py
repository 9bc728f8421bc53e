"""The per-upload limits over HTTP, against a live server configured with tiny ones: an upload past its
processor time is stopped and reported (what happened and what to do, in Spanish and English) and leaves
nothing; the guided upload's pages read the file under the same limits; the server keeps answering."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from pivgm.workflow import drafts
from pivgm.workflow.jobs import discard_unsubmitted
from pivgm.workflow.submissions import SubmissionRequest, submit
from tests.backends import settings_for
from tests.indicators.test_derived_indicators import POPULATION
from tests.live import serving
from tests.people import person
from tests.web.big_files import MAPPING, returns_file, upload
from tests.web.signed_in.conftest import honduras_file

pytestmark = pytest.mark.slow


def left_files(folder: Path) -> list[Path]:
    """Files under ``folder``, but the forkserver's socket folder (``pymp-*``), which lives as long as the server."""
    return [path for path in folder.rglob("*") if not any(part.startswith("pymp-") for part in path.parts)]


def test_an_upload_over_its_processor_time_is_stopped_reported_in_both_languages_and_leaves_nothing(tmp_path):
    """A 190 MB file (4.5 M rows) needs about two seconds of processor time to be read and checked, the limit
    is 1 s, so the job is stopped before anything is recorded (a 40 MB file, now checked in a third of a
    second, was stopped while it was archived or loaded). Seen red without ``RLIMIT_CPU`` in ``jobs._limit``
    (the upload was then checked, loaded and answered 201)."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    big = tmp_path / "files" / "devoluciones.csv"
    big.parent.mkdir()
    returns_file(big, 190_000_000)
    scratch = tmp_path / "tmp"  # the server's temporary folder: uploads and jobs write theirs here
    scratch.mkdir()
    with serving(platform.settings, PIVGM_UPLOAD_CPU_SECONDS="1", TMPDIR=str(scratch)) as base:
        answer = upload(base, submitter.headers, "devoluciones.csv", big, mapping=MAPPING)
        assert answer.status_code == 413, answer.text[:2000]
        error = answer.json()["error"]
        assert error["code"] == "processing-limit"
        assert error["message"] == (
            "devoluciones.csv: checking and loading the file needed more than 1 s of processor time, the most one "
            "submission may use; it was stopped before anything was recorded. Split the file (by year or by "
            "country) and submit the parts."
        )
        assert error["messages"]["en"] == error["message"]
        assert error["messages"]["es"] == (
            "devoluciones.csv: revisar y cargar el archivo necesitó más de 1 s de procesador, el máximo que puede "
            "usar un envío; se detuvo antes de registrar nada. Divida el archivo (por año o por país) y envíe las "
            "partes."
        )
        assert left_files(scratch) == []  # neither the upload's copy nor the stopped job's files
        assert httpx.get(f"{base}/api/dataflows", timeout=30).status_code == 200  # the worker still answers
        assert httpx.get(f"{base}/api/me", headers=submitter.headers, timeout=30).status_code == 200
    assert platform.submissions.count() == 0
    assert not (platform.settings.data_dir / "archive").exists() or not any(
        (platform.settings.data_dir / "archive").iterdir()
    )


def test_the_guided_upload_pages_read_the_file_under_the_upload_limits(tmp_path):
    """Under a 60 MB memory limit (less than any job needs) the preview and mapping pages of an ordinary file
    are refused with the limit's error, so they are built in the limited child, not in the web worker. Seen red
    with ``drafts.preview`` called directly in ``preview_page`` (the page answered 200)."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    submitter = person(platform, "hn.submitter", (Role.NATIONAL_SUBMITTER, "HN_INM"))
    file = tmp_path / "irreg_honduras.csv"
    file.write_bytes(honduras_file())
    sha256 = drafts.stage(platform, submitter.actor, "HN_INM", "DF_IRREGULAR_TRANSIT", file.name, file)
    query = {"provider": "HN_INM", "dataflow": "DF_IRREGULAR_TRANSIT"}
    with serving(platform.settings, PIVGM_UPLOAD_MEMORY_MB="60") as base:
        for page in (f"/submit/file/{sha256}", f"/submit/file/{sha256}/mapping"):
            answer = httpx.get(base + page, params=query, headers=submitter.headers, timeout=120)
            assert answer.status_code == 413, (page, answer.text[:2000])
            error = answer.json()["error"]
            assert error["code"] == "processing-limit"
            assert (
                "irreg_honduras.csv: checking and loading the file needed more than 60 MB of memory"
                in (error["messages"]["en"])
            )
            assert "60 MB de memoria" in error["messages"]["es"]
        assert httpx.get(f"{base}/api/dataflows", timeout=30).status_code == 200


def test_a_stopped_upload_keeps_the_archived_file_a_submission_refers_to(tmp_path):
    """The stopped job's clean-up removes only a copy no submission refers to: the same file submitted before
    stays archived (fails if ``forget_unsubmitted_file`` stops checking the submissions)."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    text = b"Pais;Anio;Poblacion\nHND;2024;10900000\n"
    request = SubmissionRequest("WB", "DF_POPULATION", "poblacion.csv", text, POPULATION)
    submitted = submit(platform, request)
    discard_unsubmitted(platform, submitted.submission.file_sha256, "poblacion.csv")
    archived = platform.submissions.archived_file(submitted.submission.file_sha256)
    assert archived is not None and (platform.settings.data_dir / archived.stored_file).exists()


def test_an_upload_stopped_at_a_limit_keeps_the_copy_the_guided_upload_staged(tmp_path):
    """The stopped job removes only a copy it archived itself: the same file staged for the guided upload
    before (archived, no submission yet) stays, so the guided pages still find it. Fails if the parent
    discards every unsubmitted copy of the content (seen red: the staged file was deleted). The file is one
    that needs about two seconds of processor time (a 40 MB one is now checked and loaded within the 1 s)."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    big = tmp_path / "devoluciones.csv"
    returns_file(big, 190_000_000)
    sha256 = drafts.stage(platform, submitter.actor, "MX_UPM", "DF_RETURNS", big.name, big)
    with serving(platform.settings, PIVGM_UPLOAD_CPU_SECONDS="1") as base:
        answer = upload(base, submitter.headers, "devoluciones.csv", big, mapping=MAPPING)
        assert answer.status_code == 413 and answer.json()["error"]["code"] == "processing-limit"
    staged = platform.submissions.archived_file(sha256)
    assert staged is not None and (platform.settings.data_dir / staged.stored_file).exists()

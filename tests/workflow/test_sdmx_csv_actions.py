"""SDMX-CSV 2.0 actions applied as the standard says, through the library, over HTTP and with the CLI; and
every example of the specification (examples 01-10) either applied or reported clearly, never a 500."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from pivgm.web.app import create_app
from pivgm.workflow.submissions import SubmissionRequest, submit
from tests.backends import settings_for
from tests.executable import run_pivgm
from tests.people import person

EXAMPLES = sorted((Path(__file__).parents[1] / "ingest" / "specimens" / "sdmx_csv_2_0").glob("example-*.csv"))
HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,CITIZENSHIP,SEX,AGE,ACCOMPANIMENT,TIME_PERIOD,OBS_VALUE,"
HEADER += "UNIT_MEASURE,OBS_COMMENT\n"
ROW = (
    "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),{action},M,MEX,{citizenship},_T,_T,_T,2024-01,{value},{unit},{comment}\n"
)
FIRST = HEADER + "".join(
    ROW.format(action="I", citizenship=c, value=v, unit="EVENTS", comment="preliminar")
    for c, v in (("VEN", 1200), ("HND", 850), ("GTM", 640))
)


def send(platform: Platform, text: str, name: str = "envio.csv"):  # type: ignore[no-untyped-def]
    request = SubmissionRequest("MX_UPM", "DF_IRREGULAR_TRANSIT", name, text.encode())
    return submit(platform, request)


def rows_of(platform: Platform, version_id: int) -> dict[str, tuple[float, str | None]]:
    table = pq.read_table(platform.warehouse.path(platform.records.version(version_id).parquet_file))
    names = ("CITIZENSHIP", "OBS_VALUE", "OBS_COMMENT")
    return {c: (v, comment) for c, v, comment in zip(*(table.column(n).to_pylist() for n in names), strict=True)}


@pytest.fixture
def loaded(empty_platform: Platform) -> Platform:
    first = send(empty_platform, FIRST)
    assert first.version is not None, first.report.to_dict()
    return empty_platform


def test_a_delete_naming_only_an_attribute_clears_it_and_keeps_the_observation(loaded):
    """Fails if ``prepare_deletions`` stops turning such rows into ``D:ATTR`` (the observation is then deleted)."""
    text = HEADER + ROW.format(action="D", citizenship="VEN", value="", unit="", comment="-")
    outcome = send(loaded, text)
    assert outcome.report.valid, outcome.report.to_dict()
    assert rows_of(loaded, outcome.version.id) == {
        "VEN": (1200, None),
        "HND": (850, "preliminar"),
        "GTM": (640, "preliminar"),
    }


def test_a_delete_whose_value_is_a_dash_deletes_the_observation(loaded):
    text = HEADER + ROW.format(action="D", citizenship="HND", value="-", unit="", comment="")
    outcome = send(loaded, text)
    assert outcome.report.valid, outcome.report.to_dict()
    assert set(rows_of(loaded, outcome.version.id)) == {"VEN", "GTM"}


def test_a_delete_naming_only_the_key_deletes_the_observation(loaded):
    text = HEADER + ROW.format(action="D", citizenship="GTM", value="", unit="", comment="")
    outcome = send(loaded, text)
    assert set(rows_of(loaded, outcome.version.id)) == {"VEN", "HND"}


def test_empty_attribute_cells_are_absent_values(empty_platform):
    """Fails if the SDMX-CSV reader's ``_absent_if_empty`` is removed ('' is then no code of CL_OBS_STATUS)."""
    text = (
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,CITIZENSHIP,SEX,AGE,ACCOMPANIMENT,TIME_PERIOD,OBS_VALUE,"
        "UNIT_MEASURE,OBS_STATUS,CONF_STATUS\n"
        "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),I,M,MEX,VEN,_T,_T,_T,2024-01,1200,EVENTS,,\n"
    )
    outcome = send(empty_platform, text)
    assert outcome.report.valid, outcome.report.to_dict()


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("STRUCTURE,STRUCTURE_ID,ACTION\n", "no-observations"),
        ("STRUCTURE,STRUCTURE_ID,ACTION\ndataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),D\n", "delete-everything"),
        (FIRST.replace("PIVGM:DF_IRREGULAR_TRANSIT(1.0)", "PIVGM:DF_RETURNS(1.0)"), "structure-mismatch"),
    ],
    ids=["header-only", "structure-only-delete", "another-flow"],
)
def test_files_that_cannot_apply_get_a_clear_report_and_change_nothing(loaded, text, issue):
    """The declared-structure case fails if ``structure_issue`` is not called in ``check_file`` (the file
    then loads into the wrong flow)."""
    before = loaded.records.versions("DF_IRREGULAR_TRANSIT")
    outcome = send(loaded, text)
    assert list(outcome.report.rules) == [issue]
    assert outcome.version is None
    assert loaded.records.versions("DF_IRREGULAR_TRANSIT") == before


def test_rows_with_only_the_structure_and_no_delete_are_ignored_with_a_note(empty_platform):
    outcome = send(empty_platform, FIRST + "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),I,,,,,,,,,,\n")
    assert outcome.report.valid and outcome.version is not None
    assert any("no component value" in note for note in outcome.report.notes)


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("sdmx-csv-uploads")))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        yield client


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_every_official_example_uploads_to_a_clear_report(uploads, example):
    """The examples describe ESTAT:NA_MAIN, not a PIVGM dataflow: each is refused with a report saying
    which structure it declares (or that it mixes several), with a 4xx or 201, never a 500."""
    response = uploads.post(
        "/api/submissions",
        data={"dataflow": "DF_IRREGULAR_TRANSIT", "provider": "MX_UPM"},
        files={"file": (example.name, example.read_bytes(), "text/csv")},
    )
    assert response.status_code < 500, response.text
    report = response.json()["report"]
    assert report["valid"] is False
    assert {rule["type"] for rule in report["rules"]} <= {"structure-mismatch", "unreadable-file"}
    assert "NA_MAIN" in response.text or "DF_A" in response.text


def test_every_official_example_validates_to_exit_code_1_with_the_cli(tmp_path):
    settings = settings_for(tmp_path / "data")
    for example in EXAMPLES:
        result = run_pivgm(settings, "validate", str(example), "--flow", "DF_IRREGULAR_TRANSIT", "--provider", "MX_UPM")
        assert result.returncode == 1, (example.name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "structure-mismatch" in result.stdout or "unreadable-file" in result.stdout

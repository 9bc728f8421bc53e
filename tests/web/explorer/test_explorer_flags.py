"""Observation status and notes are shown beside the figures they qualify: in tables, charts and downloads.

The real sources publish only normal values, so these tests load a small specimen with an estimated and a
provisional value and a note (one that a spreadsheet would run as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources import SourceImporter
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from tests.web.explorer.explorer_helpers import spec_of

NOTE = '=HYPERLINK("http://example.invalid")'


class FlaggedPopulation(SourceImporter):
    """Population of Mexico 2021-2024: 2023 estimated, 2024 provisional and with a note."""

    id = "specimen_flagged_population"
    dataflow_id = "DF_POPULATION"
    provider_id = "WB"
    provider_name = {"es": "Banco Mundial", "en": "World Bank"}
    files = ("specimen.csv",)

    def read(self, directory: Path = Path()) -> pa.Table:
        return pa.table(
            {
                "FREQ": ["A"] * 4,
                "REF_AREA": ["MEX"] * 4,
                "TIME_PERIOD": ["2021", "2022", "2023", "2024"],
                "OBS_VALUE": [126.7e6, 127.5e6, 128.5e6, 129.7e6],
                "OBS_STATUS": ["A", "A", "E", "P"],
                "OBS_COMMENT": [None, None, None, NOTE],
            }
        )


@pytest.fixture(scope="module")
def flagged_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("flagged")
    (folder / "specimen.csv").write_text("specimen\n", encoding="utf-8")
    platform = Platform.initialise(Settings(data_dir=folder / "data", database_url=None))
    load_source(FlaggedPopulation(), platform.standard, platform.records, platform.warehouse, directory=folder)
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        yield client


def test_the_table_marks_flagged_figures_and_numbers_their_notes(flagged_client):
    html = flagged_client.get(
        "/explore/DF_POPULATION", params={"view": "table", "lang": "en", "rows": "TIME_PERIOD"}
    ).text
    table = html.split('id="pivot-table"')[1].split("</table>")[0]
    assert '<sup class="flag" aria-label="Estimated value">E</sup>' in table
    assert '<sup class="flag" aria-label="Provisional value">P</sup>' in table
    assert '<sup class="note"><span class="visually-hidden">Note </span>1</sup>' in table
    notes = html.split('class="table-notes"')[1]
    assert "Estimated value" in notes and "Provisional value" in notes and "HYPERLINK" in notes
    assert "E</span> Estimated value" in html.split('id="context-title"')[1]


def test_charts_mark_flagged_observations_and_name_their_status(flagged_client):
    spec = spec_of(flagged_client.get("/explore/DF_POPULATION", params={"lang": "en"}).text)
    flags = {row["period"]: row["flag"] for row in spec["data"]["values"]}
    assert flags == {"2021": "", "2022": "", "2023": "Estimated value", "2024": "Provisional value"}
    assert spec["layer"][1]["transform"] == [{"filter": "datum.flag != ''"}]  # a marker on flagged points


def test_downloads_keep_flags_and_neutralise_notes_that_look_like_formulas(flagged_client):
    response = flagged_client.get(
        "/explore/DF_POPULATION/download", params={"format": "csv", "lang": "en", "scope": "long"}
    )
    lines = [line for line in response.text.splitlines() if not line.startswith("#")]
    rows = {row["TIME_PERIOD"]: row for row in csv.DictReader(io.StringIO("\n".join(lines)))}
    assert rows["2023"]["OBS_STATUS"] == "E" and rows["2023"]["OBS_STATUS_NAME"] == "Estimated value"
    assert rows["2024"]["OBS_COMMENT"] == "'" + NOTE


def test_sdmx_csv_neutralises_notes_that_look_like_formulas(flagged_client):
    response = flagged_client.get("/explore/DF_POPULATION/download", params={"format": "sdmx-csv", "scope": "long"})
    rows = {row["TIME_PERIOD"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert rows["2024"]["OBS_COMMENT"] == "'" + NOTE and rows["2023"]["OBS_STATUS"] == "E"

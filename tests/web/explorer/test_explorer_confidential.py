"""Confidential cells (CONF_STATUS C or D, no value) are shown as confidential: not as zeros, not as missing,
and never hidden inside a sum."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from pivgm.catalog.grid import add_up, build_grid
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources import SourceImporter
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source


class ConfidentialSpecimen(SourceImporter):
    """Two countries, 2022-2023; Guatemala 2023 is confidential (primary), with no value."""

    id = "specimen_confidential"
    dataflow_id = "DF_POPULATION"
    provider_id = "WB"
    provider_name = {"es": "Banco Mundial", "en": "World Bank"}
    files = ("specimen.csv",)

    def read(self, directory: Path = Path()) -> pa.Table:
        return pa.table(
            {
                "FREQ": ["A"] * 4,
                "REF_AREA": ["MEX", "MEX", "GTM", "GTM"],
                "TIME_PERIOD": ["2022", "2023", "2022", "2023"],
                "OBS_VALUE": pa.array([1000.0, 1100.0, 200.0, None]),
                "CONF_STATUS": ["F", "F", "F", "C"],
            }
        )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("confidential")
    (folder / "specimen.csv").write_text("specimen\n", encoding="utf-8")
    platform = Platform.initialise(Settings(data_dir=folder / "data", database_url=None))
    load_source(ConfidentialSpecimen(), platform.standard, platform.records, platform.warehouse, directory=folder)
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_json_api_gives_the_status_and_no_value(client):
    rows = client.get("/api/data/DF_POPULATION", params={"REF_AREA": "GTM"}).json()["observations"]
    assert [(r["TIME_PERIOD"], r["OBS_VALUE"], r["CONF_STATUS"]) for r in rows] == [
        ("2022", 200.0, "F"),
        ("2023", None, "C"),
    ]


def test_the_table_shows_a_confidential_cell_as_such(client):
    """Fails if the explorer renders a withheld value as a number or as 'no value'."""
    html = client.get(
        "/explore/DF_POPULATION", params={"view": "table", "lang": "en", "rows": "TIME_PERIOD", "REF_AREA": "GTM"}
    ).text
    table = html.split('id="pivot-table"')[1].split("</table>")[0]
    assert "conf." in table
    assert '<sup class="flag" aria-label="Confidential statistical information">C</sup>' in table
    assert "200" in table and ">0<" not in table


def test_a_sum_with_a_confidential_part_is_confidential():
    """Fails if the grid adds the published parts around a confidential one (a wrong, partial sum)."""
    table = pa.table(
        {
            "REF_AREA": ["MEX", "GTM", "MEX", "GTM"],
            "TIME_PERIOD": ["2022", "2022", "2023", "2023"],
            "OBS_VALUE": pa.array([1000.0, 200.0, 1100.0, None]),
            "UNIT_MEASURE": ["PS"] * 4,
            "UNIT_MULT": ["0"] * 4,
            "OBS_STATUS": ["A"] * 4,
            "CONF_STATUS": ["F", "F", "F", "C"],
            "OBS_COMMENT": pa.array([None] * 4, pa.string()),
        }
    )
    grid = build_grid(table, [], ["REF_AREA"], {})
    assert grid.cells[((), "2022")].value == 1200
    assert grid.cells[((), "2023")].value is None and grid.cells[((), "2023")].confidentiality == ("C",)
    assert add_up([grid.cells[((), "2022")], grid.cells[((), "2023")]]).withheld

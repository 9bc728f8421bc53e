"""Round trip: a dataflow exported as SDMX-CSV or SDMX-ML, read back by the submission readers and loaded
into a fresh store, has identical observations and attributes; pysdmx reads the same values."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pytest
from pysdmx.io import read_sdmx

from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.sources.base import SourceImporter
from pivgm.workflow.loading import load_source
from pivgm.workflow.pulling import observation_table
from tests.backends import settings_for

FORMATS = {
    "sdmx-csv-2.0": "csv",
    "csv": "csv",
    "structurespecificdata": "xml",
    "genericdata": "xml",
}
FLOWS = ["DF_IRREGULAR_TRANSIT", "DF_MISSING_MIGRANTS_INCIDENTS"]


def rows(table: pa.Table, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Rows as tuples, text as it is (IOM's location descriptions keep their trailing no-break spaces)."""
    return sorted(tuple(row[c] for c in columns) for row in table.select(list(columns)).to_pylist())


def export(api: Any, flow: str, format_name: str, folder: Path) -> Path:
    response = api.get(f"/sdmx/rest/data/{flow}", params={"format": format_name})
    assert response.status_code == 200
    path = folder / f"{flow}.{FORMATS[format_name]}"
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("format_name", list(FORMATS))
def test_an_export_read_back_and_loaded_into_a_fresh_store_is_identical(api, catalog, tmp_path, flow, format_name):
    dataflow = catalog.standard.dataflow(flow)
    path = export(api, flow, format_name, tmp_path)

    class Exported(SourceImporter):
        dataflow_id: ClassVar[str] = flow
        provider_id: ClassVar[str] = "ROUND_TRIP"
        provider_name: ClassVar[dict[str, str]] = {"es": "Ida y vuelta", "en": "Round trip"}
        files: ClassVar[tuple[str, ...]] = (path.name,)

        def read(self, directory: Path = tmp_path) -> pa.Table:
            return observation_table(directory / path.name, dataflow)

    Exported.id = f"round_trip_{format_name}"
    fresh = Platform.initialise(settings_for(tmp_path / "fresh"))
    load_source(Exported(), fresh.standard, fresh.records, fresh.warehouse, directory=tmp_path)
    columns = dataflow.structure.column_ids
    original = catalog.data(flow, DataSelection()).table
    reloaded = Catalog(PublishedData(fresh)).data(flow, DataSelection()).table
    assert reloaded.num_rows == original.num_rows
    assert rows(reloaded, columns) == rows(original, columns)


@pytest.mark.parametrize("format_name", ["sdmx-csv-2.0", "structurespecificdata"])
def test_pysdmx_reads_an_export_with_the_same_observations_and_attributes(api, catalog, format_name):
    flow = "DF_IRREGULAR_TRANSIT"
    response = api.get(f"/sdmx/rest/data/{flow}", params={"format": format_name})
    (dataset,) = read_sdmx(response.text).data
    frame = dataset.data
    columns = (
        "FREQ",
        "REF_AREA",
        "CITIZENSHIP",
        "SEX",
        "AGE",
        "ACCOMPANIMENT",
        "TIME_PERIOD",
        "OBS_STATUS",
        "UNIT_MEASURE",
    )
    got = sorted((*(str(r[c]) for c in columns), float(r["OBS_VALUE"])) for r in frame.to_dict("records"))
    original = catalog.data(flow, DataSelection()).table.to_pylist()
    assert got == sorted((*(r[c] for c in columns), r["OBS_VALUE"]) for r in original)

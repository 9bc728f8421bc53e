"""IOM Missing Migrants incidents importer: one observation per incident, with its place and survivors."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.iom_missing_migrants import IomMissingMigrants
from pivgm.sources.iom_missing_migrants_incidents import IomMissingMigrantsIncidents
from pivgm.structures import load_standard

FILE = "mmp_2014-2025-04_iom_gdidata.csv.gz"


def raw_rows() -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with gzip.open(path / FILE, "wb") as f:
        f.write(buffer.getvalue().encode(encoding))


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return IomMissingMigrantsIncidents().read()


@pytest.fixture(scope="module")
def pairs(table) -> list[tuple[dict[str, str], dict]]:
    """Each raw row with its observation (the importer keeps file order)."""
    return list(zip(raw_rows(), table.to_pylist(), strict=True))


def test_there_is_one_observation_per_incident_of_the_vendored_file(table):
    assert table.num_rows == len(raw_rows()) == 6_897


def test_incident_ids_are_the_date_and_the_ordinal_within_the_date(table, pairs):
    ids = table.column("INCIDENT").to_pylist()
    assert len(set(ids)) == len(ids)
    assert ids[0] == "2014-01-06-001"
    ordinals: dict[str, int] = {}
    for raw, observation in pairs:
        ordinals[raw["t"]] = ordinals.get(raw["t"], 0) + 1
        assert observation["INCIDENT"] == f"{raw['t']}-{ordinals[raw['t']]:03d}"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{3}", observation["INCIDENT"])


def test_each_incident_keeps_its_dead_and_missing_month_and_place(pairs):
    for raw, observation in pairs:
        assert observation["OBS_VALUE"] == int(raw["dead"])
        assert observation["TIME_PERIOD"] == raw["m"][:7]
        assert float(observation["LATITUDE"]) == float(raw["lat"])
        assert float(observation["LONGITUDE"]) == float(raw["lon"])
        assert observation["LOCATION_DESCRIPTION"] == (raw["location"] or None)


def test_unknown_survivors_stay_empty_not_zero(pairs):
    for raw, observation in pairs:
        assert observation["SURVIVORS"] == (raw["surv"] or None)
    assert sum(1 for _, observation in pairs if observation["SURVIVORS"] is None) == 6_362


def test_citizenships_keep_every_listed_code_with_unknown_as_u(pairs):
    area = load_standard().codelists["CL_AREA"]
    for raw, observation in pairs:
        assert observation["CITIZENSHIP"] == raw["nat"].replace("UNK", "_U")
        assert all(code in area for code in observation["CITIZENSHIP"].split(","))
    assert any("," in observation["CITIZENSHIP"] for _, observation in pairs)


def test_cumulative_incidents_and_several_causes_are_noted(pairs):
    for raw, observation in pairs:
        comment = observation["OBS_COMMENT"] or ""
        assert (raw["type"] != "Incident") == ("IOM incident type" in comment)
        assert (observation["CAUSE_OF_DEATH"] == "MULTIPLE") == (f"IOM causes: {raw['cause']}" in comment)
    assert sum(1 for raw, _ in pairs if raw["type"] == "Cumulative Incident") == 43


def test_incidents_add_up_to_the_monthly_dataflow(table):
    monthly = IomMissingMigrants().read()
    total = sum(int(row["dead"]) for row in raw_rows())
    assert sum(table.column("OBS_VALUE").to_pylist()) == total
    assert sum(monthly.column("OBS_VALUE").to_pylist()) == total


def test_incidents_have_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[IomMissingMigrantsIncidents.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names[: len(keys) + 1] == [*keys, "OBS_VALUE"]
    assert set(table.column_names[len(keys) + 1 :]) <= set(dataflow.structure.attribute_ids)
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        if dimension.codelist is not None:
            assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()


def test_a_file_without_coordinates_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "lat"} for row in raw_rows()[:5]]
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 1, column 'lat'"):
        IomMissingMigrantsIncidents().read(tmp_path)


def test_a_latin1_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows()[:5]
    rows[3]["location"] = "Río Suchiate, frontera con Guatemala"
    write_rows(tmp_path, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 5: the file is not valid UTF-8"):
        IomMissingMigrantsIncidents().read(tmp_path)


def test_an_empty_file_is_rejected(tmp_path):
    with gzip.open(tmp_path / FILE, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{FILE}: the file is empty"):
        IomMissingMigrantsIncidents().read(tmp_path)


def test_a_malformed_latitude_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[1]["lat"] = "31,65"
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 3, column 'lat'"):
        IomMissingMigrantsIncidents().read(tmp_path)

"""IOM Missing Migrants importer: reproduces IOM's dead-and-missing totals by route, cause and country."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.iom_missing_migrants import CAUSES, ROUTES, IomMissingMigrants, split_causes
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


def iom_labels(codelist_id: str) -> dict[str, str]:
    """IOM label -> code, from the codelist's annotations (independent of the importer's dictionaries)."""
    return {
        code.annotations["iom_label"]: code.id
        for code in load_standard().codelists[codelist_id]
        if "iom_label" in code.annotations
    }


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return IomMissingMigrants().read()


def test_central_american_route_dead_and_missing_match_the_provenance_check(table):
    raw: Counter = Counter()
    for row in raw_rows():
        if row["route"] == "Central American Route":
            raw[row["t"][:4]] += int(row["dead"])
    output: Counter = Counter()
    for row in table.to_pylist():
        if row["MIGRATION_ROUTE"] == "CAM_ROUTE":
            output[row["TIME_PERIOD"][:4]] += row["OBS_VALUE"]
    for year, total in {"2022": 1_465, "2023": 1_258, "2024": 1_218}.items():
        assert raw[year] == total
        assert output[year] == total


def test_monthly_sums_by_country_route_and_cause_equal_the_raw_file(table):
    routes, causes = iom_labels("CL_MIGRATION_ROUTE"), iom_labels("CL_CAUSE_OF_DEATH")
    raw: Counter = Counter()
    for row in raw_rows():
        cause = causes.get(row["cause"], "MULTIPLE")
        raw[(row["m"][:7], row["geo"] or "_U", routes[row["route"]], cause)] += int(row["dead"])
    output = {
        (r["TIME_PERIOD"], r["REF_AREA"], r["MIGRATION_ROUTE"], r["CAUSE_OF_DEATH"]): r["OBS_VALUE"]
        for r in table.to_pylist()
    }
    assert output == raw


def test_cells_listing_several_causes_are_coded_multiple(table):
    several = [row for row in raw_rows() if row["cause"] not in CAUSES]
    assert sorted(row["cause"] for row in several) == [
        "Drowning,Sickness / lack of access to adequate healthcare",
        "Drowning,Violence",
        "Harsh environmental conditions / lack of adequate shelter, food, water,"
        "Sickness / lack of access to adequate healthcare",
    ]
    multiple = [r for r in table.to_pylist() if r["CAUSE_OF_DEATH"] == "MULTIPLE"]
    assert sum(r["OBS_VALUE"] for r in multiple) == sum(int(row["dead"]) for row in several)


def test_a_cause_label_containing_commas_is_one_cause_not_several():
    harsh = "Harsh environmental conditions / lack of adequate shelter, food, water"
    assert split_causes(harsh) == [harsh]
    assert split_causes(f"Drowning,{harsh}") == ["Drowning", harsh]
    assert split_causes("Drowning,Unheard of") is None


def test_importer_labels_agree_with_the_codelist_annotations():
    assert iom_labels("CL_MIGRATION_ROUTE") == dict(ROUTES)
    assert iom_labels("CL_CAUSE_OF_DEATH") == dict(CAUSES)


def test_missing_migrants_has_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[IomMissingMigrants.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE"]
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()


def test_an_empty_country_of_incident_is_unknown(tmp_path):
    rows = raw_rows()[:3]
    rows[1]["geo"] = ""
    write_rows(tmp_path, rows)
    assert "_U" in IomMissingMigrants().read(tmp_path).column("REF_AREA").to_pylist()


def test_a_file_without_the_dead_column_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "dead"} for row in raw_rows()[:5]]
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 1, column 'dead'"):
        IomMissingMigrants().read(tmp_path)


def test_a_latin1_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows()[:5]
    rows[1]["location"] = "Cañón del Sumidero, Chiapas"
    write_rows(tmp_path, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 3: the file is not valid UTF-8"):
        IomMissingMigrants().read(tmp_path)


def test_an_empty_file_is_rejected(tmp_path):
    with gzip.open(tmp_path / FILE, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{FILE}: the file is empty"):
        IomMissingMigrants().read(tmp_path)


def test_an_unknown_route_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[3]["route"] = "Atlantic Route"
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 5, column 'route'"):
        IomMissingMigrants().read(tmp_path)


def test_an_unknown_cause_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[2]["cause"] = "Drowning,Shipwreck"
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 4, column 'cause'"):
        IomMissingMigrants().read(tmp_path)


def test_an_empty_number_of_dead_is_rejected(tmp_path):
    rows = raw_rows()[:5]
    rows[0]["dead"] = ""
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 2, column 'dead'"):
        IomMissingMigrants().read(tmp_path)

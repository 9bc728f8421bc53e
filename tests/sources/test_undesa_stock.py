"""UN DESA migrant stock importer: UN DESA's 2024 figures, both-sexes totals added, bad files rejected."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.undesa_stock import UndesaStockImporter
from pivgm.structures import load_standard

FILE = "ims2024_stock_by_origin_destination_sex.csv.gz"


def raw_rows() -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_text() -> str:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


def read_with_fields(tmp_path: Path, line: int, fields: dict[str, str]) -> None:
    """Read a copy of the vendored file whose ``line`` (0 = header) has ``fields`` replaced."""
    lines = raw_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[line].rstrip("\n").split(",")
    for name, value in fields.items():
        cells[header.index(name)] = value
    lines[line] = ",".join(cells) + "\n"
    write_gzip_text(tmp_path / FILE, "".join(lines))
    UndesaStockImporter().read(tmp_path)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UndesaStockImporter().read()


@pytest.fixture(scope="module")
def values(table) -> dict[tuple[str, str, str, str], float]:
    """(destination, origin, sex, year) -> persons."""
    return {
        (r["REF_AREA"], r["COUNTERPART_AREA"], r["SEX"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in table.to_pylist()
    }


@pytest.mark.parametrize(("year", "expected"), [("2020", 11_177_052), ("2024", 11_279_561)])
def test_mexico_born_in_the_usa_match_the_2024_edition(values, year, expected):
    assert values[("USA", "MEX", "_T", year)] == expected


def test_nicaraguans_in_costa_rica_2024_match_the_source(values):
    assert values[("CRI", "NIC", "_T", "2024")] == 423_401


@pytest.mark.parametrize(("year", "expected"), [("2020", 50_471_028), ("2024", 52_375_047)])
def test_all_immigrants_in_the_usa_add_up_to_the_source_total(values, year, expected):
    total = sum(v for (dest, _, sex, t), v in values.items() if (dest, sex, t) == ("USA", "_T", year))
    assert total == expected


@pytest.mark.parametrize(
    ("origin", "expected"), [("USA", 823_502), ("HND", 166_398), ("VEN", 111_191), ("HTI", 91_622)]
)
def test_top_origins_of_migrants_in_mexico_2024_match_the_source(values, origin, expected):
    assert values[("MEX", origin, "_T", "2024")] == expected


def test_totals_by_sex_and_year_equal_the_raw_file(table):
    raw: Counter = Counter()
    for row in raw_rows():
        sex = {"female": "F", "male": "M"}[row["sex"]]
        raw[(sex, row["t"])] += int(row["n"])
        raw[("_T", row["t"])] += int(row["n"])
    loaded: Counter = Counter()
    for row in table.to_pylist():
        loaded[(row["SEX"], row["TIME_PERIOD"])] += row["OBS_VALUE"]
    assert loaded == raw


def test_both_sexes_total_is_female_plus_male_for_every_series(values):
    totals = {(d, o, t): v for (d, o, s, t), v in values.items() if s == "_T"}
    by_sex = {(d, o, t): 0.0 for (d, o, t) in totals}
    for (d, o, s, t), v in values.items():
        if s != "_T":
            by_sex[(d, o, t)] += v
    assert by_sex == totals
    assert len(values) == 3 * len(totals)


def test_other_or_unknown_origin_becomes_code_o(table):
    origins = set(table.column("COUNTERPART_AREA").to_pylist())
    assert "_O" in origins and "OOO" not in origins
    assert "XCX" in set(table.column("REF_AREA").to_pylist()) | origins
    raw_other = sum(int(r["n"]) for r in raw_rows() if r["from"] == "OOO" and r["t"] == "2024")
    loaded_other = sum(
        r["OBS_VALUE"]
        for r in table.to_pylist()
        if (r["COUNTERPART_AREA"], r["SEX"], r["TIME_PERIOD"]) == ("_O", "_T", "2024")
    )
    assert loaded_other == raw_other > 0


@pytest.mark.parametrize(
    ("destination", "basis"), [("USA", "B"), ("CRI", "BR"), ("JPN", "C"), ("CYM", "CR"), ("GIN", "BCR")]
)
def test_stock_basis_follows_the_destination_type_of_data(table, destination, basis):
    found = {r["STOCK_BASIS"] for r in table.to_pylist() if r["REF_AREA"] == destination}
    assert found == {basis}


def test_stock_basis_is_constant_within_each_series(table):
    bases: dict[tuple, set] = {}
    for row in table.to_pylist():
        bases.setdefault((row["REF_AREA"], row["COUNTERPART_AREA"], row["SEX"]), set()).add(row["STOCK_BASIS"])
    assert all(len(found) == 1 for found in bases.values())


def test_stock_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[UndesaStockImporter.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "STOCK_BASIS"]
    assert "STOCK_BASIS" in dataflow.structure.attribute_ids
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys))
    assert set(table.column("FREQ").to_pylist()) == {"A"}
    assert set(table.column("TIME_PERIOD").to_pylist()) == {
        "1990", "1995", "2000", "2005", "2010", "2015", "2020", "2024"
    }  # fmt: skip


def test_stock_codes_are_in_their_codelists(table):
    dataflow = load_standard().dataflows[UndesaStockImporter.dataflow_id]
    components = [*dataflow.structure.dimensions, dataflow.structure.attribute("STOCK_BASIS")]
    for component in components:
        assert component is not None and component.codelist is not None
        assert set(table.column(component.id).to_pylist()) <= component.codelist.ids(), component.id


@pytest.mark.parametrize("column", ["geo", "from", "sex", "n", "type_r"])
def test_stock_file_without_a_column_is_rejected(tmp_path, column):
    rows = raw_rows()
    kept = [c for c in rows[0] if c != column]
    text = ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in rows)
    write_gzip_text(tmp_path / FILE, text)
    with pytest.raises(SourceFormatError) as error:
        UndesaStockImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        column,
    )


def test_stock_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[3] = lines[3].replace(",female,", ",femenino ñ,")
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError, match="UTF-8") as error:
        UndesaStockImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 4)


def test_stock_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        UndesaStockImporter().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_stock_empty_count_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError) as error:
        read_with_fields(tmp_path, 5, {"n": ""})
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        6,
        "n",
    )


def test_stock_unknown_sex_label_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError, match="both") as error:
        read_with_fields(tmp_path, 2, {"sex": "both"})
    assert (error.value.details["row"], error.value.details["column"]) == (3, "sex")


def test_stock_unknown_flag_combination_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError, match="0000") as error:
        read_with_fields(tmp_path, 1, {"type_b": "0", "type_r": "0"})
    assert error.value.details["row"] == 2

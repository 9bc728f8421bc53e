"""WDI socioeconomic importer: every non-remittance indicator of the file, each with its own unit."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.wdi_socioeconomic import WdiSocioeconomic
from pivgm.structures import load_standard

FILE = "wdi_wpp_indicators.csv.gz"
REMITTANCES = {"remin", "remout"}


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


def indicator_codes() -> dict[str, str]:
    """gdidata variable -> INDICATOR code, from the codelist's annotations."""
    codelist = load_standard().codelists["CL_SOCIOECONOMIC_INDICATOR"]
    return {code.annotations["gdidata_var"]: code.id for code in codelist if "gdidata_var" in code.annotations}


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return WdiSocioeconomic().read()


def test_every_indicator_value_equals_the_raw_file(table):
    codes = indicator_codes()
    raw = {
        (row["geo"], codes[row["var"]], row["t"]): float(row["v"])
        for row in raw_rows()
        if row["var"] not in REMITTANCES
    }
    output = {(r["REF_AREA"], r["INDICATOR"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in table.to_pylist()}
    assert output == raw
    assert table.num_rows == len(raw) == 17_152


def test_every_variable_but_remittances_is_an_indicator(table):
    variables = {row["var"] for row in raw_rows()}
    assert set(indicator_codes()) == variables - REMITTANCES
    assert set(table.column("INDICATOR").to_pylist()) == set(indicator_codes().values())


def test_mexico_wpp_population_2023_matches_the_provenance_check(table):
    mexico = [
        r["OBS_VALUE"]
        for r in table.to_pylist()
        if (r["REF_AREA"], r["INDICATOR"], r["TIME_PERIOD"]) == ("MEX", "POP_WPP", "2023")
    ]
    assert [round(value) for value in mexico] == [129_739_765]


def test_each_indicator_carries_the_unit_its_codelist_annotation_gives(table):
    standard = load_standard()
    codes = standard.codelists["CL_SOCIOECONOMIC_INDICATOR"]
    units = {code.id: code.annotations["unit_measure"] for code in codes}
    from_wdi = {code.id for code in codes if "gdidata_var" in code.annotations}  # others: national surveys
    pairs = set(zip(table.column("INDICATOR").to_pylist(), table.column("UNIT_MEASURE").to_pylist(), strict=True))
    assert pairs == {(code, unit) for code, unit in units.items() if code in from_wdi}
    assert set(units.values()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


def test_socioeconomic_has_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[WdiSocioeconomic.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE", "UNIT_MEASURE"]
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()


def test_an_unknown_variable_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[2]["var"] = "gini"
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 4, column 'var'"):
        WdiSocioeconomic().read(tmp_path)


def test_a_file_without_the_year_column_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "t"} for row in raw_rows()[:5]]
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 1, column 't'"):
        WdiSocioeconomic().read(tmp_path)


def test_a_latin1_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows()[:5]
    rows[0]["var"] = "población"
    write_rows(tmp_path, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 2: the file is not valid UTF-8"):
        WdiSocioeconomic().read(tmp_path)


def test_an_empty_file_is_rejected(tmp_path):
    with gzip.open(tmp_path / FILE, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{FILE}: the file is empty"):
        WdiSocioeconomic().read(tmp_path)

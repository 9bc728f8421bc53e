"""Mexico UPM returns importer: reproduces the UPM return counts, codes every row, rejects broken files."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.mexico_upm_returns import MexicoUpmReturns
from pivgm.structures import load_standard

FILE = "irreg_mexico_exp.csv.gz"
TYPES = {"deportation": "DEP", "assisted return": "AVR", "assisted return of children": "AVR_CHILD"}


def raw_rows() -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_text() -> str:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return MexicoUpmReturns().read()


def test_mexico_returns_by_year_and_type_equal_the_raw_file(table):
    raw: Counter = Counter()
    for row in raw_rows():
        raw[(row["t"][:4], TYPES[row["type"]])] += int(row["n"])
    output: Counter = Counter()
    for row in table.to_pylist():
        output[(row["TIME_PERIOD"][:4], row["RETURN_TYPE"])] += row["OBS_VALUE"]
    assert output == raw
    assert sum(v for (year, _), v in output.items() if year == "2023") == 54_728


def test_mexico_returns_keep_every_source_row(table):
    raw = {(r["t"][:7], r["nat"], TYPES[r["type"]]): int(r["n"]) for r in raw_rows()}
    output = {(r["TIME_PERIOD"], r["CITIZENSHIP"], r["RETURN_TYPE"]): r["OBS_VALUE"] for r in table.to_pylist()}
    assert output == raw


def test_mexico_returns_are_foreigners_returned_by_mexico_counted_as_events(table):
    fixed = {
        (
            r["FREQ"],
            r["REF_AREA"],
            r["RETURN_DIRECTION"],
            r["COUNTERPART_AREA"],
            r["SEX"],
            r["AGE"],
            r["ACCOMPANIMENT"],
        )
        for r in table.to_pylist()
    }
    assert fixed == {("M", "MEX", "EXEC", "_Z", "_T", "_T", "_T")}
    assert set(table.column("UNIT_MEASURE").to_pylist()) == {"EVENTS"}


def test_mexico_returns_have_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[MexicoUpmReturns.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys))


def test_mexico_returns_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[MexicoUpmReturns.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


def test_mexico_returns_file_without_a_column_is_rejected(tmp_path):
    rows = raw_rows()
    kept = ["t", "nat", "n"]
    write_gzip_text(tmp_path / FILE, ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in rows))
    with pytest.raises(SourceFormatError) as error:
        MexicoUpmReturns().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        "type",
    )


def test_mexico_returns_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("deportation", "deportación")
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        MexicoUpmReturns().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 3)


def test_mexico_returns_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        MexicoUpmReturns().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_mexico_returns_unknown_return_type_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("deportation", "expulsion")
    write_gzip_text(tmp_path / FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="expulsion") as error:
        MexicoUpmReturns().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (4, "type")

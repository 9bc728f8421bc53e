"""Guatemala IGM returns importer: reproduces IGM counts, keeps unknown origins unknown, rejects bad files."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.guatemala_igm_returns import GuatemalaIgmReturns
from pivgm.structures import load_standard

FILE = "irreg_guatemala.csv.gz"


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
    return GuatemalaIgmReturns().read()


def test_guatemala_returns_by_year_and_origin_equal_the_raw_file(table):
    raw: Counter = Counter()
    for row in raw_rows():
        raw[(row["t"][:4], row["origin"] or "_U")] += int(row["n"])
    output: Counter = Counter()
    for row in table.to_pylist():
        output[(row["TIME_PERIOD"][:4], row["COUNTERPART_AREA"])] += row["OBS_VALUE"]
    assert output == raw
    assert sum(v for (year, _), v in output.items() if year == "2023") == 79_697


def test_guatemala_empty_origin_from_2024_is_unknown_not_the_united_states(table):
    rows = table.to_pylist()
    unknown = [r for r in rows if r["COUNTERPART_AREA"] == "_U"]
    assert len(unknown) == 88
    assert min(r["TIME_PERIOD"] for r in unknown) == "2024-01"
    assert not [r for r in rows if r["COUNTERPART_AREA"] == "USA" and r["TIME_PERIOD"] >= "2024"]


def test_guatemala_age_groups_carry_age_and_accompaniment(table):
    coded = {(r["SEX"], r["AGE"], r["ACCOMPANIMENT"]) for r in table.to_pylist()}
    assert coded == {
        (sex, age, acc) for sex in ("M", "F") for age, acc in (("Y_GE18", "_Z"), ("Y_LT18", "ACC"), ("Y_LT18", "UNA"))
    }


def test_guatemala_returns_are_guatemalans_received_counted_as_persons(table):
    fixed = {
        (r["FREQ"], r["REF_AREA"], r["RETURN_DIRECTION"], r["CITIZENSHIP"], r["RETURN_TYPE"]) for r in table.to_pylist()
    }
    assert fixed == {("M", "GTM", "RECV", "GTM", "_T")}
    assert set(table.column("UNIT_MEASURE").to_pylist()) == {"PS"}


def test_guatemala_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[GuatemalaIgmReturns.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys)) == 736


def test_guatemala_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[GuatemalaIgmReturns.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


def test_guatemala_keys_do_not_collide_with_mexico_returns(table):
    from pivgm.sources.mexico_upm_returns import MexicoUpmReturns

    other = MexicoUpmReturns().read()
    dimensions = [c for c in table.column_names if c not in ("OBS_VALUE", "UNIT_MEASURE")]
    ours = {tuple(r[c] for c in dimensions) for r in table.to_pylist()}
    theirs = {tuple(r[c] for c in dimensions) for r in other.to_pylist()}
    assert not ours & theirs


def test_guatemala_file_without_a_column_is_rejected(tmp_path):
    kept = ["t", "sex", "age", "n"]
    text = ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in raw_rows())
    write_gzip_text(tmp_path / FILE, text)
    with pytest.raises(SourceFormatError) as error:
        GuatemalaIgmReturns().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        "origin",
    )


def test_guatemala_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[2] = lines[2].replace(",MEX,", ",México,").replace(",USA,", ",EE. UU. ñ,")
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        GuatemalaIgmReturns().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 3)


def test_guatemala_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        GuatemalaIgmReturns().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_guatemala_unknown_origin_label_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(",MEX,", ",CAN,")
    write_gzip_text(tmp_path / FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="CAN") as error:
        GuatemalaIgmReturns().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (2, "origin")

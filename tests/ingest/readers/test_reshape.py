"""Wide tables become one row per figure; a period in two columns becomes one column."""

from __future__ import annotations

import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import read_file
from pivgm.ingest.readers.reshape import combine, melt

WIDE = ["Enero 2024 / Hombres", "Enero 2024 / Mujeres", "Febrero 2024 / Hombres", "Febrero 2024 / Mujeres"]


def test_melting_keeps_file_order_row_numbers_and_the_source_column(specimen):
    raw = read_file(specimen("csv/multi-row-header.csv"))
    long = melt(raw, WIDE)
    assert long.table.num_rows == 12
    assert long.source_rows == [6, 6, 6, 6, 7, 7, 7, 7, 9, 9, 9, 9]
    first = long.table.slice(0, 2).to_pylist()
    assert first[0] == {
        "Nacionalidad": "Guatemala",
        "_header_1": "Enero 2024",
        "_header_2": "Hombres",
        "_value": "10",
        "_source_column": "Enero 2024 / Hombres",
    }
    assert first[1]["_header_2"] == "Mujeres" and first[1]["_value"] == "12"


def test_melting_an_unknown_column_is_an_error(specimen):
    raw = read_file(specimen("csv/multi-row-header.csv"))
    with pytest.raises(SourceFormatError, match="'Marzo 2024' is not in the table"):
        melt(raw, ["Marzo 2024"])


def test_combining_a_month_and_a_year_column(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("Año;Mes;Personas\n2024;Enero;5\n2024;Febrero;6\n")
    raw = combine(read_file(path), ["Mes", "Año"], "_period")
    assert raw.column("_period") == ["Enero 2024", "Febrero 2024"]

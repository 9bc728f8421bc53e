"""The real INEC Panama labour-market tables read into tidy tables: header levels joined, titles and
footnotes dropped, split labels joined, dot leaders removed, hierarchy in _level/_group_n columns.

Expected cells were read from the files with openpyxl/xlrd (see the specimen notes)."""

from __future__ import annotations

import pytest

from pivgm.ingest.readers import read_file

XLSX = "messy/INEC_Panama_EML_Cuadro2_oct2024.xlsx"
XLS = "messy/INEC_Panama_EML_Cuadro441-02_ago2016.xls"
LABEL = "Área, provincia, comarca indígena y condición en la actividad económica"
POPULATION = "Población de 15 y más años de edad (1)"


def row_at(raw, file_row: int) -> dict[str, str]:
    return raw.table.slice(raw.source_rows.index(file_row), 1).to_pylist()[0]


@pytest.fixture(scope="module")
def xlsx(specimen):
    return read_file(specimen(XLSX))


@pytest.fixture(scope="module")
def xls(specimen):
    return read_file(specimen(XLS))


def test_the_three_header_rows_become_one_name_per_column(xlsx):
    assert xlsx.columns[:7] == [
        LABEL,
        f"{POPULATION} / Agosto 2023 / Total",
        f"{POPULATION} / Agosto 2023 / Hombres",
        f"{POPULATION} / Agosto 2023 / Mujeres",
        f"{POPULATION} / Octubre 2024 / Total",
        f"{POPULATION} / Octubre 2024 / Hombres",
        f"{POPULATION} / Octubre 2024 / Mujeres",
    ]
    assert xlsx.detected["header_row"] == "9" and xlsx.detected["header_rows"] == "3"


def test_the_total_row_keeps_its_file_row_and_figures(xlsx):
    total = row_at(xlsx, 13)
    assert total[LABEL] == "TOTAL"
    assert total[f"{POPULATION} / Octubre 2024 / Total"] == "3358667"
    assert total[f"{POPULATION} / Octubre 2024 / Hombres"] == "1616993"
    assert total[f"{POPULATION} / Octubre 2024 / Mujeres"] == "1741674"
    assert total[f"{POPULATION} / Agosto 2023 / Total"] == "3354784"


def test_titles_blank_rows_and_footnotes_are_not_rows(xlsx):
    assert xlsx.source_rows[0] == 13 and xlsx.source_rows[-1] == 868
    assert not {1, 2, 3, 5, 6, 7, 12, 14, 871, 872, 873} & set(xlsx.source_rows)
    assert xlsx.table.num_rows == 390
    assert any(note.startswith("Rows 1-7 skipped: title lines") for note in xlsx.notes)
    assert "Rows 871, 872, 873 skipped: notes and footnotes, not data." in xlsx.notes


def test_a_percentage_label_split_over_two_rows_is_joined_on_the_row_with_the_figures(xlsx):
    share = row_at(xlsx, 18)
    assert share[LABEL] == "Porcentaje (respecto a la población de 15 y más años de edad)"
    assert share[f"{POPULATION} / Agosto 2023 / Total"] == "62.425509362152674"
    assert 17 not in xlsx.source_rows


def test_indentation_becomes_levels_and_repeated_blocks_become_groups(xlsx):
    assert [row_at(xlsx, r)["_level"] for r in (15, 20, 26, 18)] == ["0", "1", "2", "3"]
    ocupada_rural_darien = [
        row
        for row in xlsx.table.to_pylist()
        if row[LABEL] == "Ocupada" and row["_group_1"] == "Darién" and row["_group_2"] == "Rural"
    ]
    assert len(ocupada_rural_darien) == 1
    assert row_at(xlsx, 35)["_group_2"] == "Urbana" and row_at(xlsx, 35)["_group_1"] == "TOTAL"
    assert row_at(xlsx, 848)["_group_1"] == "Comarca Ngäbe Buglé" and row_at(xlsx, 848)["_group_2"] == ""


def test_every_count_row_adds_up_total_equals_men_plus_women(xlsx, xls):
    for raw in (xlsx, xls):
        for row in raw.table.to_pylist():
            if row[LABEL].startswith("Porcentaje"):
                continue
            figures = [float(v) for k, v in row.items() if k.startswith(POPULATION)]
            assert figures[0] == figures[1] + figures[2] and figures[3] == figures[4] + figures[5], row


def test_the_legacy_xls_reads_with_dot_leaders_removed_and_floats_as_whole_numbers(xls):
    total = row_at(xls, 9)
    assert total[LABEL] == "TOTAL"
    assert total[f"{POPULATION} / Agosto 2016 / Total"] == "2909973"
    assert total[f"{POPULATION} / Agosto 2015 / Hombres"] == "1379379"
    assert row_at(xls, 11)[LABEL] == "Económicamente activa"
    assert row_at(xls, 14)[LABEL] == "Porcentaje (respecto a la población de 15 y más años de edad)"
    assert row_at(xls, 14)[f"{POPULATION} / Agosto 2015 / Total"] == "64.15033028737321"
    assert xls.detected == {"sheet": "441-02", "header_row": "5", "header_rows": "3", "decimal": "."}
    assert xls.table.num_rows == 390 and 868 not in xls.source_rows


def test_a_centred_total_label_is_not_read_as_deeply_indented(xls):
    assert row_at(xls, 9)["_level"] == "0"
    assert row_at(xls, 16)["_level"] == "1"  # "      Ocupada"


def test_a_footnote_mark_in_a_label_is_kept_as_written(xls):
    labels = set(xls.column(LABEL)) | set(xls.column("_group_1"))
    assert "Panamá Oeste (2)" in labels

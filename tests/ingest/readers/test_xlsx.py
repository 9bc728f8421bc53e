"""Excel workbooks: sheet choice, merged headers, date cells, headings, and the decompression-bomb guard."""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import ReadOptions, read_file
from pivgm.ingest.readers.xlsx import check_zip

SPECIMEN = "xlsx/sections-merged-dates.xlsx"


def test_the_first_sheet_with_data_is_read_and_named(specimen):
    raw = read_file(specimen(SPECIMEN))
    assert raw.detected["sheet"] == "Datos"
    assert raw.format == "xlsx"


def test_monthly_date_headers_merged_over_two_columns_name_both(specimen):
    raw = read_file(specimen(SPECIMEN))
    assert raw.columns == [
        "Nacionalidad",
        "2024-01 / Hombres",
        "2024-01 / Mujeres",
        "2024-02 / Hombres",
        "2024-02 / Mujeres",
        "_group_1",
    ]
    assert raw.detected["header_row"] == "4" and raw.detected["header_rows"] == "2"


def test_section_headings_become_groups_and_are_not_rows(specimen):
    raw = read_file(specimen(SPECIMEN))
    assert raw.column("Nacionalidad") == ["Guatemala", "Honduras", "Venezuela"]
    assert raw.column("_group_1") == ["Centroamérica", "Centroamérica", "Sudamérica"]
    assert raw.source_rows == [7, 8, 10]
    assert raw.column("2024-02 / Mujeres") == ["90", "160", "950.5"]
    assert "Rows 12, 13 skipped: notes and footnotes, not data." in raw.notes


def test_a_sheet_can_be_chosen_by_name_or_position(specimen):
    assert read_file(specimen(SPECIMEN), ReadOptions(sheet=1)).detected["sheet"] == "Datos"
    with pytest.raises(SourceFormatError, match="every row is empty"):
        read_file(specimen(SPECIMEN), ReadOptions(sheet="Portada"))
    with pytest.raises(SourceFormatError, match=r"no sheet called 'Hoja1'.*Its sheets are: Portada, Datos"):
        read_file(specimen(SPECIMEN), ReadOptions(sheet="Hoja1"))
    with pytest.raises(SourceFormatError, match="no sheet number 5"):
        read_file(specimen(SPECIMEN), ReadOptions(sheet=4))


def test_the_content_decides_the_format_not_the_name(specimen, tmp_path):
    renamed = tmp_path / "datos.csv"
    shutil.copy(specimen(SPECIMEN), renamed)
    assert read_file(renamed).format == "xlsx"


def test_the_row_cap_stops_reading(specimen):
    with pytest.raises(SourceFormatError, match="more than 2 data rows"):
        read_file(specimen(SPECIMEN), ReadOptions(max_rows=2))


def test_a_damaged_workbook_is_a_clear_error(specimen):
    with pytest.raises(SourceFormatError, match=r"broken\.xlsx: the workbook .*cannot be read.*save it again"):
        read_file(specimen("with-problems/broken.xlsx"))


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "datos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(SourceFormatError, match="OpenDocument spreadsheet"):
        read_file(path)


def zip_of_zeros(path: Path, megabytes: int) -> Path:
    """A small zip whose one member expands to ``megabytes`` of zeros (compressed chunk by chunk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def test_a_workbook_that_expands_too_much_is_refused_before_it_is_opened(tmp_path):
    bomb = zip_of_zeros(tmp_path / "bomb.xlsx", 20)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(SourceFormatError, match=r"bomb\.xlsx: the file expands to 20 MB from \d+ KB .* times"):
        read_file(bomb)


def test_a_workbook_larger_than_the_limit_when_expanded_is_refused(tmp_path):
    path = zip_of_zeros(tmp_path / "big.xlsx", 3)
    with pytest.raises(SourceFormatError, match="expands to 3 MB, which is more than the 2 MB allowed"):
        check_zip(path, "big.xlsx", max_bytes=2 * 1024 * 1024)


def test_a_zip_that_lies_about_its_size_cannot_expand_past_what_it_declares(tmp_path):
    """zipfile stops at the declared size, so checking declared sizes bounds what openpyxl can inflate."""
    path = zip_of_zeros(tmp_path / "liar.xlsx", 2)
    data = bytearray(path.read_bytes())
    declared = (2 * 1024 * 1024).to_bytes(4, "little")
    for start in range(len(data) - 4):  # rewrite every copy of the size field to 1 KB
        if data[start : start + 4] == declared:
            data[start : start + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    check_zip(path, "liar.xlsx")  # declares little, so passes the guard...
    with zipfile.ZipFile(path) as archive, pytest.raises((zipfile.BadZipFile, zlib.error)):
        archive.read("xl/worksheets/sheet1.xml")  # ...but never inflates more than that


def test_text_cells_that_hold_numbers_and_real_numbers_read_alike(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["País", "Personas"])
    sheet.append(["Guatemala", 1234])
    sheet.append(["Honduras", "1.234,5"])
    sheet.append(["Belice", 0.1])
    path = tmp_path / "mixed.xlsx"
    book.save(path)
    raw = read_file(path)
    assert raw.column("Personas") == ["1234", "1.234,5", "0.1"]

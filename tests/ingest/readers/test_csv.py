"""CSV and TSV as national systems export them: encodings, delimiters, decimal marks, titles, notes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import ReadOptions, read_file
from pivgm.ingest.readers.csv_large import read_large, read_large_file
from pivgm.ingest.readers.csv_reader import LAYOUT_CHARS, STREAM_BYTES, grid_of, parse_records
from pivgm.ingest.readers.sheet import tabulate


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_with_bom_semicolons_and_decimal_commas(specimen):
    raw = read_file(specimen("csv/bom-semicolon-decimal-comma.csv"))
    assert raw.columns == ["Nacionalidad", "Sexo", "Periodo", "Personas"]
    assert raw.detected["encoding"] == "utf-8-sig"
    assert raw.detected["delimiter"] == ";"
    assert raw.detected["decimal"] == ","
    assert raw.column("Personas") == ["1.234,5", "12.001", "0,5", "-3"]
    assert raw.source_rows == [2, 3, 4, 5]
    assert raw.format == "csv"


def test_windows_1252_text_with_title_lines_and_a_source_note(specimen):
    raw = read_file(specimen("csv/cp1252-titles-footnotes.csv"))
    assert raw.detected["encoding"] == "cp1252"
    assert raw.column("Nacionalidad") == ["República Dominicana", "Perú", "Haití", "Total"]
    assert raw.source_rows == [5, 6, 7, 8]
    assert raw.detected["header_row"] == "4"
    assert raw.notes[0].startswith("Rows 1-2 skipped: title lines above the header")
    assert "Row 10 skipped: notes and footnotes, not data." in raw.notes
    assert "Row 8 is labelled as a total; it is kept." in raw.notes
    spanish = [note.text("es") for note in raw.notes]  # the reader's notes, in Spanish too
    assert spanish[0].startswith("Filas 1-2 omitidas: líneas de título sobre el encabezado")
    assert "Fila 10 omitida: notas y notas al pie, no datos." in spanish
    assert "La fila 8 dice ser un total; se conserva." in spanish


def test_excel_unicode_text_is_utf16_with_tabs(specimen):
    raw = read_file(specimen("csv/excel-unicode-text.txt"))
    assert raw.detected["encoding"] == "utf-16"
    assert raw.detected["delimiter"] == "\t"
    assert raw.column("Personas") == ["10", "20"]


@pytest.mark.parametrize(
    ("name", "delimiter", "column", "values"),
    [
        ("csv/tab-separated.tsv", "\t", "Valor", ["1234.5", "98.25"]),
        ("csv/pipe-thousands.csv", "|", "value", ["1,234,567.5", "12 345", ".."]),
        ("csv/quoted-fields.csv", ",", "Nota", ['incluye "menores", estimado', "dos\nlíneas"]),
    ],
)
def test_the_delimiter_is_found_and_quoted_fields_kept_whole(specimen, name, delimiter, column, values):
    raw = read_file(specimen(name))
    assert raw.detected["delimiter"] == delimiter
    assert raw.column(column) == values


def test_thousands_separators_decide_the_decimal_mark(specimen):
    assert read_file(specimen("csv/pipe-thousands.csv")).detected["decimal"] == "."
    assert read_file(specimen("csv/bom-semicolon-decimal-comma.csv")).detected["decimal"] == ","


def test_a_quoted_line_break_does_not_shift_row_numbers_of_later_rows(specimen):
    raw = read_file(specimen("csv/quoted-fields.csv"))
    assert raw.source_rows == [2, 3]


def test_a_two_row_header_with_blank_cells_under_a_period_covers_its_columns(specimen):
    raw = read_file(specimen("csv/multi-row-header.csv"))
    assert raw.columns == [
        "Nacionalidad",
        "Enero 2024 / Hombres",
        "Enero 2024 / Mujeres",
        "Febrero 2024 / Hombres",
        "Febrero 2024 / Mujeres",
    ]
    assert raw.source_rows == [6, 7, 9]
    assert raw.column("Febrero 2024 / Mujeres") == ["13", "23", "36"]
    assert "Rows 10, 11 skipped: notes and footnotes, not data." in raw.notes


def test_section_headings_become_groups_and_split_labels_are_joined(specimen):
    raw = read_file(specimen("csv/sections-and-split-labels.csv"))
    assert raw.column("Nacionalidad") == ["Venezuela (República Bolivariana de)", "Colombia", "Camerún", "Total"]
    assert raw.column("_group_1") == ["AMÉRICA DEL SUR", "AMÉRICA DEL SUR", "ÁFRICA", "ÁFRICA"]
    assert raw.source_rows == [4, 5, 7, 8]
    assert raw.columns[1:3] == ["2023", "2024"]  # a row of years is a header, not data


def test_blank_rows_and_trailing_delimiters_leave_no_empty_rows_or_columns(tmp_path):
    path = write(tmp_path, "País;Valor;\n\nGuatemala;5;\n;;\nHonduras;6;\n")
    raw = read_file(path)
    assert raw.columns == ["País", "Valor"]
    assert raw.column("País") == ["Guatemala", "Honduras"]
    assert raw.source_rows == [3, 5]


def test_cells_are_trimmed(tmp_path):
    raw = read_file(write(tmp_path, "a , b\n  x ,  1 \n"))
    assert raw.columns == ["a", "b"] and raw.column("b") == ["1"]


def test_the_users_options_override_detection(tmp_path):
    path = write(tmp_path, "Informe\nPaís;Valor\nGuatemala;1,5\n", encoding="latin-1")
    raw = read_file(path, ReadOptions(encoding="latin-1", delimiter=";", decimal=".", skip_rows=1))
    assert raw.detected["encoding"] == "latin-1"
    assert raw.detected["decimal"] == "."
    assert raw.columns == ["País", "Valor"]


def test_header_rows_can_be_given(tmp_path):
    path = write(tmp_path, "a,b\nc,d\n1,2\n")
    assert read_file(path, ReadOptions(header_rows=2)).columns == ["a / c", "b / d"]
    assert read_file(path, ReadOptions(header_rows=1)).columns == ["a", "b"]


def test_a_wrong_encoding_option_names_the_row(tmp_path):
    path = write(tmp_path, "Pais\nMéxico\n", encoding="latin-1")
    with pytest.raises(SourceFormatError, match=r"row 2: the file is not valid utf-8 text"):
        read_file(path, ReadOptions(encoding="utf-8"))
    with pytest.raises(SourceFormatError, match="not a known text encoding"):
        read_file(path, ReadOptions(encoding="klingon"))


def test_an_unclosed_quote_is_an_error_naming_its_row(specimen):
    with pytest.raises(SourceFormatError, match=r"unbalanced-quote\.csv, row 2: .*Check the quotes"):
        read_file(specimen("with-problems/unbalanced-quote.csv"))


def test_an_empty_file_is_an_error(specimen):
    with pytest.raises(SourceFormatError, match="the file is empty"):
        read_file(specimen("with-problems/empty.csv"))


def test_binary_content_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n\x00\x01\x02\x03\x04\x05,1\n")
    with pytest.raises(SourceFormatError, match="holds binary data"):
        read_file(path)


def test_the_row_cap_is_a_clear_error(tmp_path):
    path = write(tmp_path, "a,b\n" + "x,1\n" * 11)
    assert read_file(path, ReadOptions(max_rows=11)).table.num_rows == 11
    with pytest.raises(SourceFormatError, match="more than 10 data rows"):
        read_file(path, ReadOptions(max_rows=10))


def large_text(rows: int) -> str:
    lines = ["Cuadro 9. Eventos", "", "Nacionalidad;Mes;Personas"]
    lines += [f"País {i % 97};2024-{i % 12 + 1:02d};{i}.{i % 1000:03d},5" for i in range(rows)]
    lines += [";;", "Fuente: INM"]
    return "\n".join(lines) + "\n"


def test_large_files_read_by_arrow_give_the_same_table_as_small_ones_kept_dictionary_encoded():
    text = large_text(3000)
    options = ReadOptions()
    careful = tabulate(
        grid_of(parse_records(text, ";", "big.csv")), options, file_name="big.csv", format="csv", detected={}
    )
    fast = read_large(text, ";", options, "big.csv", {}, ",")
    assert fast is not None
    assert all(pa.types.is_dictionary(column.type) for column in fast.table.columns)
    assert fast.plain().table.equals(careful.table)
    assert list(fast.source_rows) == careful.source_rows
    assert fast.detected["decimal"] == careful.detected["decimal"] == ","


def test_large_files_with_a_quoted_line_break_are_read_record_by_record():
    text = large_text(300).replace("País 5;", '"País\n5";', 1)
    assert read_large(text, ";", ReadOptions(), "big.csv", {}, ",") is None


def test_the_row_cap_applies_to_large_files_before_parsing():
    with pytest.raises(SourceFormatError, match="more than 100 data rows"):
        read_large(large_text(3000), ";", ReadOptions(max_rows=100), "big.csv", {}, ",")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_large_file_in_any_encoding_reads_the_same_cells(tmp_path, encoding):
    rows = LAYOUT_CHARS // 20  # past the size where Arrow reads the body
    lines = ["Cuadro 9. Eventos de extranjeros según nacionalidad", "Nacionalidad;Mes;Personas"]
    lines += [f" País {i % 97} ;2024-{i % 12 + 1:02d};{i}" for i in range(rows)]
    lines += ["Fuente: Instituto Nacional de Migración, año 2024"]
    path = tmp_path / "grande.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    raw = read_file(path)
    assert raw.detected["encoding"] == encoding
    assert pa.types.is_dictionary(raw.table.column("Mes").type)  # read by Arrow, not record by record
    assert raw.table.num_rows == rows
    assert raw.column("Nacionalidad")[:2] == ["País 0", "País 1"]
    assert raw.column("Personas")[-1] == str(rows - 1)
    assert raw.source_rows[0] == 3 and raw.source_rows[-1] == rows + 2


@pytest.mark.parametrize(
    ("written", "read_as"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-8 with a stray byte", "cp1252")],
)
def test_a_file_past_the_streaming_size_reads_as_its_whole_bytes_would(tmp_path, written, read_as):
    """Title lines, notes below the data, a byte order mark: the same table, rows and notes whether the
    file is parsed from its bytes or from the file a block at a time (UTF-8 only); a byte that is not UTF-8
    deep in the body (or a Windows-1252 file) reads as Windows-1252, as before."""
    data = large_text(STREAM_BYTES // 24).encode(written.split()[0])
    if written.endswith("stray byte"):
        middle = data.index(b"\n", len(data) // 2) + 1
        data = data[:middle] + b"\xff" + data[middle:]
    assert len(data) > STREAM_BYTES
    path = tmp_path / "grande.csv"
    path.write_bytes(data)
    streamed = read_large_file(path, ReadOptions(), "grande.csv")
    assert (streamed is not None) == (read_as != "cp1252")
    raw = read_file(path)
    expected = read_large(data.decode(read_as), ";", ReadOptions(), "grande.csv", {}, ",")
    assert expected is not None
    assert raw.detected["encoding"] == read_as
    assert raw.table.equals(expected.table)
    assert list(raw.source_rows) == list(expected.source_rows)
    assert raw.notes == expected.notes and raw.detected["header_row"] == "3"


@pytest.mark.timeout(60)
def test_thousands_of_equal_headers_are_numbered_in_linear_time(tmp_path):
    """Fails (times out) if ``_unique`` goes back to searching a list for each candidate name: 30,000
    columns called "x" then take hours."""
    count = 30_000
    path = write(tmp_path, ";".join(["x"] * count) + "\n" + ";".join(["1"] * count) + "\n")
    raw = read_file(path, ReadOptions(max_columns=count))
    assert raw.columns[:3] == ["x", "x (2)", "x (3)"]
    assert raw.columns[-1] == f"x ({count})"
    assert len(set(raw.columns)) == count


def test_a_table_wider_than_the_column_cap_is_refused_before_its_header_is_read(tmp_path):
    path = write(tmp_path, "a;b;c\n1;2;3\n")
    with pytest.raises(SourceFormatError, match="3 columns, more than the 2") as refused:
        read_file(path, ReadOptions(max_columns=2))
    assert refused.value.code == "too-many-columns"

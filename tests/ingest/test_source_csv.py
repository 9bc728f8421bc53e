import gzip
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv

COLUMNS = {"year": pa.int32(), "dec_level": pa.string(), "applied": pa.float64()}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_na_stays_a_code_and_blank_numbers_become_null(tmp_path):
    path = write(tmp_path / "a.csv", "year,dec_level,applied\n2020,NA,5\n2021,FI,\n")
    table = read_source_csv(path, COLUMNS)
    assert table.column("dec_level").to_pylist() == ["NA", "FI"]
    assert table.column("applied").to_pylist() == [5.0, None]


def test_gzip_files_are_read_transparently(tmp_path):
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(b"year,dec_level,applied\n2020,NA,5\n"))
    assert read_source_csv(path, COLUMNS).num_rows == 1


def test_a_bad_number_names_file_row_and_column(tmp_path):
    path = write(tmp_path / "a.csv", "year,dec_level,applied\n2020,NA,5\n2021,FI,cinco\n")
    with pytest.raises(SourceFormatError, match=r"a\.csv, row 3, column 'applied': value 'cinco'"):
        read_source_csv(path, COLUMNS)


def test_a_missing_column_names_the_header_row_and_lists_what_is_there(tmp_path):
    path = write(tmp_path / "a.csv", "year,applied\n2020,5\n")
    with pytest.raises(SourceFormatError, match=r"row 1, column 'dec_level'.*header has: year, applied"):
        read_source_csv(path, COLUMNS)


def test_latin1_text_is_refused_with_the_row_and_how_to_fix_it(tmp_path):
    path = write(tmp_path / "a.csv", "year,dec_level,applied\n2020,México,5\n", encoding="latin-1")
    with pytest.raises(SourceFormatError, match=r"a\.csv, row 2: .*UTF-8.*CSV UTF-8"):
        read_source_csv(path, COLUMNS)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=r"empty\.csv: the file is empty"):
        read_source_csv(path, COLUMNS)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SourceFormatError, match="does not exist"):
        read_source_csv(tmp_path / "nope.csv", COLUMNS)


def test_map_values_translates_labels_and_reports_the_first_unknown_one():
    assert map_values(
        pa.array(["female", "male"]), {"female": "F", "male": "M"}, file="f", column_name="sex"
    ).to_pylist() == ["F", "M"]
    with pytest.raises(SourceFormatError, match=r"f, row 3, column 'sex': value 'other' has no code"):
        map_values(pa.array(["female", "other"]), {"female": "F"}, file="f", column_name="sex")


def test_map_values_can_keep_codes_that_need_no_translation():
    mapped = map_values(pa.array(["OOO", "MEX"]), {"OOO": "_O"}, file="f", column_name="nat", keep_unmapped=True)
    assert mapped.to_pylist() == ["_O", "MEX"]

"""The first reader that recognises a file's first bytes reads it; mistaken uploads get a useful message."""

from __future__ import annotations

import gzip

import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import READERS, read_file


def test_every_reader_says_which_format_it_reads():
    assert {reader.format for reader in READERS} >= {"csv", "xlsx", "xls", "sdmx-csv", "sdmx-ml"}
    assert READERS[-1].format == "csv"  # the reader of last resort


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "a web page"),
        (b"  <!DOCTYPE html><html>", "a web page"),
        (gzip.compress(b"a,b\n1,2\n"), "a compressed"),
        (b"\x89PNG\r\n\x1a\n....", "an image"),
    ],
)
def test_files_that_are_not_tables_are_named_for_what_they_are(tmp_path, content, message):
    path = tmp_path / "datos.xls"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=f"datos.xls: the file is {message}"):
        read_file(path)


def test_a_missing_file_is_a_source_format_error(tmp_path):
    with pytest.raises(SourceFormatError, match="cannot be opened"):
        read_file(tmp_path / "nowhere.csv")


def test_the_name_the_user_knows_is_used_in_messages(tmp_path):
    path = tmp_path / "upload.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceFormatError, match=r"^retornos_2024\.csv: the file is empty"):
        read_file(path, file_name="retornos_2024.csv")
    path.write_bytes(b"a\n1\n")
    assert read_file(path, file_name="retornos_2024.csv").file_name == "retornos_2024.csv"


def test_a_damaged_legacy_workbook_is_a_clear_error(specimen):
    with pytest.raises(SourceFormatError, match=r"broken\.xls: the workbook cannot be read"):
        read_file(specimen("with-problems/broken.xls"))

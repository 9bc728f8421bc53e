"""Any bytes give a table or a SourceFormatError, never another exception (bounded Hypothesis runs)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import RawTable, ReadOptions, read_file

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces national CSV files are made of, so generated text often looks like a table.
PIECES = st.sampled_from(
    [
        ",",
        ";",
        "\t",
        "|",
        '"',
        '""',
        "\n",
        "\r\n",
        " ",
        "1",
        "2.5",
        "1.234,5",
        "-",
        "..",
        "Total",
        "País",
        "Año",
        "Fuente: INM",
        "(1)",
        "é",
        "\x00",
        "\ufeff",
        "STRUCTURE",
        "DATAFLOW",
        "<",
        "PK\x03\x04",
    ]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


def read_bytes(content: bytes, options: ReadOptions | None = None) -> RawTable | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(content)
        try:
            raw = read_file(path, options or ReadOptions())
        except SourceFormatError:
            return None
    assert raw.table.num_rows == len(raw.source_rows)
    assert all(isinstance(name, str) and name for name in raw.table.column_names)
    assert len(set(raw.table.column_names)) == raw.table.num_columns
    return raw


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_read_or_fail_cleanly(content):
    read_bytes(content)


@FUZZ
@given(TEXTS, st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_table_like_text_in_any_encoding_reads_or_fails_cleanly(text, encoding):
    read_bytes(text.encode(encoding, errors="replace"))


@FUZZ
@given(TEXTS, st.integers(min_value=1, max_value=5))
def test_the_row_cap_holds_for_any_text(text, cap):
    raw = read_bytes(text.encode("utf-8"), ReadOptions(max_rows=cap))
    assert raw is None or raw.table.num_rows <= cap


@FUZZ
@given(
    st.lists(st.lists(st.sampled_from(["1", "x", "", "Total", "2024", '"a;b"']), min_size=1, max_size=6), max_size=12)
)
def test_sdmx_csv_with_any_body_reads_or_fails_cleanly(rows):
    header = "STRUCTURE;STRUCTURE_ID;ACTION;DIM;OBS_VALUE\n"
    body = "\n".join(";".join(["dataflow", "A:B(1.0)", *row]) for row in rows)
    read_bytes((header + body).encode("utf-8"))


PREFIXES = st.sampled_from(
    [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<?xml version='1.0'?>", b"STRUCTURE[;],", b"DATAFLOW;"]
)


@FUZZ
@given(PREFIXES, st.binary(max_size=300))
def test_bytes_that_start_like_another_format_read_or_fail_cleanly(prefix, rest):
    read_bytes(prefix + rest)


@FUZZ
@given(
    st.lists(
        st.sampled_from([b"<", b">", b"/", b"Obs", b"Series", b' A="1"', b"message:", b"Data", b"\n"]), max_size=40
    )
)
def test_xml_like_bytes_read_or_fail_cleanly(parts):
    read_bytes(b"<?xml version='1.0'?><message:StructureSpecificData xmlns:message='urn:x'>" + b"".join(parts))

"""Strict reading of CSV files (plain or gzip) into Arrow tables, with errors that name file, row and column.

Row numbers are those a person sees in a spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pivgm.errors import SourceFormatError

HEADER_ROW = 1


def _file_row(index: int) -> int:
    return index + HEADER_ROW + 1


def _check_utf8(path: Path, raw: bytes) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        raise SourceFormatError(
            "the file is not valid UTF-8 text.",
            file=path.name,
            row=row,
            hint="Save it as UTF-8 (in Excel: 'CSV UTF-8'); do not use latin-1 or cp1252.",
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            return bytes(stream.read())
    except FileNotFoundError:
        raise SourceFormatError("the file does not exist.", file=str(path)) from None
    except (OSError, pa.ArrowInvalid) as error:
        raise SourceFormatError(f"the file cannot be opened ({error}).", file=path.name) from None


def read_source_csv(path: Path, columns: Mapping[str, pa.DataType]) -> pa.Table:
    """Read ``path`` and return exactly ``columns``, cast to their types.

    Every value is first read as text (``NA`` stays the text ``NA``: UNHCR and others use it as a code);
    empty cells become nulls in non-text columns. Raises ``SourceFormatError`` for an empty file, text that
    is not UTF-8, a missing column, or a value that does not fit its column's type.
    """
    raw = _read_bytes(path)
    if not raw.strip():
        raise SourceFormatError("the file is empty.", file=path.name, hint="Export the file again with its data.")
    _check_utf8(path, raw)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            convert_options=pacsv.ConvertOptions(
                column_types={},
                strings_can_be_null=False,
                null_values=[],
                quoted_strings_can_be_null=False,
                auto_dict_encode=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise SourceFormatError(f"the file is not a readable CSV table ({error}).", file=path.name) from None
    table = table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names]))
    missing = [name for name in columns if name not in table.column_names]
    if missing:
        raise SourceFormatError(
            f"required column {missing[0]!r} is missing.",
            file=path.name,
            row=HEADER_ROW,
            column=missing[0],
            hint=f"The header has: {', '.join(table.column_names)}.",
        )
    return pa.table({name: _cast(path, table, name, kind) for name, kind in columns.items()})


def _cast(path: Path, table: pa.Table, name: str, kind: pa.DataType) -> pa.Array:
    text = table.column(name).combine_chunks()
    if pa.types.is_string(kind):
        return text
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    cleaned = pc.if_else(blank, pa.scalar(None, pa.string()), text)
    try:
        return pc.cast(cleaned, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    for index, value in enumerate(cleaned.to_pylist()):
        if value is None:
            continue
        try:
            pc.cast(pa.array([value]), kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise SourceFormatError(
                f"value {value!r} is not a valid {kind}.",
                file=path.name,
                row=_file_row(index),
                column=name,
            ) from None
    raise SourceFormatError(f"column cannot be read as {kind}.", file=path.name, column=name)  # pragma: no cover


def map_values(
    column: pa.Array | pa.ChunkedArray,
    mapping: Mapping[str, str],
    *,
    file: str,
    column_name: str,
    keep_unmapped: bool = False,
) -> pa.Array:
    """Translate source labels to codes (``"female"`` -> ``F``).

    With ``keep_unmapped`` a value not in ``mapping`` passes through unchanged (e.g. ISO3 codes, where the
    mapping lists only the source's special codes); otherwise it is an error naming its first row.
    """
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    keys = pa.array(list(mapping.keys()), pa.string())
    targets = pa.array(list(mapping.values()), pa.string())
    positions = pc.index_in(values, value_set=keys)
    mapped = pc.take(targets, positions)
    if keep_unmapped:
        return pc.if_else(pc.is_null(positions), values, mapped)
    unmapped = pc.and_(pc.is_null(positions), pc.is_valid(values))
    if pc.any(unmapped).as_py():
        index = pc.index(unmapped, True).as_py()
        raise SourceFormatError(
            f"value {values[index].as_py()!r} has no code.",
            file=file,
            row=_file_row(index),
            column=column_name,
            hint=f"Known values: {', '.join(sorted(mapping))}.",
        )
    return mapped

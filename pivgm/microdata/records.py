"""Record files as registers export them, staged as Parquet both engines read the same way.

Text files (CSV, TSV, pipe-delimited, optionally gzip-compressed) may carry banner lines above the header
("For Official Use Only", a title, blank lines): the header is the first line that names every field the
recipe reads. Lines whose number of fields differs from the header's are malformed: they are counted, never
guessed. Parquet files are read as they are.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pivgm.errors import SourceFormatError

DELIMITERS = ("|", ";", "\t", ",")
HEADER_SEARCH_LINES = 200
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".psv", ".dat")
PARQUET_SUFFIXES = (".parquet", ".pq")
BLOCK_SIZE = 16 << 20


@dataclass
class StagedRecords:
    """Parquet files holding every well-formed record, as strings, and the malformed lines left out."""

    files: list[Path] = field(default_factory=list)
    malformed: int = 0
    read_lines: int = 0
    sources: list[str] = field(default_factory=list)


def _suffixes(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def input_files(inputs: Sequence[Path]) -> list[Path]:
    """The record files named or found in the folders named (sorted), text or Parquet."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and _suffixes(p).endswith(_KNOWN))
            if not found:
                raise SourceFormatError("the folder has no CSV, TSV or Parquet files.", file=str(item))
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise SourceFormatError("no such file or folder.", file=str(item))
    return files


_KNOWN = TEXT_SUFFIXES + PARQUET_SUFFIXES


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors="replace")
    return open(path, encoding="utf-8-sig", errors="replace")


def _fields(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))] if line.strip() else []


def find_header(path: Path, wanted: Iterable[str], delimiter: str | None) -> tuple[int, str, list[str]]:
    """The index of the header line, the delimiter and the header's field names."""
    wanted_set = set(wanted)
    with _open_text(path) as text:
        lines = [line.rstrip("\r\n") for _, line in zip(range(HEADER_SEARCH_LINES), text, strict=False)]
    for index, line in enumerate(lines):
        for candidate in (delimiter,) if delimiter else DELIMITERS:
            names = _fields(line, candidate)
            if wanted_set <= set(names):
                return index, candidate, names
    raise SourceFormatError(
        f"no header line with the fields {sorted(wanted_set)} in its first {HEADER_SEARCH_LINES} lines.",
        file=path.name,
        hint="Check the field names in the recipe (columns, period, age) against the file's header.",
    )


def _stage_text(path: Path, fields: Sequence[str], delimiter: str | None, out: Path, staged: StagedRecords) -> None:
    skip, delim, names = find_header(path, fields, delimiter)
    malformed = 0

    def invalid(_row: object) -> str:
        nonlocal malformed
        malformed += 1
        return "skip"

    reader = pacsv.open_csv(
        pa.input_stream(str(path), compression="detect"),
        read_options=pacsv.ReadOptions(skip_rows=skip + 1, column_names=names, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=invalid, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            include_columns=list(fields),
            strings_can_be_null=False,
        ),
    )
    with pq.ParquetWriter(out, reader.schema) as writer:
        for batch in reader:
            staged.read_lines += batch.num_rows
            writer.write_batch(batch)
    staged.malformed += malformed
    staged.read_lines += malformed
    staged.files.append(out)


def _check_parquet(path: Path, fields: Sequence[str]) -> None:
    names = set(pq.read_schema(path).names)
    missing = [name for name in fields if name not in names]
    if missing:
        raise SourceFormatError(f"the Parquet file has no fields {missing}.", file=path.name)


def stage(
    files: Sequence[Path],
    fields: Sequence[str],
    delimiter: str | None,
    workdir: Path,
    progress: Callable[[Path], None] | None = None,
) -> StagedRecords:
    """Stage the record files for the engines: text files become Parquet in ``workdir``."""
    staged = StagedRecords()
    for number, path in enumerate(files):
        if _suffixes(path).endswith(PARQUET_SUFFIXES):
            _check_parquet(path, fields)
            staged.files.append(path)
            staged.read_lines += pq.read_metadata(path).num_rows
        else:
            try:
                _stage_text(path, fields, delimiter, workdir / f"records-{number:05d}.parquet", staged)
            except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as error:
                raise SourceFormatError(f"cannot be read as delimited text: {error}", file=path.name) from None
        staged.sources.append(path.name)
        if progress is not None:
            progress(path)
    return staged

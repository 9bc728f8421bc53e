"""What every reader takes and returns: ``ReadOptions`` in, a ``RawTable`` of text out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Protocol

import pyarrow as pa

from pivgm.errors import ColumnLimitError, RowLimitError, SourceFormatError
from pivgm.warehouse.encoding import decode_table

# Columns a reader adds to describe the layout; a file's own columns never start with "_".
LEVEL_COLUMN = "_level"
GROUP_COLUMN = "_group_{}"


@dataclass(frozen=True)
class ReadOptions:
    """What the user tells about a file; every None is detected."""

    sheet: str | int | None = None
    header_rows: int | None = None
    skip_rows: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    max_rows: int | None = None
    max_columns: int | None = None


@dataclass(frozen=True)
class RawTable:
    """A file's table as text, with where each row came from and what the reader decided.

    ``table`` holds every column as text (trimmed), named by the header (levels of a multi-row header
    joined with " / "); large files keep their columns dictionary-encoded (``plain`` decodes them).
    ``source_rows[i]`` is the row number of table row ``i`` as the user sees it in the
    file (1-based, header and title rows counted; for SDMX-ML, the line of the observation).
    """

    table: pa.Table
    source_rows: Sequence[int]
    file_name: str
    format: str
    detected: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    actions: pa.Array | None = None
    structure: str | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)

    def column(self, name: str) -> list[str | None]:
        return self.table.column(name).to_pylist()

    def plain(self) -> RawTable:
        """The same table with every column as plain strings."""
        return replace(self, table=decode_table(self.table))


class Reader(Protocol):
    """A file format: ``handles`` looks at the first bytes, ``read`` makes the table."""

    format: ClassVar[str]

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool: ...

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable: ...


@contextmanager
def library_errors(file_name: str, what: str, hint: str | None = None) -> Iterator[None]:
    """Turn whatever a parsing library raises on a broken file into a ``SourceFormatError``.

    Libraries such as openpyxl and xlrd raise many kinds of exceptions (KeyError, struct.error,
    zipfile.BadZipFile...) on damaged input; the user needs one clear message instead.
    """
    try:
        yield
    except (SourceFormatError, MemoryError):
        raise  # running out of memory is a limit of the job, not a fault of the file (workflow.jobs)
    except Exception as error:
        raise SourceFormatError(
            f"the {what} cannot be read ({type(error).__name__}: {str(error)[:200]}).",
            file=file_name,
            hint=hint,
        ) from None


def too_many_rows(file_name: str, limit: int) -> RowLimitError:
    return RowLimitError(
        f"the file has more than {limit:,} data rows, the most one submission may hold.",
        file=file_name,
        hint="Split it into several files (for example one per year) and submit each.",
    )


def check_columns(width: int, options: ReadOptions, file_name: str) -> None:
    """Refuse a table wider than ``options.max_columns`` before anything is done per column."""
    if options.max_columns is not None and width > options.max_columns:
        raise ColumnLimitError(
            f"the table has {width:,} columns, more than the {options.max_columns:,} one submission may hold.",
            file=file_name,
            hint="National tables have tens of columns: check the delimiter, or put the periods or categories "
            "in rows instead of columns (PIVGM_MAX_SUBMISSION_COLUMNS raises the limit).",
        )


def string_table(columns: dict[str, list[str]]) -> pa.Table:
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})

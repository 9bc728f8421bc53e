"""A published version's observations as validation reads them: each column read from its Parquet file when a
check asks for it, and dropped when the check is done, so that checking a large submission against a large
history never holds the whole history in memory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.warehouse.memory import release_free_memory


class Columns(Protocol):
    """What the checks read of published observations: a ``PublishedColumns`` or an Arrow table."""

    @property
    def num_rows(self) -> int: ...

    @property
    def column_names(self) -> list[str]: ...

    def column(self, name: str) -> pa.ChunkedArray: ...


class PublishedColumns:
    """The ``columns`` of a version file that it has (text kept dictionary-encoded as stored, each distinct
    value read once), with the ``num_rows``, ``column_names`` and ``column`` of an Arrow table."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        schema = pq.read_schema(path)
        self.all_columns = schema.names  # every column of the file, asked for or not
        self.column_names = [c for c in columns if c in schema.names]
        self.text_columns = {c for c in self.column_names if pa.types.is_string(schema.field(c).type)}
        self.num_rows = pq.read_metadata(path).num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        if name not in self.column_names:
            raise KeyError(f"{name} is not a column of {self.path.name}.")
        dictionary = [name] if name in self.text_columns else None
        column = pq.read_table(self.path, columns=[name], read_dictionary=dictionary).column(name)
        release_free_memory()  # what the reader freed, before the next column is read
        return column

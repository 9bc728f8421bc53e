"""Tables with their text dictionary-encoded, as a large file is read, and decoded again."""

from __future__ import annotations

import pyarrow as pa


def encoded(table: pa.Table) -> pa.Table:
    """``table`` with every text column dictionary-encoded."""
    columns = zip(table.column_names, table.columns, strict=True)
    return pa.table({name: c.dictionary_encode() if pa.types.is_string(c.type) else c for name, c in columns})


def decoded(table: pa.Table) -> pa.Table:
    """``table`` with every dictionary-encoded column as its values' type."""
    fields = [pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in table.schema]
    return table.cast(pa.schema(fields))

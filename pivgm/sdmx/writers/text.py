"""Vectorised text building over Arrow arrays, so writers format whole batches without a Python loop."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

# Characters XML 1.0 forbids (they cannot even be escaped).
_FORBIDDEN = "[\x00-\x08\x0b\x0c\x0e-\x1f]"
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\n", "&#10;"), ("\r", "&#13;"))


def number_text(values: pa.Array) -> pa.Array:
    """float64 -> text: whole numbers without a decimal part (``1234``), others in shortest form."""
    values = values.cast(pa.float64())
    whole = pc.and_(pc.equal(pc.floor(values), values), pc.less(pc.abs(values), 1e15))
    whole = pc.fill_null(whole, False)
    as_int = pc.cast(pc.cast(pc.if_else(whole, values, 0.0), pa.int64()), pa.string())
    text = pc.if_else(whole, as_int, pc.cast(values, pa.string()))
    return pc.replace_substring(text, "nan", "NaN")


def xml_escaped(values: pa.Array) -> pa.Array:
    """Text safe inside a double-quoted XML attribute (nulls stay null)."""
    text = pc.replace_substring_regex(values.cast(pa.string()), _FORBIDDEN, "")
    for raw, escaped in _XML_ESCAPES:
        text = pc.replace_substring(text, raw, escaped)
    return text


def concat(parts: Sequence[pa.Array | str], length: int) -> pa.Array:
    """Element-wise concatenation of arrays and constant strings; a null counts as empty."""
    arrays = [part if isinstance(part, str) else pc.fill_null(part, "") for part in parts]
    if not any(isinstance(part, pa.Array) for part in arrays):
        return repeated("".join(str(p) for p in arrays), length)
    if len(arrays) == 1:
        return arrays[0]
    return pc.binary_join_element_wise(*arrays, "")


def optional(prefix: str, values: pa.Array, suffix: str) -> pa.Array:
    """``prefix + value + suffix`` where a value is present, empty text where it is null."""
    return pc.fill_null(pc.binary_join_element_wise(prefix, values, suffix, ""), "")


def joined(values: pa.Array) -> str:
    """All elements as one string."""
    if len(values) == 0:
        return ""
    lists = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values.cast(pa.string()))
    return str(pc.binary_join(lists, "")[0].as_py())


def key_changes(batch: pa.RecordBatch, columns: Sequence[str], previous: tuple[str, ...] | None) -> pa.Array:
    """True where a row starts a new series (its ``columns`` differ from the row before; the first row is
    compared with ``previous``, the last key of the batch before)."""
    n = batch.num_rows
    if not columns:
        return pa.array([previous is None] + [False] * (n - 1), pa.bool_())
    changed: pa.Array | None = None
    for index, name in enumerate(columns):
        column = batch.column(name).cast(pa.string())
        before = pa.concat_arrays(
            [pa.array([None if previous is None else previous[index]], pa.string()), column.slice(0, n - 1)]
        )
        differs = pc.fill_null(pc.not_equal(column, before), True)
        changed = differs if changed is None else pc.or_(changed, differs)
    assert changed is not None
    return changed


def last_key(batch: pa.RecordBatch, columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(batch.column(c)[batch.num_rows - 1].as_py()) for c in columns)


def repeated(value: str, length: int) -> pa.Array:
    return pa.array([value] * length, pa.string()) if length else pa.array([], pa.string())


ACTION = "ACTION"
REPLACE, DELETE = "Replace", "Delete"


def action_runs(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[str | None, pa.RecordBatch]]:
    """Batches cut where the data set action changes, without their ``ACTION`` column: ``Replace`` for
    added and revised observations (``I``, ``R``), ``Delete`` for deleted ones (``D``), which a change stream
    sends last; ``None`` for a message without actions (the data as they are)."""
    for batch in batches:
        if ACTION not in batch.schema.names:
            yield None, batch
            continue
        first_deleted = pc.index(batch.column(ACTION), "D").as_py()
        data = batch.drop_columns([ACTION])
        cut = batch.num_rows if first_deleted < 0 else first_deleted
        if cut:
            yield REPLACE, data.slice(0, cut)
        if cut < batch.num_rows:
            yield DELETE, data.slice(cut)

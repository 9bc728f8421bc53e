"""Dictionary-encoded text columns: the compact form in which large submissions are read, mapped and checked.

A national file of millions of rows holds few distinct labels per column (countries, sexes, months), so
trimming, translating labels to codes and checking codes work on each column's distinct values only, and
the rows are touched once, through integer indices. Every dictionary made here holds each value once, so
two rows have the same value exactly when they have the same index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pa.string()
INDEX = pa.int32()  # the widest index kept; columns are held in the narrowest that fits (``index_type``)
NARROW_INDICES = ((pa.int8(), 2**7 - 1), (pa.int16(), 2**15 - 1))


def index_type(entries: int) -> pa.DataType:
    """The narrowest index type for a dictionary of ``entries`` values that leaves room for two codes more
    (a null, and a value of none of them: see ``codes`` and ``add_indices``): a column of a few countries,
    sexes or months holds one or two bytes per row instead of four."""
    for type_, largest in NARROW_INDICES:
        if entries + 2 <= largest:
            return type_
    return INDEX


def _narrow(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """``array`` with indices of ``index_type`` (a copy of them only when they are wider)."""
    wanted = index_type(len(array.dictionary))
    if array.indices.type == wanted:
        return array
    return pa.DictionaryArray.from_arrays(array.indices.cast(wanted), array.dictionary)


def is_encoded(array: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_dictionary(array.type)


def _single(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        if is_encoded(array) and array.num_chunks > 1:
            array = pa.chunked_array(pa.table({"c": array}).unify_dictionaries().column("c").chunks, array.type)
        return array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    return array


def _unique(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """The same values over a dictionary without repeats (a mapping may send two labels to one code)."""
    dictionary = array.dictionary
    distinct = pc.dictionary_encode(dictionary)
    if len(distinct.dictionary) == len(dictionary) and dictionary.null_count == 0:
        return array
    if dictionary.null_count:  # a null in the dictionary is a null value: give it a null index
        positions = pc.if_else(pc.is_null(dictionary), pa.scalar(None, INDEX), distinct.indices.cast(INDEX))
    else:
        positions = distinct.indices.cast(INDEX)
    return pa.DictionaryArray.from_arrays(pc.take(positions, array.indices), distinct.dictionary.cast(TEXT))


def encode(array: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``array`` as one dictionary array of text with a dictionary without repeats and the narrowest
    indices (``index_type``)."""
    single = _single(array)
    if not is_encoded(single):
        single = pc.dictionary_encode(single.cast(TEXT))
    if single.dictionary.type != TEXT:
        single = pa.DictionaryArray.from_arrays(single.indices, single.dictionary.cast(TEXT))
    return _narrow(_unique(single))


def transform(array: pa.DictionaryArray, function: Callable[[pa.Array], pa.Array]) -> pa.DictionaryArray:
    """``function`` applied to each distinct value (e.g. trimming, label translation), rows untouched."""
    return _narrow(_unique(pa.DictionaryArray.from_arrays(array.indices, function(array.dictionary))))


def decode(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Plain text again."""
    single = _single(array)
    return single.dictionary_decode() if is_encoded(single) else single


def decode_table(table: pa.Table) -> pa.Table:
    """``table`` with every dictionary column as plain text."""
    if not any(is_encoded(column) for column in table.columns):
        return table
    return pa.table(
        {
            name: decode(table.column(name)) if is_encoded(table.column(name)) else table.column(name)
            for name in table.column_names
        }
    )


def zeros(rows: int) -> pa.Array:
    """``rows`` zero indices, to be shared by constant columns (see ``constant``): one byte each."""
    return pa.array(np.zeros(rows, np.int8))


def constant(value: str, rows: int, indices: pa.Array | None = None) -> pa.DictionaryArray:
    """One value repeated ``rows`` times, stored once; ``indices`` (``zeros(rows)``) may be shared by every
    constant column of a table, so that five constants hold their indices once."""
    return pa.DictionaryArray.from_arrays(zeros(rows) if indices is None else indices, pa.array([value], TEXT))


def rows_where(array: pa.DictionaryArray, entries: pa.Array) -> pa.Array:
    """Positions of the rows whose value is one of the dictionary ``entries`` (a boolean mask over the
    dictionary)."""
    chosen = pc.indices_nonzero(entries).cast(INDEX)
    if not len(chosen):
        return pa.array([], pa.uint64())
    return pc.indices_nonzero(pc.fill_null(pc.is_in(array.indices, value_set=chosen), False))


def codes(array: pa.DictionaryArray) -> np.ndarray:
    """The indices as int64, nulls as one more code after the dictionary's (a null is a value of its own)."""
    indices = array.indices if array.indices.null_count == 0 else array.indices.fill_null(len(array.dictionary))
    return np.asarray(indices.to_numpy(zero_copy_only=False), np.int64)


def add_codes(target: np.ndarray, array: pa.DictionaryArray) -> None:
    """Add ``codes(array)`` to ``target`` (int64) in place, without making them as int64 first."""
    add_indices(target, array.indices, len(array.dictionary))


def add_indices(target: np.ndarray, indices: pa.Array, null: int) -> None:
    """Add ``indices`` (``null`` where null) to ``target`` (int64) in place, without an int64 copy."""
    filled = indices if indices.null_count == 0 else indices.fill_null(null)
    np.add(target, filled.to_numpy(zero_copy_only=False), out=target)


def is_constant(array: pa.DictionaryArray) -> bool:
    """Whether every row holds the one value of the dictionary (e.g. a constant of the mapping)."""
    return len(array.dictionary) == 1 and array.null_count == 0


def combined_codes(arrays: Sequence[pa.DictionaryArray], rows: int) -> np.ndarray:
    """One int64 per row that is equal for two rows exactly when all ``arrays`` are equal for them."""
    combined = np.zeros(rows, np.int64)
    size = 1
    for array in arrays:
        if is_constant(array):  # the same code for every row: it tells no rows apart
            continue
        width = len(array.dictionary) + 1
        if size * width >= 2**62:  # keep the product small enough: number the combinations seen so far
            combined = np.unique(combined, return_inverse=True)[1].astype(np.int64)
            size = int(combined.max()) + 1 if rows else 1
        combined *= width  # in place: no temporary column of the rows per array
        add_codes(combined, array)
        size *= width
    return combined


def combined_codes_with(
    arrays: Sequence[pa.DictionaryArray], rows: int, others: Iterable[pa.Array | pa.ChunkedArray], other_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``combined_codes`` of ``arrays``, and of the rows of ``others`` (one column per array, e.g. of a
    published table) whose values all occur in the arrays' dictionaries, numbered alike: equal exactly when
    all values are equal; and the positions of those rows. Rows with any other value cannot equal a row of
    ``arrays``. The columns of ``others`` (e.g. read from a file as they are asked for) are looked up one at a
    time, never held all at once."""
    combined, other = np.zeros(rows, np.int64), np.zeros(other_rows, np.int64)
    known = np.ones(other_rows, bool)
    size = 1
    for array, values in zip(arrays, others, strict=True):
        constant = is_constant(array)  # the same code for every submitted row and every known published one
        width = len(array.dictionary) + 1
        if not constant and size * width >= 2**62:  # as in ``combined_codes``, over both sets of rows at once
            numbered = np.unique(np.concatenate([combined, other]), return_inverse=True)[1].astype(np.int64)
            combined, other = numbered[:rows], numbered[rows:]
            size = int(numbered.max()) + 1 if len(numbered) else 1
        if not constant:
            combined *= width
            add_codes(combined, array)
            other *= width
        low = 0
        for chunk in _chunks(values):  # a chunk at a time: no column of positions held
            high = low + len(chunk)
            if not (constant and _all_in(chunk, array)):  # a constant all rows have tells nothing
                positions = _positions(chunk, array)
                if positions.null_count:
                    known[low:high] &= np.asarray(pc.is_valid(positions).to_numpy(zero_copy_only=False), bool)
                if not constant:
                    add_indices(other[low:high], positions, 0)
            low = high
        del values
        if not constant:
            size *= width
    index = np.int32 if other_rows < 2**31 else np.int64  # positions in 32 bits when they fit: half the memory
    if known.all():  # every published row can match: the codes as they are, not a copy
        return combined, other, np.arange(other_rows, dtype=index)
    matched = np.flatnonzero(known).astype(index)
    return combined, other[matched], matched


def _chunks(values: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]


def _all_in(chunk: pa.Array, array: pa.DictionaryArray) -> bool:
    """Whether every value of a dictionary-encoded ``chunk`` is in ``array``'s dictionary (looked up once
    per distinct value; False when that cannot be told without looking at the rows)."""
    if not is_encoded(chunk) or chunk.null_count:
        return False
    return not pc.index_in(chunk.dictionary.cast(TEXT), value_set=array.dictionary).null_count


def _positions(chunk: pa.Array, array: pa.DictionaryArray) -> pa.Array:
    """``positions_in`` for one array."""
    narrow = index_type(len(array.dictionary))
    if is_encoded(chunk):  # each distinct value looked up once, not once per row
        found = pc.index_in(chunk.dictionary.cast(TEXT), value_set=array.dictionary).cast(narrow)
        return pc.take(found, chunk.indices)
    return pc.index_in(chunk.cast(TEXT), value_set=array.dictionary).cast(narrow)


def positions_in(values: pa.Array | pa.ChunkedArray, array: pa.DictionaryArray) -> pa.Array:
    """For each of ``values`` (e.g. a published column), its index in ``array``'s dictionary (of the type
    ``index_type`` gives), or null. Dictionary-encoded values are looked up once per distinct value, not once
    per row."""
    found = [_positions(chunk, array) for chunk in _chunks(values)]
    return pa.concat_arrays(found) if found else pa.array([], index_type(len(array.dictionary)))

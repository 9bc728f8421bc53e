"""Bring an observation table to a dataflow's exact shape and check it against the standard."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.model import Attribute, Dataflow, Dimension

PERIOD_PATTERN = r"^\d{4}(-A1|-S[12]|-Q[1-4]|-M?(0[1-9]|1[0-2]))?$"  # calendar and SDMX reporting periods
REPORTING_PATTERN = r"^\d{4}-(A1|S[12]|M(0[1-9]|1[0-2]))$"  # a reporting period only with its start day


def observation_schema(dataflow: Dataflow) -> pa.Schema:
    """Strings for dimensions, period and attributes; float64 for the measure."""
    structure = dataflow.structure
    return pa.schema(
        [pa.field(c, pa.float64() if c == structure.measure.id else pa.string()) for c in structure.column_ids]
    )


def _matches(texts: pa.Array, pattern: str) -> pa.Array:
    """Whether each text matches ``pattern``; a dictionary-encoded column's values are matched once each."""
    if pa.types.is_dictionary(texts.type):
        return pc.take(pc.match_substring_regex(texts.dictionary, pattern), texts.indices)
    return pc.match_substring_regex(texts, pattern)


def _first_row(mask: pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


def _fail(source: str, message: str, column: str, mask: pa.Array | None = None, hint: str | None = None) -> None:
    row = _first_row(mask) + 1 if mask is not None else None
    raise SourceFormatError(message + (f" (observation {row})" if row else ""), file=source, column=column, hint=hint)


def _column(table: pa.Table, name: str, dataflow: Dataflow, source: str, encoded: bool) -> pa.Array:
    if name in table.column_names:
        column = table.column(name)
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if name in dataflow.structure.attribute_ids:
        return _constant(dataflow.defaults.get(name), table.num_rows, encoded)
    _fail(source, f"the table has no {name} column, which {dataflow.id} requires.", name)
    raise AssertionError  # pragma: no cover


def _constant(value: str | None, rows: int, encoded: bool) -> pa.Array:
    """``value`` (or nothing) on every row: as text, or ``encoded`` as one dictionary code (a byte a row)."""
    if not encoded:
        return pa.repeat(pa.scalar(value, pa.string()), rows)
    if value is None:
        return pa.DictionaryArray.from_arrays(pa.nulls(rows, pa.int8()), pa.array([], pa.string()))
    return pa.DictionaryArray.from_arrays(np.zeros(rows, np.int8), pa.array([value], pa.string()))


def _fill_defaults(array: pa.Array, default: str | None) -> pa.Array:
    if default is None or not array.null_count:
        return array
    if pa.types.is_dictionary(array.type):  # room in the indices for the default's code
        array = array.cast(pa.dictionary(pa.int32(), array.type.value_type))
    return pc.fill_null(array, default)


def _target_type(array: pa.Array, wanted: pa.DataType, encoded: bool) -> pa.DataType:
    """``wanted``, or for a dictionary-encoded text column kept ``encoded``, text codes under its own indices."""
    if encoded and wanted == pa.string() and pa.types.is_dictionary(array.type):
        return pa.dictionary(array.type.index_type, pa.string())
    return wanted


def _check_codes(table: pa.Table, dataflow: Dataflow, source: str) -> None:
    components: list[Dimension | Attribute] = [*dataflow.structure.dimensions, *dataflow.structure.attributes]
    for component in components:
        if component.codelist is None:
            continue
        values = table.column(component.id).combine_chunks()
        known = pa.array(sorted(component.codelist.ids()), pa.string())
        unknown = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=known)))
        if pc.any(unknown).as_py():
            bad = values[_first_row(unknown)].as_py()
            _fail(source, f"code {bad!r} is not in codelist {component.codelist.id}.", component.id, unknown)


def _check_required(table: pa.Table, dataflow: Dataflow, source: str) -> None:
    structure = dataflow.structure
    required = [*structure.dimension_ids, structure.time_dimension]
    required += [a.id for a in structure.attributes if a.mandatory]
    for name in required:
        missing = pc.is_null(table.column(name).combine_chunks())
        if pc.any(missing).as_py():
            _fail(source, f"{name} is empty.", name, missing)
    no_value = pc.is_null(table.column(structure.measure.id).combine_chunks())
    withheld = pc.is_in(table.column("CONF_STATUS").combine_chunks(), value_set=pa.array(["F", "E"]))
    unexplained = pc.and_(no_value, pc.fill_null(withheld, True))
    if pc.any(unexplained).as_py():
        _fail(
            source,
            f"{structure.measure.id} is empty and CONF_STATUS does not say it is confidential.",
            structure.measure.id,
            unexplained,
        )
    periods = table.column(structure.time_dimension).combine_chunks()
    malformed = pc.invert(_matches(periods, PERIOD_PATTERN))
    if pc.any(malformed).as_py():
        bad = periods[_first_row(malformed)].as_py()
        _fail(source, f"period {bad!r} is not YYYY, YYYY-Qn or YYYY-MM.", structure.time_dimension, malformed)
    reporting = _matches(periods, REPORTING_PATTERN)
    if "REPORTING_YEAR_START_DAY" in table.column_names:
        start_days = table.column("REPORTING_YEAR_START_DAY").combine_chunks()
        reporting = pc.and_(reporting, pc.is_null(start_days))
    if pc.any(reporting).as_py():
        bad = periods[_first_row(reporting)].as_py()
        _fail(source, f"reporting period {bad!r} has no REPORTING_YEAR_START_DAY.", structure.time_dimension, reporting)


def _check_unique_keys(table: pa.Table, dataflow: Dataflow, source: str) -> None:
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    counts = table.group_by(keys).aggregate([([], "count_all")])
    duplicated = counts.filter(pc.greater(counts.column("count_all"), 1))
    if duplicated.num_rows:
        key = ".".join(str(duplicated.column(k)[0].as_py()) for k in keys)
        _fail(source, f"key {key} appears {duplicated.column('count_all')[0].as_py()} times.", "key")


def conform(
    table: pa.Table, dataflow: Dataflow, source: str, *, validated: bool = False, encoded: bool = False
) -> pa.Table:
    """Return ``table`` with exactly the dataflow's columns and types, defaults filled in.

    Raises ``SourceFormatError`` for a missing dimension, a code outside its codelist, an empty mandatory
    value, a malformed period or a duplicated key. ``validated`` skips the code and key checks that the
    validation rules have just made on the same rows. ``encoded`` keeps the text columns that ``table`` holds
    dictionary-encoded so (the same codes, a fraction of their size as text: 0.1 GB rather than 0.6 GB for
    5 M rows of a large file).
    """
    schema = observation_schema(dataflow)
    arrays = []
    for field in schema:
        array = _column(table, field.name, dataflow, source, encoded)
        wanted = _target_type(array, field.type, encoded)
        try:
            array = array if array.type == wanted else array.cast(wanted)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            _fail(source, f"{field.name} cannot be read as {field.type}.", field.name)
        arrays.append(_fill_defaults(array, dataflow.defaults.get(field.name)))
    result = pa.Table.from_arrays(arrays, names=schema.names)
    _check_required(result, dataflow, source)
    if not validated:
        _check_codes(result, dataflow, source)
        _check_unique_keys(result, dataflow, source)
    return result

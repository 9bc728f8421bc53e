"""Shared reading of tidy count files: a first-of-month date ``t``, labels, and a whole-number count ``n``.

The irregular-flow files (Panama, Mexico, Honduras, Guatemala) and the CBP encounter file all come in this
shape from IOM's gdidata package; these helpers turn them into observation columns with strict errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv

DATE = "t"
COUNT = "n"

# gdidata's non-ISO nationality codes -> the platform's CL_AREA codes (XKX and TIB are kept as they are).
SPECIAL_NATIONALITIES: Mapping[str, str] = {"OOO": "_O", "STL": "XXA"}

# men/women/boys/girls -> (SEX, AGE, ACCOMPANIMENT); children's accompaniment is not reported.
PERSON_GROUPS: Mapping[str, tuple[str, str, str]] = {
    "men": ("M", "Y_GE18", "_Z"),
    "women": ("F", "Y_GE18", "_Z"),
    "boys": ("M", "Y_LT18", "_T"),
    "girls": ("F", "Y_LT18", "_T"),
}
CHILD_GROUPS = ("boys", "girls")


def _row(index: int) -> int:
    """Spreadsheet row of a data index (header is row 1)."""
    return index + 2


def _fail_at(path: Path, bad: pa.Array, column: str, message: str) -> None:
    """Raise for the first true value of ``bad``, naming its row."""
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(message, file=path.name, row=_row(index), column=column)


def read_counts(path: Path, labels: Iterable[str] = ()) -> pa.Table:
    """Read ``t`` (date, first of the month), the ``labels`` columns (text) and ``n`` (count >= 0)."""
    columns: dict[str, pa.DataType] = {
        DATE: pa.date32(),
        **dict.fromkeys(labels, pa.string()),
        COUNT: pa.int64(),
    }
    table = read_source_csv(path, columns)
    dates, counts = table.column(DATE).combine_chunks(), table.column(COUNT).combine_chunks()
    _fail_at(path, pc.is_null(dates), DATE, "the date is empty.")
    _fail_at(path, pc.not_equal(pc.day(dates), 1), DATE, "the date must be the first day of a month.")
    _fail_at(path, pc.is_null(counts), COUNT, "the count is empty.")
    _fail_at(path, pc.less(counts, 0), COUNT, "the count is negative.")
    return table


def months(table: pa.Table) -> pa.Array:
    """``t`` as SDMX monthly periods (``2023-07``)."""
    return pc.strftime(table.column(DATE).combine_chunks(), "%Y-%m")


def years(table: pa.Table) -> pa.Array:
    """``t`` as SDMX annual periods (``2015``)."""
    return pc.strftime(table.column(DATE).combine_chunks(), "%Y")


def values(table: pa.Table) -> pa.Array:
    """``n`` as float64 observation values."""
    return pc.cast(table.column(COUNT).combine_chunks(), pa.float64())


def constant(value: str, length: int) -> pa.Array:
    return pa.array([value] * length, pa.string())


def citizenship(path: Path, table: pa.Table, column: str, empty: str | None = None) -> pa.Array:
    """ISO3 nationality codes with gdidata's special codes translated; an empty cell becomes ``empty``.

    Without ``empty``, an empty cell or anything that is not three capital letters is an error.
    """
    special = {**SPECIAL_NATIONALITIES, **({"": empty} if empty is not None else {})}
    raw = table.column(column).combine_chunks()
    coded = map_values(raw, special, file=path.name, column_name=column, keep_unmapped=True)
    plain = pc.invert(pc.is_in(raw, value_set=pa.array(list(special), pa.string())))
    bad = pc.and_(plain, pc.invert(pc.match_substring_regex(raw, r"^[A-Z]{3}$")))
    _fail_at(path, bad, column, "the nationality is not an ISO 3166 alpha-3 code.")
    return coded


def person_groups(path: Path, table: pa.Table, column: str) -> dict[str, pa.Array]:
    """SEX, AGE and ACCOMPANIMENT for ``men``/``women``/``boys``/``girls`` rows.

    In a month with no ``boys``/``girls`` rows, ``men`` and ``women`` add up to everyone (Darién 2021-2022),
    so they are coded as all ages rather than adults.
    """
    labels = table.column(column).combine_chunks()
    coded = {
        dimension: map_values(
            labels,
            {label: codes[i] for label, codes in PERSON_GROUPS.items()},
            file=path.name,
            column_name=column,
        )
        for i, dimension in enumerate(("SEX", "AGE", "ACCOMPANIMENT"))
    }
    dates = table.column(DATE).combine_chunks()
    child_months = pc.unique(pc.filter(dates, pc.is_in(labels, value_set=pa.array(CHILD_GROUPS))))
    all_ages = pc.invert(pc.is_in(dates, value_set=child_months))
    coded["AGE"] = pc.if_else(all_ages, "_T", coded["AGE"])
    coded["ACCOMPANIMENT"] = pc.if_else(all_ages, "_T", coded["ACCOMPANIMENT"])
    return coded


def observations(
    dimensions: Mapping[str, pa.Array | str],
    time_period: pa.Array,
    value: pa.Array,
    attributes: Mapping[str, str] | None = None,
) -> pa.Table:
    """An observation table: dimension columns in the given order (a string is a constant), then
    ``TIME_PERIOD``, ``OBS_VALUE`` and constant attribute columns."""
    length = len(value)
    columns: dict[str, pa.Array] = {
        name: constant(column, length) if isinstance(column, str) else column for name, column in dimensions.items()
    }
    columns["TIME_PERIOD"] = time_period
    columns["OBS_VALUE"] = value
    for name, attribute in (attributes or {}).items():
        columns[name] = constant(attribute, length)
    return pa.table(columns)


def sum_duplicate_keys(table: pa.Table) -> pa.Table:
    """Add up rows with the same key (gdidata gave several source labels one ISO code), keeping column order.

    Constant attribute columns (UNIT_MEASURE) are part of the grouping, so they survive unchanged.
    """
    keys = [name for name in table.column_names if name != "OBS_VALUE"]
    summed = table.group_by(keys, use_threads=False).aggregate([("OBS_VALUE", "sum")])
    summed = summed.rename_columns([*keys, "OBS_VALUE"])
    return summed.select(table.column_names)

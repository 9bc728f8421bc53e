"""The aggregation, written once in Ibis, run by DuckDB or Spark.

1. Each distinct event date is read once (a small calendar: year, month, and the latest birth date for each
   age bound) and joined to its records; per record only the birth date is compared, giving the position
   of the age group. Records are grouped by year, month, age group and their *raw* labels. Periods, age
   codes and trimmed labels are then built once per group, and each distinct label is translated once.
2. Per distinct label: codes from the recipe and the platform's matchers (``codes.py``); each group without
   a period, an age or a code gets the first reason that applies.
3. Groups with a reason are counted by reason; the others are added up to the dataflow's key.
4. Totals: every combination of the dimensions that take ``_T``, added up from the cells of step 3.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from pivgm.microdata.codes import code_map
from pivgm.microdata.columns import KEYS, LARGEST, PERIOD, RECORDS, SECOND, VALUE
from pivgm.microdata.protection.cellkey import KEY_BITS
from pivgm.microdata.recipe import TOTAL, AgeRule, PeriodRule, Recipe
from pivgm.model import Dataflow

REASON = "REASON"
_AGE_CODE = "_age"
_YEAR, _MONTH = "_year", "_month"
_DATE_PATTERNS = {
    "dmy": (r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", ("d", "m", "y")),
    "mdy": (r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", ("m", "d", "y")),
    "ymd": (r"^\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})", ("y", "m", "d")),
}


@dataclass(frozen=True)
class Aggregation:
    """The aggregated table (dimensions, ``TIME_PERIOD``, ``OBS_VALUE``, ``RECORDS``, ``LARGEST`` and, for a
    magnitude, ``SECOND``: the two largest contributions; for the cell-key method, ``KEYS``) and the records
    left out, by reason."""

    cells: pa.Table
    unmapped: Mapping[str, int]


def _date_parts(column: ir.Value, order: str) -> tuple[ir.IntegerValue, ir.IntegerValue, ir.IntegerValue]:
    """Year, month and day of a date field (typed, or text in the order given); null when unreadable."""
    if column.type().is_temporal():
        return column.year(), column.month(), column.day()
    pattern, names = _DATE_PATTERNS[order]
    text = column.cast("string")
    parts = {name: text.re_extract(pattern, i + 1).nullif("").cast("int32") for i, name in enumerate(names)}
    month = ibis.ifelse(
        (parts["m"] >= 1) & (parts["m"] <= 12) & (parts["d"] >= 1) & (parts["d"] <= 31), parts["m"], None
    )
    return parts["y"], month, parts["d"]


def _period(year: ir.IntegerValue, month: ir.IntegerValue, rule: PeriodRule) -> ir.StringValue:
    if rule.frequency == "M":
        return year.cast("string") + "-" + month.cast("string").lpad(2, "0")
    if rule.frequency == "Q":
        return year.cast("string") + "-Q" + ((month - 1) // 3 + 1).cast("string")
    fiscal = year + ibis.ifelse(month >= rule.fiscal_year_start, 1, 0) if rule.fiscal_year_start > 1 else year
    return ibis.ifelse(month.notnull(), fiscal.cast("string"), None)


def _ymd(value: object, order: str) -> tuple[int, int, int] | None:
    """Year, month and day of one event-date value (a date, or text in the order given); None if unreadable."""
    if isinstance(value, date):
        return value.year, value.month, value.day
    if value is None:
        return None
    pattern, names = _DATE_PATTERNS[order]
    match = re.match(pattern, str(value), re.ASCII)
    if match is None:
        return None
    parts = dict(zip(names, (int(group) for group in match.groups()), strict=True))
    if not (1 <= parts["m"] <= 12 and 1 <= parts["d"] <= 31):
        return None
    return parts["y"], parts["m"], parts["d"]


def _bounds(rule: AgeRule) -> list[int]:
    """The ages at which a group starts or the next one begins: a record's group follows from whether the
    person had reached each of them."""
    return sorted({g.low for g in rule.groups} | {g.high + 1 for g in rule.groups})


def _latest_birth(ymd: tuple[int, int, int], age: int, typed: bool) -> date | int | None:
    """The latest birth date at which a person is ``age`` or older on the date ``ymd``: that date ``age``
    years earlier (the last day of its month when it does not exist, e.g. 29 February); as a date, or as
    the number YYYYMMDD when birth dates are text."""
    year, month, day = ymd[0] - age, ymd[1], ymd[2]
    if not typed:
        return year * 10000 + month * 100 + day
    if year < 1:
        return None
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _calendar(records: ir.Table, recipe: Recipe, typed_birth: bool) -> pa.Table:
    """One row per distinct event-date value: its year and month and, with an age rule, the latest birth
    date for each bound of the age groups. Dates are read once per distinct value, not once per record."""
    column = records[recipe.period.column]
    values = records.select(_event=column).distinct().to_pyarrow().column(0)
    bounds = _bounds(recipe.age) if recipe.age is not None else []
    years, months = [], []
    latest: list[list[date | int | None]] = [[] for _ in bounds]
    for value in values.to_pylist():
        ymd = _ymd(value, recipe.period.dates)
        years.append(ymd[0] if ymd else None)
        months.append(ymd[1] if ymd else None)
        for column_of, bound in zip(latest, bounds, strict=True):
            column_of.append(_latest_birth(ymd, bound, typed_birth) if ymd else None)
    birth_type = pa.date32() if typed_birth else pa.int64()
    return pa.table(
        {
            "_event": values,
            _YEAR: pa.array(years, pa.int32()),
            _MONTH: pa.array(months, pa.int8()),
            **{f"_b{age}": pa.array(c, birth_type) for age, c in zip(bounds, latest, strict=True)},
        }
    )


def _age_group(table: ir.Table, rule: AgeRule) -> ir.IntegerValue:
    """The position of the record's age group in ``rule.groups`` (a small integer: cheap to group by): the
    first group whose lower bound the person had reached and whose upper bound not yet passed. Per record
    this is only comparisons of the birth date with the calendar's latest birth dates."""
    field = table[rule.birth_date]
    if field.type().is_temporal():
        birth: ir.Value = field.cast("date")
    else:
        year, month, day = _date_parts(field, rule.dates)
        birth = year.cast("int64") * 10000 + month * 100 + day
    branches = [
        ((birth <= table[f"_b{g.low}"]) & (birth > table[f"_b{g.high + 1}"]), index)
        for index, g in enumerate(rule.groups)
    ]
    return ibis.cases(*branches, else_=None).cast("int8")


def _record_key(records: ir.Table, fields: tuple[str, ...], secret: str) -> ir.IntegerValue:
    """A number in ``[0, 2**24)`` from the MD5 of the secret and the record's fields as text: the same for the
    same record in every run, table and engine (both engines write MD5 in lower-case hexadecimal)."""
    text = ibis.literal("\x1f").join([ibis.literal(secret), *(records[f].cast("string").coalesce("") for f in fields)])
    digest = text.hexdigest("md5")
    key: ir.IntegerValue = ibis.literal(0, "int64")
    for position in range(KEY_BITS // 4):
        code = digest.substr(position, 1).ascii_str().cast("int64")
        key = key * 16 + code - ibis.ifelse(code >= 97, 87, 48)  # '0'-'9' are 48-57, 'a'-'f' 97-102
    return key


def _first_stage(records: ir.Table, recipe: Recipe, secret: str | None = None) -> ir.Table:
    """Records grouped by year, month, age group and raw labels, with their count, sum and largest value.

    Each distinct event date is read once (``_calendar``) and joined to its records; per record only the
    birth date is compared; periods, age codes and trimmed labels are built once per group.
    """
    typed_birth = recipe.age is not None and records[recipe.age.birth_date].type().is_temporal()
    dates = ibis.memtable(_calendar(records, recipe, typed_birth))
    # Register it with the engine now: Spark's cached tables (``cache`` below) do not register it themselves.
    ibis.get_backend(records).to_pyarrow(dates.limit(0))
    event = records[recipe.period.column]
    if event.type().is_temporal():
        dates = dates.mutate(_event=dates["_event"].cast(event.type()))
    table = records.left_join(dates, event == dates["_event"])
    derived: dict[str, ir.Value] = {_YEAR: table[_YEAR], _MONTH: table[_MONTH]}
    if recipe.age is not None:
        derived[_AGE_CODE] = _age_group(table, recipe.age)
    labels = {f"_r{i}": table[field] for i, field in enumerate(recipe.columns.values())}
    value = table[recipe.measure].try_cast("float64") if recipe.measure else ibis.literal(1, "int64")
    if recipe.measure:  # records whose value is not a number form groups of their own, counted by reason
        derived["_unreadable"] = value.isnull()
    keys = [*derived, *labels]
    rows = table.mutate(_value=value, **derived, **labels)
    metrics = {VALUE: ibis._["_value"].sum(), RECORDS: ibis._.count(), LARGEST: ibis._["_value"].max()}
    if secret is not None:  # the cell-key method: cells carry the sum of their records' keys
        rows = rows.mutate(_key=_record_key(table, recipe.record_key, secret))
        metrics[KEYS] = ibis._["_key"].sum()
    if recipe.measure:  # the p% rule needs the second largest contribution: rank the records of each group
        rows = rows.mutate(_rank=ibis.row_number().over(group_by=keys, order_by=ibis.desc("_value")))
        metrics[SECOND] = ibis._["_value"].max(where=ibis._["_rank"] == 1).coalesce(0.0)
    stage = rows.group_by(keys).aggregate(**metrics)
    built: dict[str, ir.Value] = {PERIOD: _period(stage[_YEAR], stage[_MONTH], recipe.period)}
    if recipe.age is not None:
        codes = [(stage[_AGE_CODE] == index, group.code) for index, group in enumerate(recipe.age.groups)]
        built[_AGE_CODE] = ibis.cases(*codes, else_=None)
    built |= {f"_l{i}": stage[f"_r{i}"].cast("string").strip() for i in range(len(recipe.columns))}
    return stage.mutate(**built)


def _reason(stage: ir.Table, recipe: Recipe) -> ir.StringValue:
    checks: list[tuple[ir.BooleanValue, str]] = [(stage[PERIOD].isnull(), "unreadable-date")]
    if recipe.period.first:
        checks.append((stage[PERIOD] < recipe.period.first, "date-outside-period"))
    if recipe.period.last:
        checks.append((stage[PERIOD] > recipe.period.last, "date-outside-period"))
    if recipe.age is not None:
        checks.append((stage[_AGE_CODE].isnull(), "unreadable-birth-date"))
    for dimension in recipe.columns:
        checks.append((stage[dimension].isnull(), f"unknown-{dimension.lower().replace('_', '-')}"))
    if recipe.measure:
        checks.append((stage[VALUE].isnull(), "unreadable-value"))
    return ibis.cases(*checks, else_=None)


def _with_codes(stage: ir.Table, recipe: Recipe, dataflow: Dataflow) -> ir.Table:
    codes = {}
    for i, (dimension, _field) in enumerate(recipe.columns.items()):
        labels = [v for v in stage.select(f"_l{i}").distinct().to_pyarrow().column(0).to_pylist() if v is not None]
        mapping = code_map(dimension, labels, dataflow, recipe.values.get(dimension, {}))
        known = {label: code for label, code in mapping.items() if code is not None}
        label = stage[f"_l{i}"]
        # ``substitute`` keeps unknown labels as they are: only labels with a code are translated.
        codes[dimension] = ibis.ifelse(label.isin(list(known)), label.substitute(known), ibis.null("string"))
    if recipe.age is not None:
        codes["AGE"] = stage[_AGE_CODE]
    coded = stage.mutate(**codes)
    return coded.mutate(**{REASON: _reason(coded, recipe)})


def _add_up(table: ir.Table, keys: list[str]) -> ir.Table:
    """Cells of ``table`` added up to ``keys``, with their record-key sums if they have them. For a magnitude,
    the second largest contribution of the union is the larger of the parts' second largest and the second
    largest of the parts' largest."""
    if SECOND in table.columns:
        table = table.mutate(_rank=ibis.row_number().over(group_by=keys, order_by=ibis.desc(table[LARGEST])))
    metrics = {VALUE: table[VALUE].sum(), RECORDS: table[RECORDS].sum(), LARGEST: table[LARGEST].max()}
    if SECOND in table.columns:
        runner_up = table[LARGEST].max(where=table["_rank"] == 1).coalesce(0.0)
        metrics[SECOND] = ibis.greatest(table[SECOND].max(), runner_up)
    if KEYS in table.columns:
        metrics[KEYS] = table[KEYS].sum()
    return table.group_by(keys).aggregate(**metrics)


def _totals(cells: ir.Table, totals: tuple[str, ...], keys: list[str]) -> ir.Table:
    columns = [*keys, *(c for c in (VALUE, RECORDS, LARGEST, SECOND, KEYS) if c in cells.columns)]
    parts = [cells]
    for size in range(1, len(totals) + 1):
        for combination in itertools.combinations(totals, size):
            kept = [k for k in keys if k not in combination]
            rolled = _add_up(cells, kept)
            parts.append(rolled.mutate(**{d: ibis.literal(TOTAL) for d in combination}).select(*columns))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def aggregate(
    records: ir.Table,
    recipe: Recipe,
    dataflow: Dataflow,
    step: Callable[[str], None] = lambda _: None,
    *,
    record_key_secret: str | None = None,
) -> Aggregation:
    """Aggregate ``records`` to the dataflow's key (dimensions from the records, then the period). With a
    ``record_key_secret`` (may be empty), cells also carry ``KEYS``: the sum of their records' keys."""
    step("grouping records")
    stage = _first_stage(records, recipe, record_key_secret).cache()
    step("mapping labels to codes")
    coded = _with_codes(stage, recipe, dataflow).cache()
    unmapped = coded.filter(coded[REASON].notnull()).group_by(REASON).aggregate(n=coded[RECORDS].sum())
    reasons = {row[REASON]: int(row["n"]) for row in unmapped.to_pyarrow().to_pylist()}
    keys = [*recipe.mapped_dimensions, PERIOD]
    valid = coded.filter(coded[REASON].isnull())
    cells = _add_up(valid, keys)
    step("adding totals")
    table = _totals(cells, recipe.totals, keys).order_by(keys).to_pyarrow()
    return Aggregation(table, dict(sorted(reasons.items())))

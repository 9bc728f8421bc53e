"""The observations of a selection arranged by the dimensions a view splits on; the others are added up.

Built from the very table the data API returns for the same selection, so every figure on a page can be
traced to API observations: a cell is one observation, or the sum of the observations it names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.model.periods import parse_period

TIME = "TIME_PERIOD"
UNIT = "UNIT_MEASURE"
MULTIPLIER = "UNIT_MULT"
NORMAL_STATUS = "A"
FREE = "F"
TOTAL = "_T"
MOE = "OBS_MOE"  # a survey estimate's margin of error (90 %), where the dataflow has one

Key = tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """A figure with its context: unit, multiplier, observation status, confidentiality and notes."""

    value: float | None
    observations: int = 1
    unit: str = ""
    multiplier: str = "0"
    statuses: tuple[str, ...] = ()
    confidentiality: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    moe: float | None = None  # margin of error of the figure; of a sum: √ of the summed squares (Census Bureau)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 90 % confidence interval value ± moe, when both are known."""
        if self.value is None or self.moe is None:
            return None
        return self.value - self.moe, self.value + self.moe

    @property
    def withheld(self) -> bool:
        """No value because it is confidential (CONF_STATUS C, D...), not because it is missing."""
        return self.value is None and bool(self.confidentiality)

    def plus(self, other: Cell) -> Cell:
        """Two figures added up (a missing value stays missing only if both are; a sum with a confidential
        part is confidential: a partial sum would be a wrong figure)."""
        values = [v for v in (self.value, other.value) if v is not None]
        if self.withheld or other.withheld:
            values = []
        moe = math.hypot(self.moe, other.moe) if self.moe is not None and other.moe is not None else None
        return Cell(
            sum(values) if values else None,
            self.observations + other.observations,
            self.unit,
            self.multiplier,
            tuple(sorted({*self.statuses, *other.statuses})),
            tuple(sorted({*self.confidentiality, *other.confidentiality})),
            tuple(dict.fromkeys((*self.comments, *other.comments))),
            moe,
        )

    @property
    def flags(self) -> tuple[str, ...]:
        return (*self.statuses, *self.confidentiality)


def add_up(cells: Iterable[Cell]) -> Cell | None:
    total: Cell | None = None
    for cell in cells:
        total = cell if total is None else total.plus(cell)
    return total


@cache
def period_order(period: str) -> tuple[object, ...]:
    parsed = parse_period(period)
    return (parsed.start, parsed.end)


@dataclass(frozen=True)
class Grid:
    """Cells by (key, period); the key holds the codes of ``dimensions`` in order.

    ``dimensions`` are the split dimensions, followed by UNIT_MEASURE and UNIT_MULT when the selection
    mixes units (values in different units are never added up)."""

    dimensions: tuple[str, ...]
    keys: tuple[Key, ...]
    periods: tuple[str, ...]
    cells: dict[tuple[Key, str], Cell]
    summed: tuple[str, ...] = ()
    double_counted: tuple[str, ...] = ()

    def series(self, key: Key) -> list[tuple[str, Cell]]:
        return [(p, self.cells[(key, p)]) for p in self.periods if (key, p) in self.cells]

    def units(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.unit for cell in self.cells.values()))

    def multipliers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.multiplier for cell in self.cells.values()))


def _double_counted(table: pa.Table, summed: Sequence[str], keys: Sequence[str]) -> tuple[str, ...]:
    """Summed dimensions where some figure adds a total (_T) to its own parts."""
    found = []
    for dimension in summed:
        is_total = pc.equal(table[dimension], TOTAL)
        if not pc.any(is_total).as_py():
            continue
        columns = [table[k].to_pylist() for k in keys]
        flags = is_total.to_pylist()
        with_total = {k for k, f in zip(zip(*columns, strict=True), flags, strict=True) if f}
        with_parts = {k for k, f in zip(zip(*columns, strict=True), flags, strict=True) if not f}
        if with_total & with_parts:
            found.append(dimension)
    return tuple(found)


def _moe(row: dict[str, object]) -> float | None:
    """√ of the summed squared margins, unless an observation of the figure has none."""
    if row["MOE_SQUARED_count"] or row["MOE_SQUARED_sum"] is None:
        return None
    return math.sqrt(float(row["MOE_SQUARED_sum"]))  # type: ignore[arg-type]


def _order(dimension_order: dict[str, dict[str, int]], dimensions: Sequence[str], key: Key) -> tuple[object, ...]:
    return tuple((dimension_order.get(d, {}).get(c, 10**6), c) for d, c in zip(dimensions, key, strict=True))


def build_grid(
    table: pa.Table,
    split: Sequence[str],
    all_dimensions: Sequence[str],
    code_order: dict[str, dict[str, int]],
) -> Grid:
    """Group ``table`` (an observation table) by ``split`` dimensions and period, adding up the rest.

    ``code_order`` gives each dimension's codelist order, used to order the keys."""
    units = pc.unique(table[UNIT]).to_pylist() if table.num_rows else []
    multipliers = pc.unique(table[MULTIPLIER]).to_pylist() if table.num_rows else []
    dimensions = [*split]
    if len(units) > 1:
        dimensions.append(UNIT)
    if len(multipliers) > 1:
        dimensions.append(MULTIPLIER)
    group_keys = [*dimensions, TIME, *(k for k in (UNIT, MULTIPLIER) if k not in dimensions)]
    summed = tuple(d for d in all_dimensions if d not in split and table.num_rows and len(pc.unique(table[d])) > 1)
    for column in ("OBS_STATUS", "CONF_STATUS", "OBS_COMMENT"):
        if pa.types.is_null(table.schema.field(column).type):  # an all-empty column of an untyped table
            table = table.set_column(table.schema.get_field_index(column), column, table[column].cast(pa.string()))
    aggregations: list[tuple[str, str] | tuple[str, str, pc.CountOptions]] = [
        ("OBS_VALUE", "sum"),
        ("OBS_VALUE", "count", pc.CountOptions(mode="all")),
        ("OBS_STATUS", "distinct"),
        ("CONF_STATUS", "distinct"),
        ("OBS_COMMENT", "distinct"),
    ]
    withheld = pc.and_(pc.is_null(table["OBS_VALUE"]), pc.invert(pc.is_in(table["CONF_STATUS"], pa.array(["F", "E"]))))
    table = table.append_column("WITHHELD", pc.fill_null(withheld, False))
    aggregations.append(("WITHHELD", "any"))
    with_moe = MOE in table.column_names
    if with_moe:
        table = table.append_column("MOE_SQUARED", pc.power(pc.cast(table[MOE], pa.float64()), 2))
        aggregations += [("MOE_SQUARED", "sum"), ("MOE_SQUARED", "count", pc.CountOptions(mode="only_null"))]
    grouped = table.group_by(group_keys, use_threads=False).aggregate(aggregations)
    cells: dict[tuple[Key, str], Cell] = {}
    rows = grouped.to_pylist()
    for row in rows:
        key = tuple(str(row[d]) for d in dimensions)
        cells[(key, str(row[TIME]))] = Cell(
            value=None if row["WITHHELD_any"] else row["OBS_VALUE_sum"],  # no partial sums of confidential cells
            observations=int(row["OBS_VALUE_count"]),
            unit=str(row[UNIT]),
            multiplier=str(row[MULTIPLIER]),
            statuses=tuple(sorted(s for s in row["OBS_STATUS_distinct"] if s and s != NORMAL_STATUS)),
            confidentiality=tuple(sorted(s for s in row["CONF_STATUS_distinct"] if s and s != FREE)),
            comments=tuple(sorted(c for c in row["OBS_COMMENT_distinct"] if c)),
            moe=_moe(row) if with_moe else None,
        )
    keys = sorted({k for k, _ in cells}, key=lambda k: _order(code_order, dimensions, k))
    periods = sorted({p for _, p in cells}, key=period_order)
    return Grid(
        tuple(dimensions),
        tuple(keys),
        tuple(periods),
        cells,
        summed,
        _double_counted(table, summed, [*dimensions, TIME]) if summed else (),
    )

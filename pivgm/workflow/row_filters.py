"""The rows a guided upload keeps: conditions on the file's columns (equals, not equals, in a list, not in
a list, empty, not empty), all of which a row must meet. Each becomes one entry of the recipe's ``filters``,
so what the person chose in the browser is what the saved recipe says."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import InvalidParameterError

OPERATORS = ("equals", "not_equals", "in", "not_in", "empty", "not_empty")
ONE_VALUE = ("equals", "not_equals")
NO_VALUE = ("empty", "not_empty")
MAX_CHOICES = 300


@dataclass(frozen=True)
class RowCondition:
    """One condition a kept row meets; ``problem`` names (as a message key) what is missing from it."""

    column: str
    operator: str = "equals"
    values: tuple[str, ...] = ()

    @property
    def problem(self) -> str | None:
        if self.operator in ONE_VALUE and len(self.values) != 1:
            return "filter_needs_one_value"
        if self.operator in ("in", "not_in") and not self.values:
            return "filter_needs_values"
        return None

    def recipe_filter(self) -> dict[str, Any]:
        """The condition as a recipe ``filters`` entry."""
        if self.operator in NO_VALUE:
            test: dict[str, Any] = {"equals": ""}
        elif self.operator in ONE_VALUE:
            test = {"equals": self.values[0]}
        else:
            test = {"in": list(self.values)}
        if self.operator.startswith("not_"):
            return {"column": self.column, "not": test}
        return {"column": self.column, **test}

    def mask(self, values: pa.ChunkedArray) -> pa.ChunkedArray:
        """The rows of ``values`` (a column) that meet the condition, as the recipe's filter reads them."""
        trimmed = pc.fill_null(pc.utf8_trim_whitespace(values.cast(pa.string())), "")
        if self.operator in NO_VALUE:
            kept = pc.equal(trimmed, "")
        else:
            wanted = pa.array([value.strip() for value in self.values], pa.string())
            kept = pc.is_in(trimmed, value_set=wanted)
        return pc.invert(kept) if self.operator.startswith("not_") else kept


def parse_conditions(rows: Iterable[tuple[str, str, Sequence[str]]]) -> list[RowCondition]:
    """Conditions from the form's rows of (column, operator, values); rows without a column are left out."""
    conditions = []
    for column, operator, values in rows:
        if not column:
            continue
        chosen = operator or "equals"
        if chosen not in OPERATORS:
            raise InvalidParameterError(
                f"Unknown condition {operator!r} on {column!r}; conditions are {', '.join(OPERATORS)}.",
                parameter="filter_op",
            )
        kept_values = () if chosen in NO_VALUE else tuple(dict.fromkeys(values))
        conditions.append(RowCondition(column, chosen, kept_values))
    return conditions


def keep(table: pa.Table, conditions: Sequence[RowCondition]) -> pa.Table:
    """The rows of ``table`` that meet every complete condition on one of its columns."""
    for condition in conditions:
        if condition.problem is None and condition.column in table.column_names:
            table = table.filter(condition.mask(table.column(condition.column)))
    return table


def choices(table: pa.Table, column: str) -> list[str]:
    """The distinct values of ``column`` a condition can pick from (the empty value is the "empty" operator)."""
    if column not in table.column_names:
        return []
    distinct = {str(v).strip() for v in table.column(column).unique().to_pylist() if v is not None}
    return sorted(distinct - {""})[:MAX_CHOICES]


def from_recipe(filters: Iterable[Any]) -> list[RowCondition]:
    """The conditions a saved recipe's ``filters`` hold, as the page shows them; entries the page cannot
    show (on codes, regular expressions) are left out (a recipe file keeps them)."""
    conditions = []
    for entry in filters:
        if not isinstance(entry, dict) or "column" not in entry:
            continue
        negated = "not" in entry
        test = entry["not"] if negated else entry
        if not isinstance(test, dict):
            continue
        if "equals" in test:
            value = str(test["equals"])
            operator = ("not_" if negated else "") + ("equals" if value.strip() else "empty")
            conditions.append(RowCondition(entry["column"], operator, (value,) if value.strip() else ()))
        elif "in" in test:
            values = tuple(str(v) for v in test["in"])
            conditions.append(RowCondition(entry["column"], "not_in" if negated else "in", values))
    return conditions

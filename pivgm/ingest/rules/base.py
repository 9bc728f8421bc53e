"""What a validation rule is, and what it is given."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from pivgm.ingest.report import MAX_ISSUES_PER_RULE, Issue, Severity
from pivgm.model import Dataflow
from pivgm.warehouse.checks import ROW, TableChecks
from pivgm.warehouse.published import Columns

Found = tuple[list[Issue], int]
NOTHING: Found = ([], 0)


@dataclass
class ValidationContext:
    """A mapped submission: one string column per component (codes after mapping), ``OBS_VALUE`` parsed
    to numbers, ``_row`` the file's row numbers; plus what the rules compare it with."""

    dataflow: Dataflow
    table: pa.Table
    checks: TableChecks
    column_labels: Mapping[str, str]
    invalid_numbers: pa.Table
    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    history: Columns | None = None
    memo: dict[str, pa.Table | None] = field(default_factory=dict)  # results several rules share

    def label(self, component: str) -> str:
        """The column name as the user sees it in the file (the component id if it was a constant)."""
        return self.column_labels.get(component, component)

    @property
    def present(self) -> set[str]:
        return set(self.table.column_names)


def _show(value: object) -> str:
    """Numbers as people write them (1234, not 1234.0); everything else as text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Rule(ABC):
    """One check with a stable kebab-case id, a severity, and message templates in Spanish and English.

    Templates use ``{value}``, ``{column}`` and the names a rule passes to ``issue``.
    """

    type: ClassVar[str]
    severity: ClassVar[Severity]
    messages: ClassVar[dict[str, str]]

    @abstractmethod
    def check(self, context: ValidationContext) -> Found:
        """The first issues (at most MAX_ISSUES_PER_RULE) and the exact number of them."""

    def issue(self, row: int | None, column: str | None, value: object, **params: Any) -> Issue:
        shown = _show(value)
        fields = {"value": shown, "column": column or "", **params}
        return Issue(
            type=self.type,
            severity=self.severity,
            row=row,
            column=column,
            value=shown if value is not None else None,
            message_es=self.messages["es"].format(**fields),
            message_en=self.messages["en"].format(**fields),
        )

    def from_rows(self, rows: pa.Table, column: str | None, value_field: str | None = "value", **params: Any) -> Found:
        """Issues for the first rows of a check's result; the count is exact."""
        issues = []
        for record in rows.slice(0, MAX_ISSUES_PER_RULE).to_pylist():
            value = record.get(value_field) if value_field else None
            extra = {k: (params[k](record) if callable(params[k]) else params[k]) for k in params}
            issues.append(self.issue(record[ROW], column, value, **extra))
        return issues, rows.num_rows

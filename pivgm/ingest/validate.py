"""Validate a mapped submission against its dataflow: returns a report and, when valid, observations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.conform import conform
from pivgm.ingest.mapping import MappedTable
from pivgm.ingest.report import Note, ValidationReport
from pivgm.ingest.rules import BLOCKING_RULES, RULES, Rule, ValidationContext
from pivgm.model import Dataflow
from pivgm.warehouse.checks import ROW, TableChecks
from pivgm.warehouse.published import Columns

CONF_STATUS = "CONF_STATUS"
PUBLISHABLE = ("F", "E")  # free, or free once the embargo ends: anything else is withheld on purpose


def confidential(table: pa.Table) -> pa.Array:
    """Rows whose value is withheld on purpose (CONF_STATUS C, D, A...): kept without a value, so they are
    published as confidential rather than lost."""
    if CONF_STATUS not in table.column_names:
        return pa.array(np.zeros(table.num_rows, bool))
    status = table.column(CONF_STATUS).combine_chunks()
    text = pa.types.is_dictionary(status.type) and pa.types.is_string(status.type.value_type)
    if not text:  # a dictionary-encoded column of text is matched on its distinct values, once each
        status = status.cast(pa.string())
    return pc.fill_null(pc.invert(pc.is_in(status, value_set=pa.array(PUBLISHABLE))), False)


NO_INVALID_NUMBERS = pa.table({ROW: pa.array([], pa.int32()), "text": pa.array([], pa.string())})


@dataclass
class ValidationOutcome:
    """The report and, when it has no errors, the checked rows (``checked``: the mapped table with the
    measure read as numbers); the observations to load are made from them when first asked for."""

    report: ValidationReport
    checked: pa.Table | None = None
    dataflow: Dataflow | None = field(default=None, repr=False)

    @cached_property
    def _kept(self) -> pa.Table | None:
        if self.checked is None or self.dataflow is None:
            return None
        measure = self.dataflow.structure.measure.id
        keep = pc.or_(pc.is_valid(self.checked.column(measure)), confidential(self.checked))
        if pc.all(keep, skip_nulls=False).as_py() is True:  # the usual case: no copy of the whole table
            return self.checked
        return self.checked.filter(keep)

    @cached_property
    def observations(self) -> pa.Table | None:
        """The rows with a value, conformed to the dataflow (None when the report has errors); text columns
        read dictionary-encoded stay so."""
        if self._kept is None or self.dataflow is None:
            return None
        kept = self._kept.drop_columns([ROW])
        return conform(kept, self.dataflow, source=self.report.file_name, validated=True, encoded=True)

    @cached_property
    def source_rows(self) -> pa.Array | None:
        """The file row of each observation."""
        return None if self._kept is None else self._kept.column(ROW).combine_chunks()


def _run(rules: tuple[Rule, ...], context: ValidationContext, report: ValidationReport) -> None:
    for rule in rules:
        issues, total = rule.check(context)
        report.add(issues, total)


def validate(
    mapped: MappedTable,
    dataflow: Dataflow,
    *,
    file_name: str,
    decimal: str = ".",
    allowed: Mapping[str, frozenset[str]] | None = None,
    history: Columns | None = None,
) -> ValidationOutcome:
    """Run every rule (vectorised: see ``TableChecks``); never raises for bad data."""
    report = ValidationReport(file_name=file_name, dataflow_id=dataflow.id, rows=mapped.table.num_rows)
    measure = dataflow.structure.measure.id
    checks = TableChecks(mapped.table)
    try:
        context = ValidationContext(dataflow, mapped.table, checks, mapped.column_labels, NO_INVALID_NUMBERS)
        _run(BLOCKING_RULES, context, report)
        if not report.valid:
            return ValidationOutcome(report)
        numbers = checks.parse_numbers(measure, decimal)
        context = replace(context, invalid_numbers=numbers.invalid, allowed=dict(allowed or {}), history=history)
        _run(RULES, context, report)
    finally:
        checks.close()
    if not report.valid:
        return ValidationOutcome(report)
    index = mapped.table.column_names.index(measure)
    checked = mapped.table.set_column(index, measure, numbers.values)
    withheld = pc.sum(pc.and_(pc.is_null(numbers.values), confidential(mapped.table))).as_py() or 0
    skipped = numbers.values.null_count - withheld
    if withheld:
        report.notes.append(
            Note(
                f"{withheld:,} confidential row(s) (CONF_STATUS other than F) are loaded without a value.",
                f"{withheld:,} fila(s) confidenciales (CONF_STATUS distinto de F) se cargan sin su valor.",
            )
        )
    if skipped:
        report.notes.append(
            Note(
                f"{skipped:,} row(s) without a value ('..', '-', empty) were not loaded.",
                f"{skipped:,} fila(s) sin valor («..», «-», vacías) no se cargaron.",
            )
        )
    return ValidationOutcome(report, checked, dataflow)

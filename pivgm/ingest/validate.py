"""Validate a mapped submission against its dataflow: returns a report and, when valid, observations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.conform import conform
from pivgm.ingest.mapping import MappedTable
from pivgm.ingest.report import ValidationReport
from pivgm.ingest.rules import BLOCKING_RULES, RULES, ValidationContext
from pivgm.model import Dataflow
from pivgm.warehouse.checks import ROW, TableChecks


@dataclass(frozen=True)
class ValidationOutcome:
    report: ValidationReport
    observations: pa.Table | None  # conformed to the dataflow; None when the report has errors
    source_rows: pa.Array | None = None  # the file row of each observation


def _typed(mapped: pa.Table, measure: str, numbers: pa.Table) -> pa.Table:
    index = mapped.column_names.index(measure)
    return mapped.set_column(index, measure, numbers.column("value"))


def validate(
    mapped: MappedTable,
    dataflow: Dataflow,
    *,
    file_name: str,
    decimal: str = ".",
    allowed: Mapping[str, frozenset[str]] | None = None,
    history: pa.Table | None = None,
) -> ValidationOutcome:
    """Run every rule (vectorised in DuckDB); never raises for bad data."""
    report = ValidationReport(file_name=file_name, dataflow_id=dataflow.id, rows=mapped.table.num_rows)
    measure = dataflow.structure.measure.id
    empty_numbers = pa.table({ROW: pa.array([], pa.int64()), "text": pa.array([], pa.string())})
    context = ValidationContext(dataflow, mapped.table, TableChecks(mapped.table), mapped.column_labels, empty_numbers)
    try:
        for rule in BLOCKING_RULES:
            issues, total = rule.check(context)
            report.add(issues, total)
        if not report.valid:
            return ValidationOutcome(report, None)
        numbers = context.checks.parse_numbers(measure, decimal)
        typed = _typed(mapped.table, measure, numbers)
    finally:
        context.checks.close()
    checks = TableChecks(typed)
    try:
        context = ValidationContext(
            dataflow,
            typed,
            checks,
            mapped.column_labels,
            numbers.filter(numbers.column("invalid")),
            dict(allowed or {}),
            history,
        )
        for rule in RULES:
            issues, total = rule.check(context)
            report.add(issues, total)
    finally:
        checks.close()
    if not report.valid:
        return ValidationOutcome(report, None)
    present = pc.is_valid(typed.column(measure))
    skipped = typed.num_rows - (pc.sum(present.cast(pa.int64())).as_py() or 0)
    if skipped:
        report.notes.append(f"{skipped} row(s) without a value ('..', '-', empty) were not loaded.")
    kept = typed.filter(present)
    observations = conform(kept.drop_columns([ROW]), dataflow, source=file_name, validated=True)
    return ValidationOutcome(report, observations, kept.column(ROW).combine_chunks())

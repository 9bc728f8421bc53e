"""Protect an aggregated table by the dataflow's rules; every protected cell says why.

Each period (and each combination of dimensions without totals) is a separate table: nothing published adds
across them. In each, primary cells (CONF_STATUS ``C``) are those counting 1 to ``threshold - 1`` records or,
for a magnitude, dominated by one contribution or failing the p% rule; tau-ARGUS then chooses secondary cells
(``D``) so the published margins cannot narrow a primary cell to less than ``protection_level`` either side.
Protected cells are published with CONF_STATUS and no value. Controlled rounding instead makes every cell a
multiple of the base, keeping the table additive. The cell-key method instead adds to every count the noise
its cell key selects in the perturbation table (``cellkey.py``): every value is published, none exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from pivgm.microdata.columns import CONF_STATUS, KEYS, LARGEST, RECORDS, SECOND, VALUE
from pivgm.microdata.protection import cellkey, tauargus
from pivgm.microdata.protection.config import ProtectionRules
from pivgm.microdata.protection.tauargus import TabCell

FREE, PRIMARY, SECONDARY = "F", "C", "D"


@dataclass
class ProtectionReport:
    """What was protected and why: cells by reason, and the secondary cells tau-ARGUS chose."""

    method: str
    rules: ProtectionRules
    cells: int = 0
    tables: int = 0
    primary: dict[str, int] = field(default_factory=dict)
    secondary: int = 0
    rounded: int = 0
    perturbed: int = 0
    ptable: dict[str, object] | None = None
    protected: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "rules": self.rules.__dict__,
            "cells": self.cells,
            "tables": self.tables,
            "primary": self.primary,
            "secondary": self.secondary,
            "rounded": self.rounded,
            "protected": self.protected,
        } | ({"perturbed": self.perturbed, "ptable": self.ptable} if self.ptable is not None else {})


def _primary_reason(row: dict[str, object], rules: ProtectionRules, magnitude: bool) -> str | None:
    records = int(row[RECORDS])  # type: ignore[call-overload]
    if 0 < records < rules.threshold:
        return f"fewer than {rules.threshold} records"
    if not magnitude:
        return None
    value, largest = float(row[VALUE]), float(row[LARGEST])  # type: ignore[arg-type]
    if rules.dominance_k is not None and value > 0 and largest > rules.dominance_k / 100 * value:
        return f"one record is over {rules.dominance_k:g}% of the cell"
    if rules.p_percent is not None and value > 0:
        rest = value - largest - float(row[SECOND])  # type: ignore[arg-type]
        if rest * 100 < rules.p_percent * largest:
            return f"p% rule: the second largest record estimates the largest within {rules.p_percent:g}%"
    return None


def _tables(
    rows: list[dict[str, object]], totals: Sequence[str], keys: Sequence[str]
) -> dict[tuple[object, ...], list[int]]:
    others = [k for k in keys if k not in totals]
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[tuple(row[k] for k in others)].append(index)
    return groups


def protect(
    cells: pa.Table,
    keys: Sequence[str],
    totals: Sequence[str],
    rules: ProtectionRules,
    *,
    magnitude: bool = False,
    step: Callable[[int, int], None] = lambda _done, _all: None,
) -> tuple[pa.Table, ProtectionReport]:
    """``cells`` with ``CONF_STATUS`` added and protected values removed (or values rounded)."""
    rows = cells.to_pylist()
    report = ProtectionReport(rules.method, rules, cells=len(rows))
    status = [FREE] * len(rows)
    values: list[float | None] = [row[VALUE] for row in rows]
    tables = _tables(rows, totals, keys)
    report.tables = len(tables)
    if rules.method == "cell_key":
        _perturb(cells, rules, values, report)
    if rules.method == "suppression":
        _suppress(rows, list(tables.values()), totals, keys, rules, magnitude, status, report, step)
    elif rules.method == "rounding" and totals:
        _round(rows, list(tables.values()), totals, rules, values, report, step)
    else:
        step(len(tables), len(tables))
    for index, mark in enumerate(status):
        if mark != FREE:
            values[index] = None
    value_type = cells.schema.field(VALUE).type
    internal = [name for name in (RECORDS, LARGEST, SECOND, KEYS) if name in cells.column_names]
    result = cells.drop_columns(internal).set_column(
        cells.schema.get_field_index(VALUE), VALUE, pa.array(values, value_type)
    )
    return result.append_column(CONF_STATUS, pa.array(status, pa.string())), report


def _suppress(
    rows: list[dict[str, object]],
    tables: list[list[int]],
    totals: Sequence[str],
    keys: Sequence[str],
    rules: ProtectionRules,
    magnitude: bool,
    status: list[str],
    report: ProtectionReport,
    step: Callable[[int, int], None],
) -> None:
    """Primary cells of every table, then tau-ARGUS's secondary cells for the tables that have primary ones."""
    level = float(rules.protection_level)
    solved: list[tuple[list[int], list[TabCell]]] = []
    for members in tables:
        cells = []
        for index in members:
            reason = _primary_reason(rows[index], rules, magnitude)
            if reason is not None:
                status[index] = PRIMARY
                report.primary[reason] = report.primary.get(reason, 0) + 1
                report.protected.append({**{k: rows[index][k] for k in keys}, CONF_STATUS: PRIMARY, "why": reason})
            value = float(rows[index][VALUE])  # type: ignore[arg-type]
            cells.append(
                TabCell(
                    tuple(str(rows[index][d]) for d in totals),
                    value,
                    int(rows[index][RECORDS]),  # type: ignore[call-overload]
                    primary=reason is not None,
                    lower=min(value, level) if reason else 0.0,
                    upper=level if reason else 0.0,
                )
            )
        if totals and any(c.primary for c in cells):
            solved.append((members, cells))
    results = tauargus.run_all(
        [cells for _, cells in solved], len(totals), "OPT(1)", lambda count: step(count, len(solved))
    )
    for (members, cells), protected in zip(solved, results, strict=True):
        for index, cell in zip(members, cells, strict=True):
            if protected.get(cell.codes, (0.0, "S"))[1] == "M" and status[index] == FREE:
                status[index] = SECONDARY
                report.secondary += 1
                report.protected.append(
                    {**{k: rows[index][k] for k in keys}, CONF_STATUS: SECONDARY, "why": "secondary suppression"}
                )


def _round(
    rows: list[dict[str, object]],
    tables: list[list[int]],
    totals: Sequence[str],
    rules: ProtectionRules,
    values: list[float | None],
    report: ProtectionReport,
    step: Callable[[int, int], None],
) -> None:
    cells = [
        [TabCell(tuple(str(rows[i][d]) for d in totals), float(rows[i][VALUE]), int(rows[i][RECORDS])) for i in members]  # type: ignore[arg-type,call-overload]
        for members in tables
    ]
    results = tauargus.run_all(cells, len(totals), f"RND(1,{rules.base})", lambda count: step(count, len(cells)))
    for members, table, rounded in zip(tables, cells, results, strict=True):
        for index, cell in zip(members, table, strict=True):
            new = rounded[cell.codes][0]
            if new != cell.value:
                report.rounded += 1
            values[index] = new


def _perturb(cells: pa.Table, rules: ProtectionRules, values: list[float | None], report: ProtectionReport) -> None:
    table = cellkey.make_ptable(rules.max_noise, float(rules.variance), rules.small)
    counts = [int(n) for n in cells.column(RECORDS).to_pylist()]
    perturbed = cellkey.perturb(counts, cells.column(KEYS).to_pylist(), table)
    for index, (count, value) in enumerate(zip(counts, perturbed, strict=True)):
        values[index] = value
        report.perturbed += value != count
    report.ptable = table.to_dict()

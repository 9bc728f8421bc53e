"""An indicator's observations from its operands lined up (``warehouse.derive``): the formula, vectorised.

Where a value cannot be defined the observation stays, without a value, saying why: OBS_STATUS ``M`` ("data
cannot exist") for a zero divisor, ``O`` ("missing value") for a missing, confidential or incomplete input,
and the reason in OBS_COMMENT. Never 0, never infinity. A value takes the first non-normal OBS_STATUS of its
inputs (an estimate stays an estimate) and their comments.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa

from pivgm.model import Dataflow
from pivgm.model.indicator import Indicator
from pivgm.warehouse.derive import Operand, line_up

Reasons = np.ndarray  # object array: the first reason an observation has no value, or None

_OPERATORS: dict[type[ast.operator], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}


def operands(indicator: Indicator, files: Mapping[str, Path | None]) -> list[Operand]:
    """The warehouse selections of ``indicator``'s inputs over the release files in force (by dataflow)."""
    selections = []
    for spec in indicator.inputs:
        where: dict[str, tuple[str, ...]] = {**spec.within, **spec.key}
        columns = {d: spec.dimensions.get(d, d) for d in indicator.dimensions}
        selections.append(
            Operand(
                spec.name, files.get(spec.dataflow), where, columns, spec.shift, spec.window, spec.summed, spec.annual
            )
        )
    return selections


def _note(reasons: Reasons, mask: np.ndarray, text: str) -> None:
    reasons[mask & (reasons == None)] = text  # noqa: E711 - element-wise on an object array


def _available(indicator: Indicator, table: pa.Table, reasons: Reasons) -> dict[str, np.ndarray]:
    """Each input's values (NaN where unusable), noting why an observation lacks one."""
    values = {}
    for spec in indicator.inputs:
        found = table[f"{spec.name}__found"].to_numpy(zero_copy_only=False).astype(bool)
        value = table[f"{spec.name}__value"].to_numpy(zero_copy_only=False).astype(float)
        withheld = np.nan_to_num(table[f"{spec.name}__withheld"].to_numpy(zero_copy_only=False).astype(float))
        periods = np.nan_to_num(table[f"{spec.name}__periods"].to_numpy(zero_copy_only=False).astype(float))
        where = f"{spec.name} ({spec.dataflow})"
        _note(reasons, ~found, f"missing input: {where}")
        _note(reasons, found & (withheld > 0), f"confidential input: {where}")
        _note(reasons, found & (periods < spec.window), f"incomplete {spec.window}-period window: {where}")
        usable = found & (withheld == 0) & (periods >= spec.window) & np.isfinite(value)
        values[spec.name] = np.where(usable, value, np.nan)
    return values


def evaluate(formula: str, values: Mapping[str, np.ndarray], reasons: Reasons) -> np.ndarray:
    """The formula over the arrays; a zero divisor gives NaN and its reason."""

    def walk(node: ast.AST) -> np.ndarray:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant):
            return np.full(len(reasons), float(node.value))  # type: ignore[arg-type]  # numbers only (loader)
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        assert isinstance(node, ast.BinOp)
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Div):
            zero = right == 0
            _note(reasons, zero & ~np.isnan(left), f"undefined: divisor {ast.unparse(node.right)} is zero")
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(zero, np.nan, left / np.where(zero, 1.0, right))
        return _OPERATORS[type(node.op)](left, right)

    return walk(ast.parse(formula, mode="eval"))


def _flags(indicator: Indicator, table: pa.Table) -> tuple[list[str | None], list[str | None]]:
    """Per row: the first non-normal status of the inputs, and their comments (named by input)."""
    statuses: list[str | None] = [None] * table.num_rows
    comments: list[list[str]] = [[] for _ in range(table.num_rows)]
    for spec in indicator.inputs:
        for row, status in enumerate(table[f"{spec.name}__status"].to_pylist()):
            if status and statuses[row] is None:
                statuses[row] = status
        for row, comment in enumerate(table[f"{spec.name}__comment"].to_pylist()):
            if comment:
                comments[row].append(f"{spec.name}: {comment}")
    return statuses, ["; ".join(c) or None for c in comments]


def observations(indicator: Indicator, dataflow: Dataflow, table: pa.Table) -> pa.Table:
    """The indicator's observation table, in ``dataflow``'s columns, from its lined-up operands."""
    reasons: Reasons = np.full(table.num_rows, None, dtype=object)
    values = _available(indicator, table, reasons)
    result = evaluate(indicator.formula, values, reasons)
    defined = np.isfinite(result)
    _note(reasons, ~defined, "undefined: the result is not a finite number")
    statuses, comments = _flags(indicator, table)
    status = [
        ("M" if str(reason).startswith("undefined") else "O") if reason is not None else (statuses[row] or "A")
        for row, reason in enumerate(reasons)
    ]
    comment = [reason if reason is not None else comments[row] for row, reason in enumerate(reasons)]
    unit = [indicator.unit] * table.num_rows if indicator.unit else table["UNIT"].to_pylist()
    columns: dict[str, pa.Array] = {
        "TIME_PERIOD": table["TIME_PERIOD"].combine_chunks(),
        "OBS_VALUE": pa.array(np.where(defined, result, 0.0), pa.float64(), mask=~defined),
        "UNIT_MEASURE": pa.array(unit, pa.string()),
        "UNIT_MULT": pa.array(["0"] * table.num_rows, pa.string()),
        "OBS_STATUS": pa.array(status, pa.string()),
        "CONF_STATUS": pa.array(["F"] * table.num_rows, pa.string()),
        "OBS_COMMENT": pa.array(comment, pa.string()),
    }
    for dimension in indicator.dimensions:
        columns[dimension] = table[dimension].combine_chunks()
    structure = dataflow.structure
    fields = [pa.field(c, pa.float64() if c == structure.measure.id else pa.string()) for c in structure.column_ids]
    return pa.Table.from_arrays(
        [columns.get(f.name, pa.nulls(table.num_rows, pa.string())) for f in fields], schema=pa.schema(fields)
    )


def compute(indicator: Indicator, dataflow: Dataflow, files: Mapping[str, Path | None]) -> pa.Table:
    """The indicator's observations over the given release files (dataflow id -> file, None if none)."""
    return observations(indicator, dataflow, line_up(operands(indicator, files), indicator.dimensions))

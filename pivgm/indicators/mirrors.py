"""Mirror statistics: one flow between two countries as each side reports it, and how far they disagree.

For each origin, destination and period both sides report: ``a`` and ``b`` (the rule's first and second
side), ``gap_pct`` = 100 × (a − b) / b (how much more the first side counts; absent if b is 0) and the
asymmetry index (a − b) / (a + b), between −1 and 1, 0 when they agree (absent if both are 0). The matrix
sums each pair over the periods both report, then computes the same measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.model.indicator import MirrorRule, MirrorSide
from pivgm.warehouse.derive import Operand, line_up

ORIGIN, DESTINATION = "ORIGIN", "DESTINATION"
SIDES = ("a", "b")


@dataclass(frozen=True)
class PairFigures:
    """Both sides' figures and how far they are apart (None where undefined)."""

    a: float
    b: float
    gap_pct: float | None
    asymmetry: float | None

    @classmethod
    def of(cls, a: float, b: float) -> PairFigures:
        gap = 100 * (a - b) / b if b != 0 else None
        asymmetry = (a - b) / (a + b) if a + b != 0 else None
        return cls(a, b, gap, asymmetry)


@dataclass(frozen=True)
class MirrorObservation:
    origin: str
    destination: str
    period: str
    figures: PairFigures
    status: tuple[str | None, str | None]  # each side's OBS_STATUS when not normal


@dataclass(frozen=True)
class MatrixCell:
    origin: str
    destination: str
    periods: int
    first: str
    last: str
    figures: PairFigures


def _operand(name: str, side: MirrorSide, file: Path | None) -> Operand:
    columns = {"FREQ": "FREQ", ORIGIN: side.origin, DESTINATION: side.destination}
    constants = {ORIGIN if role == "origin" else DESTINATION: code for role, code in side.fixed.items()}
    return Operand(name, file, dict(side.key), columns, summed=side.total, constants=constants)


def observations(rule: MirrorRule, files: Mapping[str, Path | None]) -> list[MirrorObservation]:
    """Every origin, destination and period that both sides report, in key order."""
    operands = [_operand(n, s, files.get(s.dataflow)) for n, s in zip(SIDES, rule.sides, strict=True)]
    table = line_up(operands, ["FREQ", ORIGIN, DESTINATION])
    both = pc.and_(table["b__found"], pc.is_valid(table["a__value"]))
    table = table.filter(pc.and_(both, pc.is_valid(table["b__value"])))
    rows = table.select([ORIGIN, DESTINATION, "TIME_PERIOD", "a__value", "b__value", "a__status", "b__status"])
    return [
        MirrorObservation(
            row[ORIGIN],
            row[DESTINATION],
            row["TIME_PERIOD"],
            PairFigures.of(row["a__value"], row["b__value"]),
            (row["a__status"], row["b__status"]),
        )
        for row in rows.to_pylist()
    ]


def matrix(pairs: list[MirrorObservation]) -> list[MatrixCell]:
    """Per origin and destination: both sides summed over the periods both report."""
    if not pairs:
        return []
    table = pa.table(
        {
            "o": [p.origin for p in pairs],
            "d": [p.destination for p in pairs],
            "t": [p.period for p in pairs],
            "a": np.array([p.figures.a for p in pairs]),
            "b": np.array([p.figures.b for p in pairs]),
        }
    )
    sums = [("a", "sum"), ("b", "sum"), ("t", "min"), ("t", "max"), ("t", "count")]
    grouped = table.group_by(["o", "d"]).aggregate(sums)
    return sorted(
        (
            MatrixCell(r["o"], r["d"], r["t_count"], r["t_min"], r["t_max"], PairFigures.of(r["a_sum"], r["b_sum"]))
            for r in grouped.to_pylist()
        ),
        key=lambda c: (c.origin, c.destination),
    )


@dataclass(frozen=True)
class Disagreement:
    """How far two reporters disagree over every pair and period both report: the totals' figures and the
    mean of the absolute asymmetry index of single observations (totals can hide gaps of opposite signs)."""

    observations: int
    first: str | None
    last: str | None
    totals: PairFigures | None
    mean_abs_asymmetry: float | None


def disagreement(pairs: list[MirrorObservation]) -> Disagreement:
    if not pairs:
        return Disagreement(0, None, None, None, None)
    periods = sorted(p.period for p in pairs)
    totals = PairFigures.of(sum(p.figures.a for p in pairs), sum(p.figures.b for p in pairs))
    indices = [abs(p.figures.asymmetry) for p in pairs if p.figures.asymmetry is not None]
    mean = sum(indices) / len(indices) if indices else None
    return Disagreement(len(pairs), periods[0], periods[-1], totals, mean)

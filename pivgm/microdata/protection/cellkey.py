"""The cell-key method (ABS, Eurostat): every count gets noise looked up from its cell key in a perturbation
table, so the same cell gets the same noise in every table made from the same records.

- Each record has a *record key*: a number in ``[0, KEYS)`` from a hash of the fields that identify it (and an
  office's secret, if set), so it is the same in every run and every table.
- A cell's *cell key* is the sum of its records' keys modulo ``KEYS``: it depends only on which records are in
  the cell, never on the table, the order of the records or the engine. Totals are cells too: they get their
  own key and their own noise, so a perturbed table does not add up exactly.
- The *perturbation table* (ptable) gives, for each count ``n``, the probability of each noise ``d``, with
  ``|d| <= max_noise``, ``n + d >= 0``, ``n + d`` never in ``1..small`` (small counts are not published),
  mean 0 (unbiased) and variance ``variance`` wherever those allow it (for the smallest counts, the nearest
  achievable variance); among such distributions the one of maximum entropy. Every count from
  ``max_noise + small + 1`` on has the same row. The probabilities are cut into intervals of cell keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

KEY_BITS = 24
KEYS = 1 << KEY_BITS


@dataclass(frozen=True)
class PTableRow:
    """Noise ``noise`` for a count ``count`` with probability ``probability``: cell keys in ``[lower, upper)``."""

    count: int
    noise: int
    probability: float
    lower: int
    upper: int


@dataclass(frozen=True)
class PTable:
    """A perturbation table and its parameters; ``rows`` are ordered by count, then noise."""

    max_noise: int
    variance: float
    small: int
    rows: tuple[PTableRow, ...]

    @property
    def last_count(self) -> int:
        """Counts above this one use its row."""
        return self.max_noise + self.small + 1

    def noise(self, count: int, cell_key: int) -> int:
        """The noise added to a cell counting ``count`` records whose cell key is ``cell_key``."""
        row = min(count, self.last_count)
        for entry in self.rows:
            if entry.count == row and entry.lower <= cell_key < entry.upper:
                return entry.noise
        raise ValueError(f"cell key {cell_key} is outside 0..{KEYS - 1}")

    def to_dict(self) -> dict[str, object]:
        return {
            "max_noise": self.max_noise,
            "variance": self.variance,
            "small": self.small,
            "cell_keys": KEYS,
            "rows": [row.__dict__ for row in self.rows],
        }


def _distribution(count: int, max_noise: int, variance: float, small: int) -> tuple[list[int], np.ndarray]:
    from scipy.optimize import linprog, minimize

    if count == 0:
        return [0], np.array([1.0])
    noises = [d for d in range(-max_noise, max_noise + 1) if count + d >= 0 and not 1 <= count + d <= small]
    d = np.array(noises, dtype=float)
    mean_zero = {"A_eq": np.vstack([np.ones_like(d), d]), "b_eq": [1.0, 0.0], "bounds": (0, 1)}
    lowest = linprog(d**2, **mean_zero).fun  # the variances mean 0 allows on this support
    highest = -linprog(-(d**2), **mean_zero).fun
    target = min(max(variance, lowest), highest)
    moments = np.vstack([np.ones_like(d), d, d**2])
    feasible = np.asarray(linprog(np.zeros_like(d), A_eq=moments, b_eq=[1.0, 0.0, target], bounds=(0, 1)).x)
    solved = minimize(
        lambda p: float(np.sum(p * np.log(np.maximum(p, 1e-300)))),
        (feasible + np.full(len(d), 1.0 / len(d))) / 2 if highest - lowest > 1e-9 else feasible,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * len(d),
        constraints=[{"type": "eq", "fun": lambda p: moments @ p - [1.0, 0.0, target]}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    best = np.clip(solved.x, 0.0, 1.0)
    if not solved.success or np.abs(moments @ best - [1.0, 0.0, target]).max() > 1e-9:
        best = np.clip(feasible, 0.0, 1.0)  # a point of a (nearly) single-point set: take it as the LP found it
    return noises, best / best.sum()


@lru_cache(maxsize=16)
def make_ptable(max_noise: int, variance: float, small: int) -> PTable:
    """The maximum-entropy perturbation table for these parameters (see the module docstring)."""
    rows: list[PTableRow] = []
    for count in range(max_noise + small + 2):
        noises, probabilities = _distribution(count, max_noise, variance, small)
        bounds = np.rint(np.concatenate([[0.0], np.cumsum(probabilities)]) * KEYS).astype(np.int64)
        bounds[-1] = KEYS
        for index, noise in enumerate(noises):
            if bounds[index + 1] > bounds[index]:
                rows.append(
                    PTableRow(count, noise, float(probabilities[index]), int(bounds[index]), int(bounds[index + 1]))
                )
    return PTable(max_noise, variance, small, tuple(rows))


def perturb(counts: Sequence[int], key_sums: Sequence[int], table: PTable) -> list[int]:
    """Each count plus the noise its cell key (its records' key sum modulo ``KEYS``) selects."""
    return [count + table.noise(count, int(keys) % KEYS) for count, keys in zip(counts, key_sums, strict=True)]

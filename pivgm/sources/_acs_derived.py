"""Values the platform derives from ACS estimates, with margins of error by the Census Bureau's formulas.

- a proportion of two published counts: p = x / X, MOE(p) = √(MOE_x² − p²·MOE_X²) / X, or the ratio
  formula √(MOE_x² + p²·MOE_X²) / X when the radicand is negative;
- the difference of two estimates: MOE = √(MOE₁² + MOE₂²).
A margin of error that is unknown makes the derived margin unknown; a controlled estimate's margin is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """A published figure and its 90 % margin of error (None: unknown; 0.0: controlled, no sampling error)."""

    value: float
    moe: float | None


def proportion(part: Estimate, whole: Estimate) -> Estimate | None:
    """``part`` as a percentage of ``whole`` (one decimal, as the Census Bureau publishes percentages)."""
    if whole.value <= 0:
        return None
    p = part.value / whole.value
    moe = None
    if part.moe is not None and whole.moe is not None:
        radicand = part.moe**2 - p**2 * whole.moe**2
        if radicand < 0:
            radicand = part.moe**2 + p**2 * whole.moe**2
        moe = round(100 * math.sqrt(radicand) / whole.value, 1)
    return Estimate(round(100 * p, 1), moe)


def difference(first: Estimate, second: Estimate, decimals: int) -> Estimate:
    """``first`` minus ``second``, rounded to ``decimals`` (the precision of the estimates)."""
    moe = None
    if first.moe is not None and second.moe is not None:
        moe = round(math.hypot(first.moe, second.moe), decimals)
    return Estimate(round(first.value - second.value, decimals), moe)

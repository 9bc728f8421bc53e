"""Disclosure-control rules per dataflow, from YAML (``pivgm/microdata/protection.yaml`` or the office's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pivgm.errors import InvalidParameterError

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "protection.yaml"
METHODS = ("suppression", "rounding", "cell_key", "none")
_KEYS = {
    "method", "threshold", "protection_level", "dominance_k", "p_percent", "base", "max_noise", "variance", "small"
}  # fmt: skip


@dataclass(frozen=True)
class ProtectionRules:
    """How one dataflow's tables are protected.

    ``threshold``: a cell counting 1 to ``threshold - 1`` records is primary-suppressed.
    ``protection_level``: the published margins must leave every primary cell uncertain by at least this
    many records above (and below, down to zero).
    ``dominance_k``: for a magnitude, a cell whose largest contribution is over ``k`` percent of it is
    primary-suppressed.
    ``p_percent``: for a magnitude, the p% rule: a cell is primary-suppressed when what remains after its two
    largest contributions is under ``p`` percent of the largest, so that the second largest contributor could
    estimate the largest to within ``p`` percent.
    ``base``: the rounding base of controlled rounding.
    ``max_noise``, ``variance``, ``small``: the perturbation table of the cell-key method (``cellkey.py``):
    noise at most ``max_noise`` either way, of that variance, and no published count in ``1..small``.
    """

    method: str = "suppression"
    threshold: int = 3
    protection_level: int = 3
    dominance_k: float | None = None
    p_percent: float | None = None
    base: int = 5
    max_noise: int = 2
    variance: float = 1.0
    small: int = 0


def _rules(raw: Any, where: str) -> ProtectionRules:
    if not isinstance(raw, dict) or set(raw) - _KEYS:
        raise InvalidParameterError(f"{where}: expected a mapping with keys among {sorted(_KEYS)}.")
    rules = ProtectionRules(**raw)
    for name in ("threshold", "protection_level", "base", "max_noise", "small", "variance"):
        number = getattr(rules, name)
        kinds: tuple[type, ...] = (int, float) if name == "variance" else (int,)
        if isinstance(number, bool) or not isinstance(number, kinds):
            raise InvalidParameterError(f"{where}: {name} must be a number, not {number!r}.")
    if rules.method not in METHODS:
        raise InvalidParameterError(f"{where}: method {rules.method!r} is not one of {', '.join(METHODS)}.")
    if rules.threshold < 1 or rules.protection_level < 0 or rules.base < 2:
        raise InvalidParameterError(f"{where}: threshold >= 1, protection_level >= 0 and base >= 2 are required.")
    if rules.method == "cell_key" and not (
        rules.max_noise >= 1 and rules.variance > 0 and 0 <= rules.small <= rules.max_noise
    ):
        raise InvalidParameterError(
            f"{where}: the cell-key method needs max_noise >= 1, variance > 0 and 0 <= small <= max_noise."
        )
    for name in ("dominance_k", "p_percent"):
        percent = getattr(rules, name)
        if percent is not None and (
            isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 < percent <= 100
        ):
            raise InvalidParameterError(f"{where}: {name} must be a percentage, over 0 and at most 100.")
    return rules


def load_rules(dataflow_id: str, path: Path | None = None) -> ProtectionRules:
    """The rules of ``dataflow_id`` in ``path`` (default: the platform's file), else that file's default."""
    source = path or DEFAULT_FILE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidParameterError(f"{source.name} cannot be read as YAML: {error}") from None
    if not isinstance(raw, dict) or raw.get("protection") != 1:
        raise InvalidParameterError(f"{source.name}: not a protection file (it must start with 'protection: 1').")
    flows = raw.get("dataflows") or {}
    if dataflow_id in flows:
        return _rules(flows[dataflow_id], f"{source.name} dataflows.{dataflow_id}")
    return _rules(raw.get("default", {}), f"{source.name} default")

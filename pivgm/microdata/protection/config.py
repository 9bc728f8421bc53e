"""Disclosure-control rules per dataflow, from YAML (``pivgm/microdata/protection.yaml`` or the office's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pivgm.errors import InvalidParameterError

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "protection.yaml"
METHODS = ("suppression", "rounding", "none")
_KEYS = {"method", "threshold", "protection_level", "dominance_k", "base"}


@dataclass(frozen=True)
class ProtectionRules:
    """How one dataflow's tables are protected.

    ``threshold``: a cell counting 1 to ``threshold - 1`` records is primary-suppressed.
    ``protection_level``: the published margins must leave every primary cell uncertain by at least this
    many records above (and below, down to zero).
    ``dominance_k``: for a magnitude, a cell whose largest contribution is over ``k`` percent of it is
    primary-suppressed.
    ``base``: the rounding base of controlled rounding.
    """

    method: str = "suppression"
    threshold: int = 3
    protection_level: int = 3
    dominance_k: float | None = None
    base: int = 5


def _rules(raw: Any, where: str) -> ProtectionRules:
    if not isinstance(raw, dict) or set(raw) - _KEYS:
        raise InvalidParameterError(f"{where}: expected a mapping with keys among {sorted(_KEYS)}.")
    rules = ProtectionRules(**raw)
    if rules.method not in METHODS:
        raise InvalidParameterError(f"{where}: method {rules.method!r} is not one of {', '.join(METHODS)}.")
    if rules.threshold < 1 or rules.protection_level < 0 or rules.base < 2:
        raise InvalidParameterError(f"{where}: threshold >= 1, protection_level >= 0 and base >= 2 are required.")
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
